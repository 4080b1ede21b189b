"""contactMerge and accountMerge through HTTP: the dry run, survivorship, references moved and
united, the merged records archived with mergedInto, and the audit trail of it all."""

from __future__ import annotations

import itertools
import uuid

from sqlalchemy import text

from api.schema.ids import from_global_id

_n = itertools.count(1)

MERGE = """mutation($input: MergeInput!) { contactMerge(input: $input) {
  record { id version firstName lastName emails { address primary } phones { number }
    accounts(first: 10) { edges { node { id } } } consents { channel purpose status }
    tags { name } }
  merge { id survivor merged references { kind count } }
  fields { field value from }
  references { kind recordType count ids archivedIds }
  errors { field code message } } }"""
ACCOUNT_MERGE = """mutation($input: MergeInput!) { accountMerge(input: $input) {
  record { id name industry } merge { id } references { kind count ids }
  errors { field code } } }"""
READ = """query($id: ID!) { node(id: $id) { id ... on Contact { version archivedAt
  mergedInto { id } notes(first: 5) { nodes { id } } } } }"""
NOTE = """mutation($input: NoteCreateInput!) { noteCreate(input: $input) {
  note { id } errors { code } } }"""
GRANT = """mutation($input: ConsentInput!) { consentGrant(input: $input) { errors { code } } }"""
WITHDRAW = """mutation($input: ConsentInput!) { consentWithdraw(input: $input) {
  errors { code } } }"""
TAG_CREATE = """mutation($input: TagCreateInput!) { tagCreate(input: $input) {
  tag { id } errors { code } } }"""
TAG = """mutation($input: TaggingInput!) { tag(input: $input) { errors { code } } }"""
TRAIL = """query($id: ID!) { auditTrail(recordId: $id, first: 20) { nodes {
  action recordType changes { field before after } } } }"""
OPPORTUNITY = """mutation($input: OpportunityCreateInput!) { opportunityCreate(input: $input) {
  opportunity { id account { id } } errors { code } } }"""
DEAL = """query($id: ID!) { node(id: $id) { ... on Opportunity { account { id } } } }"""


def merge_input(survivor: str, *merged: str, **more) -> dict:
    return {"input": {"survivor": survivor, "merged": list(merged), **more}}


async def two_contacts(factories) -> tuple[dict, dict]:
    n = next(_n)
    survivor = await factories.contact(firstName=None, lastName=f"Merge{n}",
                                       emails=[{"address": f"kept{n}@merge.example.com"}])
    merged = await factories.contact(firstName="Ann", lastName=f"Merged{n}",
                                     emails=[{"address": f"other{n}@merge.example.com"}],
                                     phones=[{"number": "+14155550100"}])
    return survivor, merged


async def test_contact_merge_dry_run_answers_the_merge_and_writes_nothing(gql, factories):
    # given two contacts, the one to be merged with a note
    survivor, merged = await two_contacts(factories)
    note = (await gql.ok("admin", NOTE, {"input": {"recordId": merged["id"],
                                                   "body": "Call back."}}))["noteCreate"]["note"]
    # when an admin asks for a dry run
    data = (await gql.ok("admin", MERGE, merge_input(survivor["id"], merged["id"],
                                                     dryRun=True)))["contactMerge"]
    # then it answers the record as it would be, field by field, and the references to move
    assert data["errors"] == [] and data["merge"] is None
    fields = {f["field"]: f for f in data["fields"]}
    assert fields["lastName"]["from"] == survivor["id"]
    assert fields["firstName"] == {"field": "firstName", "value": "Ann", "from": merged["id"]}
    assert [e["primary"] for e in fields["emails"]["value"]] == [True, False]
    notes = next(r for r in data["references"] if r["kind"] == "note.record_id")
    assert notes["count"] == 1 and notes["ids"] == [note["id"]]
    # and nothing was written: the survivor and the merged contact are as they were
    assert data["record"]["firstName"] is None and data["record"]["version"] == survivor["version"]
    after = (await gql.ok("admin", READ, {"id": merged["id"]}))["node"]
    assert after["archivedAt"] is None and after["mergedInto"] is None
    assert [n["id"] for n in after["notes"]["nodes"]] == [note["id"]]


