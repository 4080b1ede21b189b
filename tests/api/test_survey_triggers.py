"""The worker's survey invitations: a resolved case and a fulfilled order of a contact invite
it to the surveys of their trigger, once however often the job runs."""

from __future__ import annotations

from datetime import UTC, datetime

from api.survey_jobs import invite_from_triggers
from api.worker import JobContext
from tests.api.surveys_setup import make_survey
from tests.demo import gid

CASE = """mutation($input: CaseCreateInput!) { caseCreate(input: $input) {
  case { id version } errors { field code } } }"""
CASE_STATUS = """mutation($input: CaseStatusInput!) { caseStatusSet(input: $input) {
  case { id version status } errors { field code } } }"""
ORDER = """mutation($input: OrderCreateInput!) { orderCreate(input: $input) {
  order { id version } errors { field code } } }"""
ORDER_STATUS = """mutation($input: OrderStatusInput!) { orderStatusSet(input: $input) {
  order { status version } errors { field code } } }"""
INVITATIONS = """query($s: ID) { surveyInvitations(filter: {survey: {eq: $s}}, first: 100) {
  nodes { status contact { id } case { id } order { id } } } }"""
CONTACT = gid("Contact", "contact", 7)


async def _run(app):
    return await invite_from_triggers(JobContext(app.state.engine, lambda: datetime.now(UTC)))


async def _invitations(gql, survey_id: str) -> list[dict]:
    data = await gql.ok("admin", INVITATIONS, {"s": survey_id})
    return data["surveyInvitations"]["nodes"]


async def _resolved_case(gql) -> str:
    created = await gql.ok("service", CASE, {"input": {"subject": "Broken export",
                                                       "contact": CONTACT}})
    case = created["caseCreate"]["case"]
    assert created["caseCreate"]["errors"] == []
    version = case["version"]
    for status in ("OPEN", "RESOLVED"):
        moved = await gql.ok("service", CASE_STATUS, {"input": {
            "id": case["id"], "version": version, "status": status}})
        assert moved["caseStatusSet"]["errors"] == [], moved
        version = moved["caseStatusSet"]["case"]["version"]
    return case["id"]


async def _fulfilled_order(gql) -> str:
    created = await gql.ok("admin", ORDER, {"input": {"contact": CONTACT, "lines": [
        {"product": gid("Product", "product", "CRM-SEAT"), "quantity": "1"}]}})
    order = created["orderCreate"]["order"]
    assert created["orderCreate"]["errors"] == [], created
    version = order["version"]
    for status in ("CONFIRMED", "FULFILLED"):
        moved = await gql.ok("admin", ORDER_STATUS, {"input": {
            "id": order["id"], "version": version, "status": status}})
        assert moved["orderStatusSet"]["errors"] == [], moved
        version = moved["orderStatusSet"]["order"]["version"]
    return order["id"]


async def test_survey_invitations_from_a_resolved_case_and_a_fulfilled_order(gql, app):
    # given a CSAT survey after cases and a CES survey after orders, and the job's cursor set
    csat = await make_survey(gql, "CSAT", trigger="CASE_RESOLVED")
    ces = await make_survey(gql, "CES", trigger="ORDER_FULFILLED")
    await _run(app)
    # when a case of the contact is resolved and an order of it fulfilled
    case, order = await _resolved_case(gql), await _fulfilled_order(gql)
    first = await _run(app)
    # then the contact is invited to each, about the case and the order
    assert first.invitations >= 2
    assert await _invitations(gql, csat["id"]) == [
        {"status": "PENDING", "contact": {"id": CONTACT}, "case": {"id": case}, "order": None}]
    assert await _invitations(gql, ces["id"]) == [
        {"status": "PENDING", "contact": {"id": CONTACT}, "case": None, "order": {"id": order}}]
    # and a case resolved again, or the job run again, invites no one twice
    reopened = await gql.ok("service", """query($id: ID!) { case(id: $id) { version } }""",
                            {"id": case})
    version = reopened["case"]["version"]
    for status in ("OPEN", "RESOLVED"):
        moved = await gql.ok("service", CASE_STATUS, {"input": {
            "id": case, "version": version, "status": status}})
        version = moved["caseStatusSet"]["case"]["version"]
    await _run(app)
    assert len(await _invitations(gql, csat["id"])) == 1
    assert len(await _invitations(gql, ces["id"])) == 1


async def test_survey_every_n_days_invites_once_per_period(gql, app):
    # given a periodic survey
    nps = await make_survey(gql, "NPS", trigger="EVERY_N_DAYS", everyDays=30)
    # when the job runs twice
    await _run(app)
    await _run(app)
    # then each contact it invited was invited once
    invited = [n["contact"]["id"] for n in await _invitations(gql, nps["id"])]
    assert invited and len(invited) == len(set(invited))
