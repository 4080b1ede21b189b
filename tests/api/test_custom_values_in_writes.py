"""Custom values in the create and update mutations of every kind custom fields extend:
checked as customValuesSet checks them, written with the built-in fields in one transaction
and one audit entry, and answered alike on the compiled path and the resolvers."""

from __future__ import annotations

import pytest

from tests.api.custom_setup import (
    CREATE,
    FOUND,
    KINDS,
    READ,
    TRAIL,
    UPDATE,
    Kind,
    define,
    new_input,
    required_fields_retired,
    unique,
    values,
)

__all__ = ["required_fields_retired"]  # retires the required fields a test leaves
BY_KIND = pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])


async def create(gql, kind: Kind, role: str, **fields) -> dict:
    return (await gql.ok(role, CREATE[kind.name], {"input": fields}))[f"{kind.field}Create"]


async def update(gql, kind: Kind, role: str, **fields) -> dict:
    return (await gql.ok(role, UPDATE[kind.name], {"input": fields}))[f"{kind.field}Update"]


def shown(record: dict) -> dict:
    return {v["name"]: v["value"] for v in record["customFields"]}


async def read_alike(gql, resolver_gql, kind: Kind, record_id: str) -> dict:
    """The record as its role reads it, the same on the compiled path and the resolvers."""
    compiled = await gql.ok(kind.role, READ[kind.name], {"id": record_id})
    resolved = await resolver_gql.ok(kind.role, READ[kind.name], {"id": record_id})
    assert compiled == resolved
    return compiled["node"]


async def last_entry(gql, record_id: str) -> tuple[str, dict]:
    entry = (await gql.ok("admin", TRAIL, {"id": record_id}))["auditTrail"]["nodes"][0]
    return entry["action"], {c["field"]: (c["before"], c["after"]) for c in entry["changes"]}


@BY_KIND
async def test_create_sets_custom_values_and_answers_them_on_both_paths(
        gql, resolver_gql, factories, kind):
    # given a text and a decimal field of the kind
    text, amount = unique("text"), unique("amount")
    await define(gql, kind=kind.name, name=text, type="TEXT")
    await define(gql, kind=kind.name, name=amount, type="DECIMAL")
    # when its role creates a record with both
    done = await create(gql, kind, kind.role, **await new_input(kind, factories),
                        customFields=values(**{text: " kept ", amount: "12.50"}))
    # then the answer holds them, normalised, and so does every later read
    assert done["errors"] == []
    record = done[kind.field]
    assert shown(record) == {text: "kept", amount: "12.5"}
    assert await read_alike(gql, resolver_gql, kind, record["id"]) == record
    # and the create's audit entry holds them as customValuesSet records them (a decimal
    # as the exact JSON number it is stored as)
    action, changes = await last_entry(gql, record["id"])
    assert action == "create"
    assert changes["customFields"] == ({amount: None, text: None}, {amount: 12.5, text: "kept"})


@BY_KIND
async def test_update_merges_custom_values_with_the_built_in_change_in_one_entry(
        gql, resolver_gql, factories, kind):
    # given a record with two custom values
    kept, gone, added = unique("kept"), unique("gone"), unique("added")
    for name in (kept, gone, added):
        await define(gql, kind=kind.name, name=name, type="NUMBER")
    record = (await create(gql, kind, kind.role, **await new_input(kind, factories),
                           customFields=values(**{kept: 1, gone: 2})))[kind.field]
    # when an update changes a built-in field, adds one value and clears another
    done = await update(gql, kind, kind.role, id=record["id"], version=record["version"],
                        **kind.change, customFields=values(**{added: 3, gone: None}))
    # then the record is one version on, holding the merge, on both paths
    assert done["errors"] == []
    assert done[kind.field]["version"] == record["version"] + 1
    assert shown(done[kind.field]) == {kept: 1, added: 3}
    assert await read_alike(gql, resolver_gql, kind, record["id"]) == done[kind.field]
    # and one audit entry holds the built-in change and the custom values that changed
    action, changes = await last_entry(gql, record["id"])
    [(field, after)] = kind.change.items()
    assert action == "update" and changes[field][1] == after
    assert changes["customFields"] == ({added: None, gone: 2}, {added: 3, gone: None})