async def test_contact_merge_unites_and_moves_references(gql, factories):
    # given two contacts sharing one account, each with its own account, tags and consents
    survivor, merged = await two_contacts(factories)
    shared, own = await factories.account(), await factories.account()
    for contact in (survivor, merged):
        await factories.link(shared["id"], contact["id"])
    await factories.link(own["id"], merged["id"])
    n = next(_n)
    vip, lapsed = [(await gql.ok("admin", TAG_CREATE, {"input": {
        "kind": "CONTACT", "name": f"{name}{n}"}}))["tagCreate"]["tag"]["id"]
        for name in ("Vip", "Lapsed")]
    await gql.ok("admin", TAG, {"input": {"record": survivor["id"], "tags": [vip]}})
    await gql.ok("admin", TAG, {"input": {"record": merged["id"], "tags": [vip, lapsed]}})
    consent = {"channel": "EMAIL", "purpose": "newsletter", "source": "test"}
    await gql.ok("admin", GRANT, {"input": {"contactId": survivor["id"], **consent}})
    await gql.ok("admin", WITHDRAW, {"input": {"contactId": merged["id"], **consent}})
    # when they are merged
    data = (await gql.ok("admin", MERGE, merge_input(survivor["id"], merged["id"])))[
        "contactMerge"]
    # then the survivor holds the values, the emails and phones of both, one primary
    assert data["errors"] == []
    record = data["record"]
    assert record["firstName"] == "Ann" and record["lastName"] == survivor["lastName"]
    assert [e["primary"] for e in record["emails"]] == [True, False]
    assert record["phones"] == [{"number": "+14155550100"}]
    # and the accounts and tags united, without duplicates, the most restrictive consent
    accounts = sorted(e["node"]["id"] for e in record["accounts"]["edges"])
    assert accounts == sorted([shared["id"], own["id"]])
    assert sorted(t["name"] for t in record["tags"]) == [f"Lapsed{n}", f"Vip{n}"]
    assert record["consents"] == [{"channel": "EMAIL", "purpose": "newsletter",
                                   "status": "WITHDRAWN"}]
    links = next(r for r in data["references"] if r["kind"] == "account_contact.contact_id")
    assert links["count"] == 1 and len(links["archivedIds"]) == 1
    # and the merged contact is archived, pointing at the survivor
    gone = (await gql.ok("admin", READ, {"id": merged["id"]}))["node"]
    assert gone["archivedAt"] is not None and gone["mergedInto"] == {"id": survivor["id"]}
    assert data["merge"]["survivor"] == survivor["id"]
    assert data["merge"]["merged"] == [merged["id"]]


async def test_contact_merge_field_choices_pick_the_value(gql, factories):
    # given two contacts with different last names
    survivor, merged = await two_contacts(factories)
    # when the merged one's last name is chosen
    choices = [{"field": "lastName", "from": merged["id"]}]
    data = (await gql.ok("admin", MERGE, merge_input(survivor["id"], merged["id"],
                                                     fieldChoices=choices)))["contactMerge"]
    # then the survivor takes it
    assert data["errors"] == [] and data["record"]["lastName"] == merged["lastName"]


async def test_contact_merge_shows_in_the_audit_trail(gql, factories):
    # given two contacts, and a note on the one merged
    survivor, merged = await two_contacts(factories)
    await gql.ok("admin", NOTE, {"input": {"recordId": merged["id"], "body": "Hello."}})
    # when they are merged
    await gql.ok("admin", MERGE, merge_input(survivor["id"], merged["id"]))
    # then both trails say so, with the fields that changed
    kept = (await gql.ok("admin", TRAIL, {"id": survivor["id"]}))["auditTrail"]["nodes"]
    changed = [{c["field"] for c in e["changes"]} for e in kept if e["action"] == "merge"]
    assert {"firstName", "phones"} <= set().union(*changed)
    gone = (await gql.ok("admin", TRAIL, {"id": merged["id"]}))["auditTrail"]["nodes"]
    assert gone[0]["action"] == "merge"
    assert {c["field"] for c in gone[0]["changes"]} == {"archived", "mergedInto"}


async def test_contact_merge_refuses_a_wrong_number_of_records(gql, factories):
    survivor, _ = await two_contacts(factories)
    data = (await gql.ok("admin", MERGE, merge_input(survivor["id"])))["contactMerge"]
    assert [(e["field"], e["code"]) for e in data["errors"]] == [("merged", "INVALID")]
    too_many = merge_input(survivor["id"], *[survivor["id"]] * 50)
    data = (await gql.ok("admin", MERGE, too_many))["contactMerge"]
    assert "INVALID" in {e["code"] for e in data["errors"]}


