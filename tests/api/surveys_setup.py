"""What the survey tests share: their operations, and a survey and invitations of their own."""

from __future__ import annotations

import itertools

from tests.demo import gid

SURVEY_FIELDS = "id version name kind trigger everyDays active questions { key text min max }"
CREATE = f"""mutation($input: SurveyCreateInput!) {{ surveyCreate(input: $input) {{
  survey {{ {SURVEY_FIELDS} }} errors {{ field code message }} }} }}"""
UPDATE = f"""mutation($input: SurveyUpdateInput!) {{ surveyUpdate(input: $input) {{
  survey {{ {SURVEY_FIELDS} }} errors {{ field code message }} }} }}"""
INVITE = """mutation($input: SurveyInviteInput!) { surveyInvite(input: $input) {
  surveyInvitation { id status expiresAt survey { id } contact { id } case { id } }
  errors { field code message } } }"""
RESPOND = """mutation($input: SurveyRespondInput!) { surveyRespond(input: $input) {
  surveyResponse { id score channel comment answers { key value } invitation { id status } }
  errors { field code message } } }"""
RESPONSE_FIELDS = """id version score channel comment commentClass classifiedBy respondedAt
  answers { key value dimension aspect } survey { id } contact { id } invitation { id status }
  case { id } order { id } product { id }"""
RECORD = f"""mutation($input: SurveyResponseRecordInput!) {{ surveyResponseRecord(input: $input) {{
  surveyResponse {{ {RESPONSE_FIELDS} }} errors {{ field code message }} }} }}"""
CLASSIFY = """mutation($input: SurveyResponseClassifyInput!) { surveyResponseClassify(input: $input) {
  surveyResponse { id version commentClass classifiedBy } errors { field code } } }"""
LINK = """mutation($id: ID!) { surveyLink(invitationId: $id) { token expiresAt
  errors { field code } } }"""
BY_LINK = """mutation($token: String!, $input: SurveyAnswersInput!) {
  surveyRespondByLink(token: $token, input: $input) { answered errors { field code message } } }"""
INVITATION = """query($id: ID!) { surveyInvitation(id: $id) { id status respondedAt } }"""
OTHER_CONTACT = gid("Contact", "contact", 5)
_names = itertools.count(1)


async def make_survey(gql, kind: str = "CSAT", role: str = "admin", **values) -> dict:
    """A new survey of the kind, as `role` creates it."""
    data = await gql.ok(role, CREATE, {"input": {"name": f"Survey {next(_names)}",
                                                 "kind": kind, **values}})
    payload = data["surveyCreate"]
    assert payload["errors"] == [], payload
    return payload["survey"]


async def invite(gql, survey_id: str, contact_id: str, role: str = "admin", **about) -> dict:
    data = await gql.ok(role, INVITE, {"input": {"survey": survey_id, "contact": contact_id,
                                                 **about}})
    payload = data["surveyInvite"]
    assert payload["errors"] == [], payload
    return payload["surveyInvitation"]


def codes(payload: dict) -> list[tuple]:
    return [(e["field"], e["code"]) for e in payload["errors"]]