@BY_KIND
async def test_built_in_and_custom_problems_come_back_together_and_nothing_is_written(
        gql, factories, kind):
    number = unique("number")
    await define(gql, kind=kind.name, name=number, type="NUMBER", maximum="10")
    record = (await create(gql, kind, kind.role, **await new_input(kind, factories)))[kind.field]
    refused = await update(gql, kind, kind.role, id=record["id"], version=record["version"],
                           **kind.bad, customFields=values(**{number: 11, "neverDefined": 1}))
    assert refused[kind.field] is None
    [bad_field] = kind.bad
    assert {(e["field"], e["code"]) for e in refused["errors"]} >= {
        (f"customFields.{number}", "INVALID"), ("customFields.neverDefined", "NOT_FOUND")}
    assert bad_field in {e["field"] for e in refused["errors"]}
    read = await gql.ok(kind.role, READ[kind.name], {"id": record["id"]})
    assert read["node"] == record


@BY_KIND
async def test_a_stale_version_is_refused_with_custom_values_too(gql, factories, kind):
    note = unique("note")
    await define(gql, kind=kind.name, name=note, type="TEXT")
    record = (await create(gql, kind, kind.role, **await new_input(kind, factories)))[kind.field]
    stale = await update(gql, kind, kind.role, id=record["id"], version=record["version"] + 5,
                         customFields=values(**{note: "late"}))
    assert [(e["field"], e["code"]) for e in stale["errors"]] == [("version", "STALE_VERSION")]
    assert (await gql.ok(kind.role, READ[kind.name], {"id": record["id"]}))["node"] == record


@BY_KIND
async def test_a_required_custom_field_is_required_on_create_and_kept_on_update(
        gql, factories, kind):
    # given a record made before a required field of its kind exists
    before = (await create(gql, kind, kind.role, **await new_input(kind, factories)))[kind.field]
    tier, marker = unique("tier"), unique("marker")
    await define(gql, kind=kind.name, name=marker, type="TEXT")
    await define(gql, kind=kind.name, name=tier, type="TEXT", required=True)
    # when a create leaves it out, it is REQUIRED and nothing is written
    missing = await create(gql, kind, kind.role, **await new_input(kind, factories),
                           customFields=values(**{marker: "lost"}))
    assert missing[kind.field] is None
    assert [(e["field"], e["code"]) for e in missing["errors"]] == [
        (f"customFields.{tier}", "REQUIRED")]
    found = await gql.ok(kind.role, FOUND[kind.name], {"filter": {"customFields": [
        {"name": marker, "eq": "lost"}]}})
    assert found[kind.plural]["nodes"] == []
    # and given, the create goes through
    done = await create(gql, kind, kind.role, **await new_input(kind, factories),
                        customFields=values(**{tier: "Gold"}))
    assert done["errors"] == [] and shown(done[kind.field]) == {tier: "Gold"}
    # an update of the record made before needs no value, but no update clears one
    assert (await update(gql, kind, kind.role, id=before["id"], version=before["version"],
                         **kind.change))["errors"] == []
    cleared = await update(gql, kind, kind.role, id=done[kind.field]["id"],
                           version=done[kind.field]["version"],
                           customFields=values(**{tier: None}))
    assert [(e["field"], e["code"]) for e in cleared["errors"]] == [
        (f"customFields.{tier}", "REQUIRED")]


async def test_a_missing_required_value_is_reported_with_the_built_in_problems(gql):
    tier = unique("tier")
    await define(gql, kind="CONTACT", name=tier, type="TEXT", required=True)
    kind = KINDS[0]
    refused = await create(gql, kind, "sales", firstName="NoLastName", leadScore=101)
    assert sorted((e["field"], e["code"]) for e in refused["errors"]) == [
        (f"customFields.{tier}", "REQUIRED"), ("lastName", "REQUIRED"), ("leadScore", "INVALID")]


def _writes(statements) -> list[str]:
    return [s for s in statements.statements if not s.lstrip().upper().startswith("SELECT")]


async def test_an_update_with_custom_values_is_locked_and_one_without_stays_one_statement(
        gql, factories, statements):
    note = unique("note")
    await define(gql, name=note, type="TEXT")
    kind = KINDS[0]
    record = (await create(gql, kind, "admin", **await new_input(kind, factories)))["contact"]
    statements.reset()
    plain = await update(gql, kind, "admin", id=record["id"], version=1, firstName="Plain")
    assert plain["errors"] == [] and len(_writes(statements)) == 1
    assert _writes(statements)[0].startswith("WITH target AS")
    statements.reset()
    valued = await update(gql, kind, "admin", id=record["id"], version=2, firstName="Valued",
                          customFields=values(**{note: "n"}))
    assert valued["errors"] == [] and shown(valued["contact"]) == {note: "n"}
    assert not any(s.startswith("WITH target AS") for s in statements.statements)
    assert any("FOR UPDATE" in s for s in statements.statements)
