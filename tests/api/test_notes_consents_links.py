"""Notes, consents and account links: who may write them, and what the audit trail shows."""

from __future__ import annotations

from tests.demo import CUSTOMER, DEMO_PARTNER_ACCOUNT

NOTES = """query($id: ID!) { node(id: $id) { ... on Contact { notes(first: 10) {
  totalCount nodes { body author { email } } } } ... on Account { notes(first: 10) {
  totalCount nodes { body } } } } }"""
NOTE = """mutation($input: NoteCreateInput!) {
  noteCreate(input: $input) { note { id body author { email } } errors { field code message } } }"""
GRANT = """mutation($input: ConsentInput!) { consentGrant(input: $input) {
  consent { id channel purpose status source version } errors { field code message } } }"""
WITHDRAW = """mutation($input: ConsentInput!) { consentWithdraw(input: $input) {
  consent { id status version } errors { field code } } }"""
TRAIL = """query($id: ID!) { auditTrail(recordId: $id, first: 20) { nodes {
  action recordType recordId actor changes { field before after } } } }"""
LINK = """mutation($input: AccountContactLinkInput!) { accountContactLink(input: $input) {
  contact { accounts(first: 10) { edges { jobTitle isDecisionMaker node { id } } } }
  errors { field code } } }"""
UNLINK = """mutation($input: AccountContactUnlinkInput!) { accountContactUnlink(input: $input) {
  contact { accounts(first: 10) { totalCount } } errors { field code } } }"""


async def test_note_is_written_by_its_author_and_listed_newest_first(gql, factories):
    contact = await factories.contact("sales")  # owned by the sales user, who writes below
    await factories.note(contact["id"], "first", role="service")
    data = await gql.ok("sales", NOTE, {"input": {"recordId": contact["id"], "body": "second"}})
    assert data["noteCreate"]["note"]["author"]["email"] == "sales@example.com"
    notes = (await gql.ok("admin", NOTES, {"id": contact["id"]}))["node"]["notes"]
    assert notes["totalCount"] == 2
    assert [n["body"] for n in notes["nodes"]] == ["second", "first"]


async def test_note_on_an_account_and_bad_input(gql, factories):
    account = await factories.account()
    ok = await gql.ok("service", NOTE, {"input": {"recordId": account["id"], "body": "Call back"}})
    assert ok["noteCreate"]["errors"] == []
    empty = await gql.ok("service", NOTE, {"input": {"recordId": account["id"], "body": "  "}})
    assert [(e["field"], e["code"]) for e in empty["noteCreate"]["errors"]] == [("body", "REQUIRED")]
    missing = await gql.ok("service", NOTE, {"input": {
        "recordId": "QWNjb3VudDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA", "body": "x"}})
    assert [(e["field"], e["code"]) for e in missing["noteCreate"]["errors"]] == [
        ("recordId", "NOT_FOUND")]
    notes = (await gql.ok("admin", NOTES, {"id": account["id"]}))["node"]["notes"]
    assert notes["totalCount"] == 1


async def test_marketing_may_not_write_notes(gql, factories):
    contact = await factories.contact()
    data = await gql.ok("marketing", NOTE, {"input": {"recordId": contact["id"], "body": "x"}})
    assert [e["code"] for e in data["noteCreate"]["errors"]] == ["FORBIDDEN"]


async def test_consent_grant_then_withdraw_keeps_one_row_and_audits_both(gql, factories):
    contact = await factories.contact()
    consent = {"contactId": contact["id"], "channel": "SMS", "purpose": "Newsletter",
               "source": "web-form:signup"}
    granted = (await gql.ok("marketing", GRANT, {"input": consent}))["consentGrant"]["consent"]
    assert (granted["status"], granted["purpose"], granted["version"]) == ("GRANTED", "newsletter", 1)
    withdrawn = (await gql.ok("marketing", WITHDRAW, {"input": consent}))["consentWithdraw"]["consent"]
    assert withdrawn["id"] == granted["id"]
    assert (withdrawn["status"], withdrawn["version"]) == ("WITHDRAWN", 2)
    trail = (await gql.ok("admin", TRAIL, {"id": contact["id"]}))["auditTrail"]["nodes"]
    consent_entries = [e for e in trail if e["recordType"] == "Consent"]
    assert [e["action"] for e in consent_entries] == ["withdraw", "grant"]
    assert {c["field"]: (c["before"], c["after"]) for c in consent_entries[0]["changes"]}[
        "status"] == ("GRANTED", "WITHDRAWN")


