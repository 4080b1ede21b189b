"""mergeUndo, and who may merge: each role allowed and denied, records one may not write or
see, and a merged customer's token acting as the survivor."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from api.schema.ids import from_global_id, to_global_id
from auth.principal import Principal
from tests.api.test_merge import (
    GRANT,
    MERGE,
    NOTE,
    READ,
    TAG,
    TAG_CREATE,
    WITHDRAW,
    merge_input,
    two_contacts,
)

UNDO = """mutation($input: MergeUndoInput!) { mergeUndo(input: $input) {
  merge { id undoneAt } errors { field code message } } }"""
UPDATE = """mutation($input: ContactUpdateInput!) { contactUpdate(input: $input) {
  contact { version } errors { code } } }"""
SURVIVOR = """query($id: ID!) { node(id: $id) { ... on Contact { version firstName
  emails { address } } } }"""
ME = "{ me { principal { ... on Contact { id } } } }"


async def merged_pair(gql, factories) -> tuple[dict, dict, dict]:
    survivor, merged = await two_contacts(factories)
    await gql.ok("admin", NOTE, {"input": {"recordId": merged["id"], "body": "Kept."}})
    data = (await gql.ok("admin", MERGE, merge_input(survivor["id"], merged["id"])))[
        "contactMerge"]
    assert data["errors"] == []
    return survivor, merged, data


async def test_merge_undo_restores_the_records_and_references(gql, factories):
    # given a merge of a contact with a note into another
    survivor, merged, data = await merged_pair(gql, factories)
    # when it is undone
    undone = (await gql.ok("admin", UNDO, {"input": {"id": data["merge"]["id"]}}))["mergeUndo"]
    # then the merged contact is back, with its note, and the survivor as it was
    assert undone["errors"] == [] and undone["merge"]["undoneAt"] is not None
    back = (await gql.ok("admin", READ, {"id": merged["id"]}))["node"]
    assert back["archivedAt"] is None and back["mergedInto"] is None
    assert len(back["notes"]["nodes"]) == 1
    kept = (await gql.ok("admin", SURVIVOR, {"id": survivor["id"]}))["node"]
    assert kept["firstName"] is None and len(kept["emails"]) == 1
    # and a second undo is a conflict
    again = (await gql.ok("admin", UNDO, {"input": {"id": data["merge"]["id"]}}))["mergeUndo"]
    assert [e["code"] for e in again["errors"]] == ["CONFLICT"]


async def test_merge_undo_is_refused_after_a_change(gql, factories):
    # given a merge, and the survivor changed after it
    survivor, _, data = await merged_pair(gql, factories)
    version = data["record"]["version"]
    changed = await gql.ok("admin", UPDATE, {"input": {"id": survivor["id"], "version": version,
                                                       "lastName": "Changed"}})
    assert changed["contactUpdate"]["errors"] == []
    # when the merge is undone
    undone = (await gql.ok("admin", UNDO, {"input": {"id": data["merge"]["id"]}}))["mergeUndo"]
    # then it is refused, and the merged contact stays merged
    assert [(e["field"], e["code"]) for e in undone["errors"]] == [("id", "CONFLICT")]
    gone = (await gql.ok("admin", READ, {"id": data["merge"]["merged"][0]}))["node"]
    assert gone["mergedInto"] == {"id": survivor["id"]}


@pytest.mark.parametrize("role", ["admin", "sales", "service"])
async def test_contact_merge_is_allowed_to_roles_that_merge(gql, factories, role):
    # given two contacts the role may change (created by it: owned by it)
    survivor, merged = await two_contacts(factories) if role != "sales" else (
        await factories.contact("sales"), await factories.contact("sales"))
    # when it merges them
    data = (await gql.ok(role, MERGE, merge_input(survivor["id"], merged["id"])))[
        "contactMerge"]
    # then the merge is done
    assert data["errors"] == [] and data["merge"]["survivor"] == survivor["id"]


@pytest.mark.parametrize("role", ["marketing", "analyst", "partner", "customer"])
async def test_contact_merge_is_refused_to_other_roles(gql, factories, role):
    survivor, merged = await two_contacts(factories)
    result = await gql(role, MERGE, merge_input(survivor["id"], merged["id"]))
    assert [e["code"] for e in result.data["contactMerge"]["errors"]] == ["FORBIDDEN"]
    assert (await gql.ok("admin", READ, {"id": merged["id"]}))["node"]["archivedAt"] is None


async def test_contact_merge_is_refused_across_records_one_may_not_write(gql, factories):
    # given a sales user's own contact and one owned by an admin outside its reach
    own, others = await factories.contact("sales"), await factories.contact("admin")
    # when the sales user merges them
    data = (await gql.ok("sales", MERGE, merge_input(own["id"], others["id"])))["contactMerge"]
    # then it is refused at the record it may not write, and nothing is written
    assert [(e["field"], e["code"]) for e in data["errors"]] == [("merged[0]", "FORBIDDEN")]
    assert (await gql.ok("admin", READ, {"id": others["id"]}))["node"]["archivedAt"] is None


async def test_contact_merge_treats_an_unknown_record_as_not_found(gql, factories):
    survivor, merged = await two_contacts(factories)
    missing = to_global_id("Contact", uuid.uuid4())
    data = (await gql.ok("admin", MERGE, merge_input(survivor["id"], missing)))["contactMerge"]
    assert [(e["field"], e["code"]) for e in data["errors"]] == [("merged[0]", "NOT_FOUND")]


async def test_merge_undo_is_refused_to_roles_that_do_not_merge(gql, factories):
    _, _, data = await merged_pair(gql, factories)
    result = await gql("marketing", UNDO, {"input": {"id": data["merge"]["id"]}})
    assert [e["code"] for e in result.data["mergeUndo"]["errors"]] == ["NOT_FOUND"]


async def test_merged_customer_token_acts_as_the_survivor(app, gql, factories):
    # given a customer token of a contact
    survivor, merged = await two_contacts(factories)
    token = app.state.tokens.issue(Principal.customer(from_global_id(merged["id"])[1]))
    # when the contact is merged into another
    await gql.ok("admin", MERGE, merge_input(survivor["id"], merged["id"]))
    # then the token keeps working, as the survivor
    result = await gql("", ME, token=token)
    assert result.status == 200 and result.data["me"]["principal"] == {"id": survivor["id"]}


MERGE_RECORD = """query($id: ID!) { node(id: $id) { ... on RecordMerge { id survivor } } }"""


@pytest.mark.parametrize("role,sees", [("admin", True), ("sales", True), ("service", True),
                                       ("marketing", False), ("analyst", False)])
async def test_merge_record_is_read_by_the_roles_that_merge(gql, factories, role, sees):
    _, _, data = await merged_pair(gql, factories)
    found = (await gql.ok(role, MERGE_RECORD, {"id": data["merge"]["id"]}))["node"]
    assert (found is not None) is sees


UNITED = """query($id: ID!) { node(id: $id) { ... on Contact { archivedAt
  consents { status } tags { name } accounts(first: 5) { edges { node { id } } } } } }"""


async def test_merge_undo_restores_consents_tags_and_links_it_united(gql, factories):
    # given two contacts with the same account and tag, and opposite answers on a consent
    survivor, merged = await two_contacts(factories)
    account = await factories.account()
    tag = (await gql.ok("admin", TAG_CREATE, {"input": {
        "kind": "CONTACT", "name": f"Undo{uuid.uuid4().hex[:8]}"}}))["tagCreate"]["tag"]["id"]
    consent = {"channel": "SMS", "purpose": "offers", "source": "test"}
    for contact, answer in ((survivor, GRANT), (merged, WITHDRAW)):
        await factories.link(account["id"], contact["id"])
        await gql.ok("admin", TAG, {"input": {"record": contact["id"], "tags": [tag]}})
        await gql.ok("admin", answer, {"input": {"contactId": contact["id"], **consent}})
    before = {c["id"]: (await gql.ok("admin", UNITED, {"id": c["id"]}))["node"]
              for c in (survivor, merged)}
    data = (await gql.ok("admin", MERGE, merge_input(survivor["id"], merged["id"])))[
        "contactMerge"]
    assert data["record"]["consents"] == [{"channel": "SMS", "purpose": "offers",
                                           "status": "WITHDRAWN"}]
    # when the merge is undone
    undone = (await gql.ok("admin", UNDO, {"input": {"id": data["merge"]["id"]}}))["mergeUndo"]
    # then both contacts read as they did before it
    assert undone["errors"] == []
    after = {c["id"]: (await gql.ok("admin", UNITED, {"id": c["id"]}))["node"]
             for c in (survivor, merged)}
    assert after == before


async def test_a_chain_of_merges_undoes_step_by_step(app, gql, factories):
    # given a contact merged into a second, and a customer token of the first
    first, second = await two_contacts(factories)
    third = await factories.contact()
    token = app.state.tokens.issue(Principal.customer(from_global_id(first["id"])[1]))
    await gql.ok("admin", MERGE, merge_input(second["id"], first["id"]))
    # when the second is merged into a third
    data = (await gql.ok("admin", MERGE, merge_input(third["id"], second["id"])))[
        "contactMerge"]
    # then the first now points at the third, and its token acts as the third
    assert (await gql.ok("admin", READ, {"id": first["id"]}))["node"]["mergedInto"] == {
        "id": third["id"]}
    assert (await gql("", ME, token=token)).data["me"]["principal"] == {"id": third["id"]}
    # and undoing the second merge points the first at the second again
    undone = (await gql.ok("admin", UNDO, {"input": {"id": data["merge"]["id"]}}))["mergeUndo"]
    assert undone["errors"] == []
    assert (await gql.ok("admin", READ, {"id": first["id"]}))["node"]["mergedInto"] == {
        "id": second["id"]}


EXTERNAL = """query($id: ID!) { node(id: $id) { ... on Contact { externalId } } }"""


async def test_contact_merge_and_undo_leave_each_external_id_with_its_record(
        gql, factories, database_url):
    # given a survivor without an external id and a contact imported with one
    survivor, merged = await two_contacts(factories)
    external = f"EXT-{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("UPDATE contact SET external_id = $1 WHERE id = $2", external,
                           from_global_id(merged["id"])[1])
    finally:
        await conn.close()
    # when they are merged, and the merge undone
    data = (await gql.ok("admin", MERGE, merge_input(survivor["id"], merged["id"])))[
        "contactMerge"]
    # then the merge succeeds, the external id staying with the archived record
    assert data["errors"] == [] and "externalId" not in [f["field"] for f in data["fields"]]
    read = await gql.ok("admin", EXTERNAL, {"id": survivor["id"]})
    assert read["node"]["externalId"] is None
    undo = await gql.ok("admin", UNDO, {"input": {"id": data["merge"]["id"]}})
    assert undo["mergeUndo"]["errors"] == []
    assert (await gql.ok("admin", EXTERNAL, {"id": merged["id"]}))["node"]["externalId"] == external
