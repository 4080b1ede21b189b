"""Signed survey links over HTTP without a token: answered once; a reused, forged or expired
link refused with its code; and without a token nothing else is served."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.schema.ids import from_global_id
from auth import survey_links
from tests.api.surveys_setup import (
    BY_LINK,
    INVITATION,
    LINK,
    OTHER_CONTACT,
    invite,
    make_survey,
)
from tests.demo import CUSTOMER

ANSWERS = {"answers": [{"key": "csat", "value": 4}], "comment": "Fast and friendly."}


async def _anonymous(http, query: str, variables: dict):
    response = await http.post("/graphql", json={"query": query, "variables": variables})
    return response.status_code, response.json()


async def _link(gql, contact: str = OTHER_CONTACT) -> tuple[str, str]:
    survey = await make_survey(gql)
    invitation = await invite(gql, survey["id"], contact)
    data = await gql.ok("marketing", LINK, {"id": invitation["id"]})
    assert data["surveyLink"]["errors"] == []
    return invitation["id"], data["surveyLink"]["token"]


async def test_survey_link_answered_once_without_login(gql, http):
    # given a link to an invitation of a contact that has no login
    invitation, token = await _link(gql)
    # when it is answered without a token
    status, body = await _anonymous(http, BY_LINK, {"token": token, "input": ANSWERS})
    # then the answer is recorded, and the invitation closed
    assert status == 200 and body["data"]["surveyRespondByLink"] == {"answered": True,
                                                                     "errors": []}
    closed = await gql.ok("admin", INVITATION, {"id": invitation})
    assert closed["surveyInvitation"]["status"] == "RESPONDED"
    responses = await gql.ok("admin", f"""{{ surveyResponses(filter: {{contact: {{eq:
        "{OTHER_CONTACT}"}}}}, first: 100) {{ nodes {{ channel invitation {{ id }} createdBy }} }} }}""")
    [response] = [n for n in responses["surveyResponses"]["nodes"]
                  if n["invitation"] and n["invitation"]["id"] == invitation]
    assert response["channel"] == "LINK" and response["createdBy"] == OTHER_CONTACT
    # and the link used again is refused
    status, body = await _anonymous(http, BY_LINK, {"token": token, "input": ANSWERS})
    assert body["data"]["surveyRespondByLink"]["errors"][0]["code"] == "ALREADY_ANSWERED"


@pytest.mark.parametrize("change", ["payload", "mac", "garbage"])
async def test_survey_link_forged_is_refused(gql, http, change):
    _, token = await _link(gql)
    prefix, payload, mac = token.split(".")
    forged = {"payload": f"{prefix}.{payload[:-2]}AA.{mac}",
              "mac": f"{prefix}.{payload}.{mac[:-2]}AA", "garbage": "sv1.nothing"}[change]
    _, body = await _anonymous(http, BY_LINK, {"token": forged, "input": ANSWERS})
    assert [(e["field"], e["code"]) for e in body["data"]["surveyRespondByLink"]["errors"]] == [
        ("token", "INVALID")]


async def test_survey_link_expired_is_refused(gql, http, app):
    # given a link signed by this server that expired a minute ago
    invitation, _ = await _link(gql)
    _, raw = from_global_id(invitation)
    _, contact = from_global_id(OTHER_CONTACT)
    token = survey_links.sign(app.state.tokens.ring.root, raw, contact,
                              datetime.now(UTC) - timedelta(minutes=1))
    _, body = await _anonymous(http, BY_LINK, {"token": token, "input": ANSWERS})
    assert body["data"]["surveyRespondByLink"]["errors"][0]["code"] == "EXPIRED"


async def test_survey_link_acts_only_as_its_contact(gql, http, app):
    # given a correctly signed token naming the customer for another contact's invitation
    invitation, _ = await _link(gql)
    _, raw = from_global_id(invitation)
    _, customer = from_global_id(CUSTOMER)
    token = survey_links.sign(app.state.tokens.ring.root, raw, customer,
                              datetime.now(UTC) + timedelta(days=1))
    # then the invitation does not exist for it
    _, body = await _anonymous(http, BY_LINK, {"token": token, "input": ANSWERS})
    assert body["data"]["surveyRespondByLink"]["errors"][0]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(("role", "allowed"), [
    ("admin", True), ("marketing", True), ("service", True), ("sales", False),
    ("analyst", False), ("partner", False), ("customer", False)])
async def test_survey_link_by_role(gql, role, allowed):
    survey = await make_survey(gql)
    invitation = await invite(gql, survey["id"], CUSTOMER)
    result = await gql(role, LINK, {"id": invitation["id"]})
    payload = result.data["surveyLink"]
    assert (payload["token"] is not None) is allowed
    assert allowed or payload["errors"][0]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("query", [
    "{ surveys(first: 1) { totalCount } }",
    'mutation { surveyCreate(input: {name: "x", kind: NPS}) { errors { code } } }',
    'mutation { surveyRespondByLink(token: "x", input: {answers: []}) { answered } '
    'surveyCreate(input: {name: "x", kind: NPS}) { errors { code } } }',
    "{ not valid",
])
async def test_without_a_token_only_link_answers_are_served(http, query):
    status, body = await _anonymous(http, query, {})
    assert status == 401 and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_survey_link_answers_rate_limited_by_address(client_with):
    # given an app that takes two requests a minute from each caller
    async with client_with(crm_rate_limit="2/minute") as client:
        statuses = []
        for _ in range(3):
            status, _ = await _anonymous(client, BY_LINK, {"token": "sv1.x.y", "input": ANSWERS})
            statuses.append(status)
    # then the third link answer from the same address is refused
    assert statuses == [200, 200, 429]
