"""Surveys through HTTP as each role: who manages them, who reads invitations and responses,
the customer answering its own invitation (and not another's), staff recording responses and
correcting a comment's class."""

from __future__ import annotations

import pytest

from tests.api.surveys_setup import (
    CLASSIFY,
    CREATE,
    INVITATION,
    INVITE,
    OTHER_CONTACT,
    RECORD,
    RESPOND,
    UPDATE,
    codes,
    invite,
    make_survey,
)
from tests.demo import CUSTOMER, DEMO_ORDER

SERVQUAL_QUESTIONS = [
    {"key": "reliability_e", "text": "Promises kept?", "min": 1, "max": 7,
     "dimension": "RELIABILITY", "aspect": "EXPECTATION"},
    {"key": "reliability_p", "text": "Promises kept by us?", "min": 1, "max": 7,
     "dimension": "RELIABILITY", "aspect": "PERCEPTION"}]
LISTS = """{ surveys(first: 100) { totalCount } surveyResponses(first: 5) { totalCount }
  surveyInvitations(first: 5) { totalCount } }"""
RESPONSES = """{ surveyResponses(first: 100) { nodes { id contact { id } } } }"""
AUDIT = """query($id: ID!) { auditTrail(recordId: $id) { nodes { action
  changes { field after } } } }"""


@pytest.mark.parametrize("role", ["admin", "marketing", "service"])
async def test_survey_create_allowed_with_default_question(gql, role):
    # when a role that manages surveys creates an NPS survey without questions
    survey = await make_survey(gql, "NPS", role=role)
    # then it has the NPS question on 0 to 10, and is MANUAL and active
    assert [(q["key"], q["min"], q["max"]) for q in survey["questions"]] == [("nps", 0, 10)]
    assert (survey["trigger"], survey["active"]) == ("MANUAL", True)


@pytest.mark.parametrize("role", ["sales", "analyst", "partner", "customer"])
async def test_survey_create_denied(gql, role):
    result = await gql(role, CREATE, {"input": {"name": "Nope", "kind": "CSAT"}})
    assert "FORBIDDEN" in [e["code"] for e in result.data["surveyCreate"]["errors"]]


async def test_survey_servqual_needs_dimension_and_aspect(gql):
    bare = [{**q, "dimension": None} for q in SERVQUAL_QUESTIONS]
    data = await gql.ok("admin", CREATE, {"input": {"name": "SQ", "kind": "SERVQUAL",
                                                    "questions": bare}})
    assert ("questions[0].dimension", "REQUIRED") in codes(data["surveyCreate"])
    survey = await make_survey(gql, "SERVQUAL", questions=SERVQUAL_QUESTIONS)
    assert [q["key"] for q in survey["questions"]] == ["reliability_e", "reliability_p"]


async def test_survey_update_checks_version_and_period(gql):
    survey = await make_survey(gql, "CES")
    stale = await gql.ok("marketing", UPDATE, {"input": {"id": survey["id"], "version": 99,
                                                         "active": False}})
    assert codes(stale["surveyUpdate"]) == [("version", "STALE_VERSION")]
    periodless = await gql.ok("marketing", UPDATE, {"input": {
        "id": survey["id"], "version": survey["version"], "trigger": "EVERY_N_DAYS"}})
    assert codes(periodless["surveyUpdate"]) == [("everyDays", "REQUIRED")]
    done = await gql.ok("marketing", UPDATE, {"input": {
        "id": survey["id"], "version": survey["version"], "trigger": "EVERY_N_DAYS",
        "everyDays": 90}})
    assert (done["surveyUpdate"]["survey"]["everyDays"], done["surveyUpdate"]["errors"]) == (90, [])


@pytest.mark.parametrize(("role", "reads"), [
    ("admin", True), ("sales", True), ("marketing", True), ("service", True),
    ("analyst", True), ("partner", False)])
async def test_survey_lists_by_role(gql, role, reads):
    # given the demo's surveys and responses
    result = await gql(role, LISTS)
    # then staff list them, and partners see nothing of surveys
    counts = [result.data and result.data[k] and result.data[k]["totalCount"]
              for k in ("surveys", "surveyResponses", "surveyInvitations")]
    assert all(counts) if reads else not any(counts)