async def test_contact_merge_refuses_a_record_merged_already(gql, factories):
    survivor, merged = await two_contacts(factories)
    await gql.ok("admin", MERGE, merge_input(survivor["id"], merged["id"]))
    data = (await gql.ok("admin", MERGE, merge_input(survivor["id"], merged["id"])))[
        "contactMerge"]
    assert [(e["field"], e["code"]) for e in data["errors"]] == [("merged[0]", "CONFLICT")]


async def test_account_merge_moves_deals_and_contacts(gql, factories):
    # given two accounts, a deal on the one merged and a contact in it
    survivor, merged = await factories.account(), await factories.account(industry="Retail")
    deal = (await gql.ok("admin", OPPORTUNITY, {"input": {
        "account": merged["id"], "name": "Merged deal"}}))["opportunityCreate"]
    assert deal["errors"] == []
    contact = await factories.contact()
    await factories.link(merged["id"], contact["id"])
    # when they are merged
    data = (await gql.ok("admin", ACCOUNT_MERGE, merge_input(survivor["id"], merged["id"])))[
        "accountMerge"]
    # then the survivor took the empty industry, the deal and the contact
    assert data["errors"] == [] and data["record"]["industry"] == "Retail"
    kinds = {r["kind"]: r["count"] for r in data["references"]}
    assert kinds["opportunity.account_id"] == 1 and kinds["account_contact.account_id"] == 1
    moved = (await gql.ok("admin", DEAL, {"id": deal["opportunity"]["id"]}))["node"]
    assert moved["account"] == {"id": survivor["id"]}


async def test_contact_merge_is_in_the_change_feed_in_one_transaction(app, gql, factories):
    # given two contacts, the one merged with a note and an account it shares with the other
    survivor, merged = await two_contacts(factories)
    shared = await factories.account()
    for contact in (survivor, merged):
        await factories.link(shared["id"], contact["id"])
    await gql.ok("admin", NOTE, {"input": {"recordId": merged["id"], "body": "Moved."}})
    # when they are merged
    data = (await gql.ok("admin", MERGE, merge_input(survivor["id"], merged["id"])))[
        "contactMerge"]
    # then the merge record lists the note moved and the shared link left archived
    kinds = {r["kind"]: r for r in data["merge"]["references"]}
    assert kinds["note.record_id"]["count"] == 1
    # and the change feed holds the merge of both contacts and of the rows it touched, all
    # written by one transaction (one xmin for their audit entries)
    ids = [str(from_global_id(c["id"])[1]) for c in (survivor, merged)]
    async with app.state.engine.begin() as conn:
        rows = (await conn.execute(text(
            "SELECT e.record_type, count(DISTINCT a.xmin::text) AS transactions FROM "
            "change_event e JOIN audit_entry a ON a.record_id = e.record_id "
            "AND a.action = 'merge' WHERE e.action = 'merge' AND (e.record_id = ANY(:ids) "
            "OR e.parent_id = ANY(:ids)) GROUP BY e.record_type"),
            {"ids": [uuid.UUID(i) for i in ids]})).all()
    assert {r.record_type for r in rows} == {"Contact", "Note", "AccountContact"}
    assert all(r.transactions == 1 for r in rows)


ACCOUNT_PARENT = """query($id: ID!) { node(id: $id) { ... on Account { parent { id } } } }"""


async def test_account_merge_never_makes_a_cycle_of_parents(gql, factories):
    # given a survivor, its child, a merged account under that child, and its own child
    survivor = await factories.account()
    child = await factories.account(parent=survivor["id"])
    merged = await factories.account(parent=child["id"])
    grandchild = await factories.account(parent=merged["id"])
    # when the merged account is merged into the survivor
    data = (await gql.ok("admin", ACCOUNT_MERGE, merge_input(survivor["id"], merged["id"])))[
        "accountMerge"]
    # then the survivor does not take a parent below itself, and the merged one's child moved
    assert data["errors"] == []
    assert (await gql.ok("admin", ACCOUNT_PARENT, {"id": survivor["id"]}))["node"] == {
        "parent": None}
    assert (await gql.ok("admin", ACCOUNT_PARENT, {"id": grandchild["id"]}))["node"] == {
        "parent": {"id": survivor["id"]}}
