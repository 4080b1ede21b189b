"""A value the caller may not read as a field reaches it by no other path: not inside a JSON
payload, not as a grouping key, not through an aggregate.

Payloads are checked on both read paths: `gql` answers from compiled SQL where it can,
`resolver_gql` always through the resolvers.
"""

from __future__ import annotations

import itertools

import pytest

_n = itertools.count(1)

FORM = """mutation($input: CaptureFormCreateInput!) { captureFormCreate(input: $input) {
  token errors { code } } }"""
CAPTURE = """mutation($input: LeadCaptureInput!) { leadCapture(input: $input) {
  accepted errors { code } } }"""
# No forbidden field is selected here, so the compiled path answers it.
PAYLOADS = """query($name: String!) { leads(first: 3, filter: {lastName: {eq: $name}}) {
  nodes { captures { payload } } } }"""
# The reproduction: email is FORBIDDEN, and the payload must not carry it either.
PAYLOADS_WITH_EMAIL = """query($name: String!) { leads(first: 3,
  filter: {lastName: {eq: $name}}) { nodes { email captures { payload } } } }"""


@pytest.fixture(scope="module")
async def captured(gql) -> str:
    """A lead captured by a form with every channel filled in; its unique last name."""
    form = (await gql.ok("admin", FORM, {"input": {"name": f"Payload form {next(_n)}"}}))[
        "captureFormCreate"]
    name = f"Payload{next(_n):05d}"
    result = await gql("admin", CAPTURE, {"input": {
        "lastName": name, "firstName": "Pat", "email": f"{name.lower()}@example.com",
        "phone": "+49 30 1234567", "company": "Payload GmbH"}}, token=form["token"])
    assert result.data["leadCapture"]["accepted"], result.body
    return name


def _payloads(data: dict) -> list[dict]:
    return [c["payload"] for lead in data["leads"]["nodes"] for c in lead["captures"]]


@pytest.mark.parametrize("path", ["gql", "resolver_gql"])
async def test_capture_payload_hides_channels_from_an_analyst(app, gql, resolver_gql, captured,
                                                              path):
    # given a capture whose payload holds an email and a phone, and an analyst, who may not
    # read Lead.email or Lead.phone
    client = {"gql": gql, "resolver_gql": resolver_gql}[path]
    compiled_before = app.state.graphql.compiled.answers
    # when the analyst reads the lead's captures
    data = await client.ok("analyst", PAYLOADS, {"name": captured})
    # then the payload shows only the keys the analyst may read as Lead fields
    assert _payloads(data) == [{"firstName": "Pat", "lastName": captured,
                                "company": "Payload GmbH"}]
    # and on `gql` it was the compiled statement that answered
    assert app.state.graphql.compiled.answers == compiled_before + (path == "gql")


@pytest.mark.parametrize("path", ["gql", "resolver_gql"])
async def test_capture_payload_shows_channels_to_marketing(gql, resolver_gql, captured, path):
    # given the same capture, and marketing, who reads Lead.email and Lead.phone
    client = {"gql": gql, "resolver_gql": resolver_gql}[path]
    # when marketing reads the lead's captures
    data = await client.ok("marketing", PAYLOADS, {"name": captured})
    # then the payload is whole
    assert _payloads(data) == [{"firstName": "Pat", "lastName": captured,
                                "company": "Payload GmbH", "phone": "+49301234567",
                                "email": f"{captured.lower()}@example.com"}]


async def test_capture_payload_next_to_a_forbidden_email_holds_no_email(gql, captured):
    # given an analyst asking for email, which is FORBIDDEN, and for the payloads
    result = await gql("analyst", PAYLOADS_WITH_EMAIL, {"name": captured})
    # then email is refused at its path, and no payload carries it
    assert result.error_codes() == ["FORBIDDEN"]
    assert all("email" not in p and "phone" not in p for p in _payloads(result.data))


FORECAST = """query($by: ForecastGroupBy!) { forecast(period: QUARTER, from: "2024-01-01",
  to: "2030-12-31", groupBy: $by) { group groupName deals } }"""
SERVICE_STATS = """query($by: ServiceStatsGroupBy!) { serviceStats(from: "2026-01-01",
  to: "2026-12-31", groupBy: $by) { total { cases } groups { groupName cases } } }"""


@pytest.mark.parametrize("by, field", [("OWNER", "Opportunity.owner"),
                                       ("TERRITORY", "Opportunity.territory")])
async def test_forecast_by_a_field_a_partner_may_not_read_is_forbidden(gql, by, field):
    # given a partner, who reads its deals' amounts but not their owner or territory
    # when it asks for the forecast grouped by one of them
    result = await gql("partner", FORECAST, {"by": by})
    # then the forecast is refused at its path, and no group's id or name comes back
    assert result.error_codes() == ["FORBIDDEN"]
    assert result.errors[0]["path"] == ["forecast"]
    assert field in result.errors[0]["message"]
    assert result.data is None


async def test_forecast_by_pipeline_is_allowed_to_a_partner(gql):
    # given a partner, who reads its deals' pipeline: the forecast by pipeline answers
    data = await gql.ok("partner", FORECAST, {"by": "PIPELINE"})
    assert all(row["group"] is None or row["groupName"] for row in data["forecast"])


@pytest.mark.parametrize("by", ["OWNER", "TERRITORY", "PIPELINE"])
async def test_forecast_by_any_group_is_allowed_to_sales(gql, by):
    data = await gql.ok("sales", FORECAST, {"by": by})
    assert data["forecast"], "the demo has deals in the window"


@pytest.mark.parametrize("by", ["TYPE", "QUEUE", "PRIORITY", "CHANNEL"])
async def test_service_stats_are_forbidden_to_marketing_which_reads_no_case(gql, by):
    # given marketing, which may read no field of a case
    result = await gql("marketing", SERVICE_STATS, {"by": by})
    # then figures counted over the cases' fields are refused as well
    assert result.error_codes() == ["FORBIDDEN"]
    assert result.errors[0]["path"] == ["serviceStats"]