async def test_customer_answers_own_invitation_once(gql):
    # given a CSAT invitation to the customer about a demo order
    survey = await make_survey(gql)
    invitation = await invite(gql, survey["id"], CUSTOMER, order=DEMO_ORDER)
    # then the customer lists it among its pending invitations
    pending = await gql.ok("customer", """{ surveyInvitations(filter: {status: {eq: PENDING}},
        first: 100) { nodes { id survey { name questions { key } } } } }""")
    assert invitation["id"] in [n["id"] for n in pending["surveyInvitations"]["nodes"]]
    # when it answers
    answer = {"invitation": invitation["id"], "answers": [{"key": "csat", "value": 2}],
              "comment": "The delivery arrived damaged."}
    data = await gql.ok("customer", RESPOND, {"input": answer})
    response = data["surveyRespond"]["surveyResponse"]
    assert data["surveyRespond"]["errors"] == []
    assert (response["score"], response["channel"]) == (2, "PORTAL")
    assert response["invitation"]["status"] == "RESPONDED"
    # and staff read it, classified as a complaint, with the order it is about
    staff = await gql.ok("service", f"""{{ surveyResponse(id: "{response['id']}") {{
        commentClass classifiedBy order {{ id }} contact {{ id }} }} }}""")
    assert staff["surveyResponse"] == {"commentClass": "ERROR", "classifiedBy": "AUTO",
                                       "order": {"id": DEMO_ORDER}, "contact": {"id": CUSTOMER}}
    # and a second answer is refused
    again = await gql.ok("customer", RESPOND, {"input": answer})
    assert codes(again["surveyRespond"]) == [("invitation", "ALREADY_ANSWERED")]


async def test_customer_answer_checked_against_the_questions(gql):
    survey = await make_survey(gql)
    invitation = await invite(gql, survey["id"], CUSTOMER)
    data = await gql.ok("customer", RESPOND, {"input": {
        "invitation": invitation["id"], "answers": [{"key": "csat", "value": 9}]}})
    assert codes(data["surveyRespond"]) == [("answers[0].value", "INVALID")]
    data = await gql.ok("customer", RESPOND, {"input": {
        "invitation": invitation["id"], "answers": [{"key": "other", "value": 1}]}})
    assert codes(data["surveyRespond"]) == [("answers[0].key", "INVALID")]


async def test_customer_cannot_see_or_answer_anothers_invitation(gql):
    # given an invitation to another contact
    survey = await make_survey(gql)
    invitation = await invite(gql, survey["id"], OTHER_CONTACT)
    # then to the customer it does not exist: null when read, NOT_FOUND when answered
    read = await gql.ok("customer", INVITATION, {"id": invitation["id"]})
    assert read["surveyInvitation"] is None
    data = await gql.ok("customer", RESPOND, {"input": {
        "invitation": invitation["id"], "answers": [{"key": "csat", "value": 5}]}})
    assert codes(data["surveyRespond"]) == [("invitation", "NOT_FOUND")]
    # and it reads only its own responses
    mine = await gql.ok("customer", RESPONSES)
    assert {n["contact"]["id"] for n in mine["surveyResponses"]["nodes"]} == {CUSTOMER}


@pytest.mark.parametrize("role", ["admin", "sales", "marketing", "service", "analyst"])
async def test_survey_respond_denied_to_staff(gql, role):
    survey = await make_survey(gql)
    invitation = await invite(gql, survey["id"], CUSTOMER)
    data = await gql.ok(role, RESPOND, {"input": {
        "invitation": invitation["id"], "answers": [{"key": "csat", "value": 5}]}})
    assert codes(data["surveyRespond"]) == [(None, "FORBIDDEN")]


@pytest.mark.parametrize(("role", "allowed"), [
    ("admin", True), ("marketing", True), ("service", True), ("sales", False),
    ("analyst", False), ("partner", False), ("customer", False)])
async def test_survey_invite_by_role(gql, role, allowed):
    survey = await make_survey(gql)
    data = await gql(role, INVITE, {"input": {"survey": survey["id"], "contact": OTHER_CONTACT}})
    payload = data.data["surveyInvite"]
    assert (payload["errors"] == []) is allowed
    assert allowed or "FORBIDDEN" in [e["code"] for e in payload["errors"]]


async def test_survey_invite_once_per_survey_contact_and_subject(gql):
    survey = await make_survey(gql)
    await invite(gql, survey["id"], OTHER_CONTACT, order=DEMO_ORDER)
    data = await gql.ok("admin", INVITE, {"input": {"survey": survey["id"],
                                                    "contact": OTHER_CONTACT,
                                                    "order": DEMO_ORDER}})
    assert codes(data["surveyInvite"]) == [("contact", "CONFLICT")]


@pytest.mark.parametrize(("role", "allowed"), [
    ("admin", True), ("marketing", True), ("service", True), ("sales", False),
    ("analyst", False), ("partner", False), ("customer", False)])
async def test_survey_response_record_by_role(gql, role, allowed):
    survey = await make_survey(gql, "NPS")
    data = await gql(role, RECORD, {"input": {
        "survey": survey["id"], "contact": OTHER_CONTACT, "answers": [{"key": "nps", "value": 10}],
        "comment": "Ich wünsche mir eine Exportfunktion."}})
    payload = data.data["surveyResponseRecord"]
    if not allowed:
        assert "FORBIDDEN" in [e["code"] for e in payload["errors"]]
        return
    response = payload["surveyResponse"]
    assert (response["score"], response["channel"], response["commentClass"]) == (
        10, "STAFF", "WISH")
    # and its audit entry holds what was recorded
    trail = await gql.ok("admin", AUDIT, {"id": response["id"]})
    [entry] = trail["auditTrail"]["nodes"]
    assert entry["action"] == "create"
    assert {"field": "score", "after": 10} in entry["changes"]