async def test_consent_with_bad_purpose_or_source_is_refused(gql, factories):
    contact = await factories.contact()
    data = await gql.ok("admin", GRANT, {"input": {"contactId": contact["id"], "channel": "EMAIL",
                                                   "purpose": "no spaces please", "source": ""}})
    assert sorted((e["field"], e["code"]) for e in data["consentGrant"]["errors"]) == [
        ("purpose", "INVALID"), ("source", "REQUIRED")]


async def test_customer_manages_own_consents(gql):
    data = await gql.ok("customer", GRANT, {"input": {
        "contactId": CUSTOMER, "channel": "POST", "purpose": "events", "source": "portal"}})
    assert data["consentGrant"]["errors"] == []
    consents = (await gql.ok("customer", "query($id: ID!) { contact(id: $id) { consents { "
                             "channel purpose status } } }", {"id": CUSTOMER}))["contact"]["consents"]
    assert {"channel": "POST", "purpose": "events", "status": "GRANTED"} in consents


async def test_link_updates_role_and_unlink_archives_it(gql, factories):
    contact = await factories.contact("sales")
    link = {"accountId": DEMO_PARTNER_ACCOUNT, "contactId": contact["id"]}
    first = await gql.ok("sales", LINK, {"input": {**link, "jobTitle": "Buyer"}})
    again = await gql.ok("sales", LINK, {"input": {**link, "jobTitle": "CFO",
                                                   "isDecisionMaker": True}})
    edges = again["accountContactLink"]["contact"]["accounts"]["edges"]
    assert first["accountContactLink"]["errors"] == []
    assert [(e["jobTitle"], e["isDecisionMaker"], e["node"]["id"]) for e in edges] == [
        ("CFO", True, DEMO_PARTNER_ACCOUNT)]
    gone = await gql.ok("sales", UNLINK, {"input": link})
    assert gone["accountContactUnlink"]["contact"]["accounts"]["totalCount"] == 0
    twice = await gql.ok("sales", UNLINK, {"input": link})
    assert [(e["field"], e["code"]) for e in twice["accountContactUnlink"]["errors"]] == [
        ("accountId", "NOT_FOUND")]
    trail = (await gql.ok("admin", TRAIL, {"id": contact["id"]}))["auditTrail"]["nodes"]
    assert [e["action"] for e in trail if e["recordType"] == "AccountContact"] == [
        "unlink", "update", "link"]


async def test_analyst_may_not_link(gql, factories):
    contact = await factories.contact()
    data = await gql.ok("analyst", LINK, {"input": {"accountId": DEMO_PARTNER_ACCOUNT,
                                                    "contactId": contact["id"]}})
    assert [(e["field"], e["code"]) for e in data["accountContactLink"]["errors"]] == [
        ("accounts", "FORBIDDEN")]


async def test_audit_entry_names_the_actor_and_global_ids(gql, factories, principals):
    from tests.demo import SALES_USER

    account = await factories.account()
    contact = await factories.contact("sales")
    await factories.link(account["id"], contact["id"])
    trail = (await gql.ok("admin", TRAIL, {"id": contact["id"]}))["auditTrail"]["nodes"]
    created = [e for e in trail if e["action"] == "create"][0]
    assert created["actor"] == SALES_USER and created["recordId"] == contact["id"]
    changes = {c["field"]: c["after"] for c in created["changes"]}
    assert changes["owner"] == SALES_USER
    link = [e for e in trail if e["action"] == "link"][0]
    assert {c["field"]: c["after"] for c in link["changes"]}["account"] == account["id"]
