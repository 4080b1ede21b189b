"""Cases through the API: the state machine, reopening, replies, time, bad input, access."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.api.cases_setup import (
    CREATE,
    STATUS,
    TIME,
    ok_payload,
    queue,
)
from tests.demo import CUSTOMER, DEMO_PARTNER_ACCOUNT, UNREGISTERED_ACCOUNT

BRIEF = """query($id: ID!) { case(id: $id) { id version status timeSpentMinutes } }"""
COMMENTS = """query($id: ID!) { case(id: $id) { id comments { id body visibility kind } } }"""
TIMELINE = """query($id: ID!) { timeline(recordId: $id) { nodes { id body visibility } } }"""
NODE = """query($id: ID!) { node(id: $id) { id ... on Activity { body } ... on Case { number } } }"""
ACTIVITY = """query($id: ID!) { activity(id: $id) { id body } }"""
LIST = """query($q: String!) { cases(filter: {subject: {startsWith: $q}}) {
  totalCount nodes { id number } } }"""
CUSTOMER_CREATE = """mutation($input: CaseCreateInput!) { caseCreate(input: $input) {
  case { id number status channel contact { id } } errors { field code message } } }"""
REPLY_IDS = """mutation($input: CaseReplyInput!) { caseReply(input: $input) {
  case { id comments { id visibility } } errors { field code message } } }"""


async def new_case(gql, role: str = "service", **values) -> dict:
    payload = await ok_payload(gql, role, CREATE, {"input": {
        "subject": "Invoice is wrong", "contact": CUSTOMER, **values}}, "caseCreate")
    return payload["case"]


async def move(gql, case: dict, status: str, role: str = "service") -> dict:
    data = await gql.ok(role, STATUS, {"input": {"id": case["id"], "version": case["version"],
                                                 "status": status}})
    return data["caseStatusSet"]


async def test_numbers_are_sequential_and_readable(gql):
    first, second = await new_case(gql), await new_case(gql)
    assert first["number"].startswith("CS-") and len(first["number"]) == 9
    assert int(second["number"][3:]) > int(first["number"][3:])
    assert first["status"] == "NEW" and first["type"] == "QUESTION"
    assert first["priority"] == "NORMAL" and first["channel"] == "WEB"


@pytest.mark.parametrize("path, allowed", [
    (["OPEN", "PENDING_CUSTOMER", "OPEN", "ON_HOLD", "RESOLVED", "CLOSED"], True),
    (["RESOLVED", "PENDING_CUSTOMER"], False),
    (["CLOSED", "RESOLVED"], False),
    (["OPEN", "NEW"], False),
    (["ON_HOLD", "ON_HOLD"], False),
])
async def test_status_moves_follow_the_state_machine(gql, path, allowed):
    case = await new_case(gql)
    for i, status in enumerate(path):
        payload = await move(gql, case, status)
        last = i == len(path) - 1
        if allowed or not last:
            assert payload["errors"] == [], payload
            case = payload["case"]
            continue
        assert payload["case"] is None
        assert payload["errors"][0]["code"] == "INVALID_TRANSITION"
        assert payload["errors"][0]["field"] == "status"
        unchanged = (await gql.ok("service", BRIEF, {"id": case["id"]}))["case"]
        assert unchanged["version"] == case["version"] and unchanged["status"] == case["status"]


async def test_a_case_reopens_within_seven_days_and_follows_up_after(clock_gql, clock):
    gql = clock_gql
    clock.set(datetime(2027, 1, 4, 9, tzinfo=UTC))
    case = await new_case(gql)
    resolved = (await move(gql, case, "RESOLVED"))["case"]
    clock.set(clock.now + timedelta(days=6, hours=23))
    reopened = (await move(gql, resolved, "OPEN"))["case"]
    assert reopened["id"] == case["id"] and reopened["status"] == "OPEN"
    assert reopened["resolvedAt"] is None

    resolved = (await move(gql, reopened, "RESOLVED"))["case"]
    clock.set(clock.now + timedelta(days=7, minutes=1))
    follow_up = (await move(gql, resolved, "OPEN"))["case"]
    assert follow_up["id"] != case["id"] and follow_up["status"] == "NEW"
    assert follow_up["previousCase"] == {"id": case["id"], "number": case["number"]}
    assert int(follow_up["number"][3:]) > int(case["number"][3:])
    original = (await gql.ok("service", BRIEF, {"id": case["id"]}))["case"]
    assert original["status"] == "RESOLVED" and original["version"] == resolved["version"]

    closed = (await move(gql, follow_up, "CLOSED"))["case"]
    again = (await move(gql, closed, "OPEN"))["case"]
    assert again["previousCase"]["id"] == follow_up["id"]


async def test_time_entries_add_up_and_bad_ones_write_nothing(gql):
    case = await new_case(gql)
    for minutes, note in ((25, "Reproduced"), (35, None)):
        await ok_payload(gql, "service", TIME, {"input": {
            "case": case["id"], "minutes": minutes, "note": note}}, "caseTimeLog")
    for minutes in (-5, 0, 1441):
        data = await gql.ok("service", TIME, {"input": {"case": case["id"],
                                                        "minutes": minutes}})
        assert [(e["field"], e["code"]) for e in data["caseTimeLog"]["errors"]] == [
            ("minutes", "INVALID")]
    read = (await gql.ok("service", """query($id: ID!) { case(id: $id) { timeSpentMinutes
      timeEntries { minutes note } } }""", {"id": case["id"]}))["case"]
    assert read == {"timeSpentMinutes": 60, "timeEntries": [
        {"minutes": 25, "note": "Reproduced"}, {"minutes": 35, "note": None}]}


async def test_bad_input_gets_its_code_and_writes_nothing(gql):
    before = (await gql.ok("service", LIST, {"q": "Unknown queue case"}))["cases"]["totalCount"]
    data = await gql.ok("service", CREATE, {"input": {
        "subject": "Unknown queue case", "contact": CUSTOMER,
        "queue": "Q2FzZVF1ZXVlOjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA"}})
    assert [(e["field"], e["code"]) for e in data["caseCreate"]["errors"]] == [
        ("queue", "NOT_FOUND")]
    data = await gql.ok("service", CREATE, {"input": {"subject": "  ", "contact": CUSTOMER}})
    assert [(e["field"], e["code"]) for e in data["caseCreate"]["errors"]] == [
        ("subject", "REQUIRED")]
    data = await gql.ok("service", CREATE, {"input": {"subject": "Nobody's case"}})
    assert [(e["field"], e["code"]) for e in data["caseCreate"]["errors"]] == [
        ("contact", "REQUIRED")]
    after = (await gql.ok("service", LIST, {"q": "Unknown queue case"}))["cases"]["totalCount"]
    assert after == before


async def test_a_queue_can_be_set_and_its_name_is_unique(gql):
    team = await queue(gql)
    case = await new_case(gql, queue=team)
    assert case["queue"] == {"id": team}


async def test_customers_open_their_own_cases_through_the_portal(gql):
    payload = await ok_payload(gql, "customer", CUSTOMER_CREATE, {"input": {
        "subject": "Where is my order?"}}, "caseCreate")
    assert payload["case"]["contact"] == {"id": CUSTOMER}
    assert payload["case"]["channel"] == "PORTAL"
    for field, value in (("priority", "URGENT"), ("assignee", None)):
        data = await gql.ok("customer", CUSTOMER_CREATE, {"input": {
            "subject": "Me first", field: value}})
        assert [(e["field"], e["code"]) for e in data["caseCreate"]["errors"]] == [
            (field, "FORBIDDEN")]


@pytest.mark.parametrize("role, allowed", [
    ("admin", True), ("service", True), ("sales", False), ("marketing", False),
    ("analyst", False), ("partner", False)])
async def test_who_opens_cases(gql, role, allowed):
    data = await gql.ok(role, CREATE.replace(
        "case {", "case { id } c2: case {", 0), {"input": {
            "subject": "Who may", "contact": CUSTOMER}})
    errors = data["caseCreate"]["errors"]
    assert (errors == []) is allowed, (role, errors)


@pytest.mark.parametrize("role, readable", [
    ("admin", True), ("service", True), ("sales", True), ("analyst", True),
    ("marketing", False), ("customer", True), ("other_partner", False)])
async def test_who_reads_a_case(gql, role, readable):
    case = await new_case(gql)
    result = await gql(role, BRIEF.replace(" timeSpentMinutes", ""), {"id": case["id"]})
    assert (result.data["case"] is not None) is readable, (role, result.body)


@pytest.mark.parametrize("role, allowed", [
    ("admin", True), ("service", True), ("sales", False), ("marketing", False),
    ("analyst", False)])
async def test_who_replies_and_logs_time(gql, role, allowed):
    case = await new_case(gql)
    reply = await gql(role, REPLY_IDS, {"input": {"case": case["id"], "body": "Hello"}})
    time = await gql(role, TIME.replace("timeEntries", "id timeEntries"), {"input": {
        "case": case["id"], "minutes": 5}})
    for result, field in ((reply, "caseReply"), (time, "caseTimeLog")):
        errors = result.data[field]["errors"] if result.data else result.errors
        assert (errors == []) is allowed, (role, field, result.body)


async def test_a_customer_never_sees_internal_comments_or_other_customers_cases(
        gql, resolver_gql):
    mine = await new_case(gql, subject="Printer on fire")
    theirs = await new_case(gql, subject="Printer on fire too", contact=None,
                            account=UNREGISTERED_ACCOUNT)
    internal = await ok_payload(gql, "service", REPLY_IDS, {"input": {
        "case": mine["id"], "body": "Customer seems upset", "visibility": "INTERNAL"}},
        "caseReply")
    public = await ok_payload(gql, "service", REPLY_IDS, {"input": {
        "case": mine["id"], "body": "We are on it", "visibility": "CUSTOMER"}}, "caseReply")
    comments = public["case"]["comments"]
    internal_id = next(c["id"] for c in comments if c["visibility"] == "INTERNAL")
    public_id = next(c["id"] for c in comments if c["visibility"] == "CUSTOMER")
    assert internal["case"]["comments"][0]["id"] == internal_id

    for client in (gql, resolver_gql):  # the compiled path and the resolvers alike
        seen = (await client.ok("customer", COMMENTS, {"id": mine["id"]}))["case"]
        assert [c["id"] for c in seen["comments"]] == [public_id]
        assert (await client.ok("customer", NODE, {"id": internal_id}))["node"] is None
        assert (await client.ok("customer", ACTIVITY, {"id": internal_id}))["activity"] is None
        assert (await client.ok("customer", ACTIVITY, {"id": public_id}))["activity"][
            "body"] == "We are on it"
        for record in (mine["id"], CUSTOMER):
            timeline = (await client.ok("customer", TIMELINE, {"id": record}))["timeline"]
            ids = [n["id"] for n in timeline["nodes"]]
            assert internal_id not in ids and public_id in ids, record
        assert (await client.ok("customer", BRIEF.replace(" timeSpentMinutes", ""),
                                {"id": theirs["id"]}))["case"] is None
        assert (await client.ok("customer", NODE, {"id": theirs["id"]}))["node"] is None
        found = (await client.ok("customer", LIST, {"q": "Printer on fire"}))["cases"]
        assert [n["id"] for n in found["nodes"]] == [mine["id"]]
        staff = (await client.ok("service", LIST, {"q": "Printer on fire"}))["cases"]
        assert staff["totalCount"] == 2
    # Marketing sees neither the cases nor what is said on them.
    assert (await gql.ok("marketing", ACTIVITY, {"id": public_id}))["activity"] is None
    assert (await gql.ok("marketing", NODE, {"id": mine["id"]}))["node"] is None


async def test_partners_read_the_cases_of_their_accounts_with_the_cases_scope(
        gql, app, principals):
    from auth.principal import Principal

    ours = await new_case(gql, contact=None, account=DEMO_PARTNER_ACCOUNT, subject="Partner")
    other = await new_case(gql, contact=None, account=UNREGISTERED_ACCOUNT, subject="Partner")
    partner = principals["partner"]
    scoped = app.state.tokens.issue(Principal.partner(
        partner.partner_id, [*partner.scopes, "cases:read"]))
    query = BRIEF.replace(" timeSpentMinutes", "")
    assert (await gql("partner", query, {"id": ours["id"]}, token=scoped)).data["case"][
        "id"] == ours["id"]
    assert (await gql("partner", query, {"id": other["id"]}, token=scoped)).data[
        "case"] is None
    assert (await gql.ok("partner", query, {"id": ours["id"]}))["case"] is None
    written = await gql("partner", STATUS, {"input": {"id": ours["id"], "version": 1,
                                                      "status": "OPEN"}}, token=scoped)
    assert written.data["caseStatusSet"]["errors"][0]["code"] in ("FORBIDDEN", "NOT_FOUND")


ARTICLE = """mutation($input: ArticleInput!) { articleSave(input: $input) {
  article { id version } errors { field code } } }"""
PUBLISH = """mutation($input: ArticlePublicationInput!) { articlePublish(input: $input) {
  article { id } errors { field code } } }"""
LINK = """mutation($input: CaseArticleInput!) { caseArticleLink(input: $input) {
  case { id articles { article { id } } } errors { field code } } }"""
LINKED = """query($id: ID!) { case(id: $id) { articles { article { id } } } }"""


async def _article(gql, visibility: str) -> str:
    saved = await ok_payload(gql, "admin", ARTICLE, {"input": {
        "title": f"Fix for case {visibility}", "body": "Restart it.",
        "visibility": visibility}}, "articleSave")
    article = saved["article"]
    await ok_payload(gql, "admin", PUBLISH, {"input": {"id": article["id"],
                                                       "version": article["version"]}},
                     "articlePublish")
    return article["id"]


async def test_articles_link_to_cases_and_show_only_to_whom_they_are_visible(gql):
    case = await new_case(gql)
    public, internal = await _article(gql, "PUBLIC"), await _article(gql, "INTERNAL")
    for article in (public, internal, public):  # linking twice keeps one link
        await ok_payload(gql, "service", LINK, {"input": {"case": case["id"],
                                                          "article": article}},
                         "caseArticleLink")
    staff = (await gql.ok("service", LINKED, {"id": case["id"]}))["case"]["articles"]
    assert [a["article"]["id"] for a in staff] == [public, internal]
    mine = (await gql.ok("customer", LINKED, {"id": case["id"]}))["case"]["articles"]
    assert [a["article"] and a["article"]["id"] for a in mine] == [public, None]
    await ok_payload(gql, "service", LINK, {"input": {
        "case": case["id"], "article": internal, "linked": False}}, "caseArticleLink")
    staff = (await gql.ok("service", LINKED, {"id": case["id"]}))["case"]["articles"]
    assert [a["article"]["id"] for a in staff] == [public]
    missing = await gql.ok("service", LINK, {"input": {"case": case["id"], "article": case[
        "id"].replace("Q2Fz", "QXJ0")}})
    assert missing["caseArticleLink"]["errors"][0]["code"] in ("NOT_FOUND", "INVALID")
    denied = await gql.ok("sales", LINK, {"input": {"case": case["id"], "article": public}})
    assert denied["caseArticleLink"]["errors"][0]["code"] == "FORBIDDEN"