async def test_survey_response_record_closes_the_invitation(gql):
    survey = await make_survey(gql, "SERVQUAL", questions=SERVQUAL_QUESTIONS)
    invitation = await invite(gql, survey["id"], OTHER_CONTACT, order=DEMO_ORDER)
    data = await gql.ok("service", RECORD, {"input": {
        "survey": survey["id"], "contact": OTHER_CONTACT, "invitation": invitation["id"],
        "answers": [{"key": "reliability_e", "value": 7}, {"key": "reliability_p", "value": 4}]}})
    response = data["surveyResponseRecord"]["surveyResponse"]
    assert response["score"] is None and response["order"] == {"id": DEMO_ORDER}
    assert [(a["key"], a["dimension"], a["aspect"]) for a in response["answers"]] == [
        ("reliability_e", "RELIABILITY", "EXPECTATION"),
        ("reliability_p", "RELIABILITY", "PERCEPTION")]
    assert response["invitation"]["status"] == "RESPONDED"


@pytest.mark.parametrize(("role", "allowed"), [
    ("admin", True), ("marketing", True), ("service", True), ("sales", False),
    ("analyst", False), ("partner", False), ("customer", False)])
async def test_survey_response_classify_by_role(gql, role, allowed):
    # given a recorded response whose comment the rules read as a question
    survey = await make_survey(gql)
    recorded = await gql.ok("admin", RECORD, {"input": {
        "survey": survey["id"], "contact": CUSTOMER, "answers": [{"key": "csat", "value": 3}],
        "comment": "Где найти счёт?"}})
    response = recorded["surveyResponseRecord"]["surveyResponse"]
    assert response["commentClass"] == "QUESTION"
    # when the role says it is a complaint
    data = await gql(role, CLASSIFY, {"input": {"id": response["id"],
                                                "version": response["version"],
                                                "commentClass": "ERROR"}})
    payload = data.data["surveyResponseClassify"]
    if not allowed:
        assert payload["errors"] and payload["errors"][0]["code"] in ("FORBIDDEN", "NOT_FOUND")
        return
    assert payload["surveyResponse"]["commentClass"] == "ERROR"
    assert payload["surveyResponse"]["classifiedBy"] == "STAFF"
    trail = await gql.ok("admin", AUDIT, {"id": response["id"]})
    assert [e["action"] for e in trail["auditTrail"]["nodes"]].count("classify") == 1


ARCHIVE = """mutation($input: ArchiveInput!) { surveyArchive(input: $input) {
  survey { archivedAt } errors { field code } } }"""


@pytest.mark.parametrize(("role", "allowed"), [
    ("admin", True), ("marketing", True), ("service", True), ("sales", False),
    ("analyst", False), ("partner", False), ("customer", False)])
async def test_survey_update_and_archive_by_role(gql, role, allowed):
    survey = await make_survey(gql)
    updated = (await gql(role, UPDATE, {"input": {"id": survey["id"], "version": survey["version"],
                                                  "name": "Renamed"}})).data["surveyUpdate"]
    assert (updated["errors"] == []) is allowed
    version = updated["survey"]["version"] if allowed else survey["version"]
    archived = (await gql(role, ARCHIVE, {"input": {"id": survey["id"], "version": version}})
                ).data["surveyArchive"]
    assert (archived["errors"] == []) is allowed
    if not allowed:
        assert {e["code"] for e in updated["errors"] + archived["errors"]} <= {"FORBIDDEN",
                                                                              "NOT_FOUND"}


async def test_customer_reads_only_what_it_answers_with(gql):
    # given a survey the customer is invited to, and one it is not
    invited, other = await make_survey(gql), await make_survey(gql)
    await invite(gql, invited["id"], CUSTOMER)
    query = """query($id: ID!) { survey(id: $id) { name questions { key } } }"""
    # then it reads the first's questions, and the second does not exist for it
    seen = await gql.ok("customer", query, {"id": invited["id"]})
    assert seen["survey"]["questions"] == [{"key": "csat"}]
    assert (await gql.ok("customer", query, {"id": other["id"]}))["survey"] is None
    # and neither a survey's trigger nor a comment's class is for it to read
    trigger = await gql("customer", """query($id: ID!) { survey(id: $id) { trigger } }""",
                        {"id": invited["id"]})
    assert trigger.error_codes() == ["FORBIDDEN"]
    classes = await gql("customer", "{ surveyResponses(first: 1) { nodes { commentClass } } }")
    assert classes.error_codes() == ["FORBIDDEN"]
