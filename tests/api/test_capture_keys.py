"""A capture form's credential is a key of its own: random, stored only as a hash, refused once
the form is inactive or has a new key, and independent of the signing keys."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import text

from api.schema.ids import from_global_id
from auth.secrets import hash_secret
from tests.conftest import REVOCATION_TTL

FORM = """mutation($input: CaptureFormCreateInput!) { captureFormCreate(input: $input) {
  form { id version } token errors { field code } } }"""
REPLACE = """mutation($input: CaptureFormKeyInput!) { captureFormKeyReplace(input: $input) {
  form { id version } token errors { field code } } }"""
CAPTURE = """mutation($input: LeadCaptureInput!) { leadCapture(input: $input) {
  accepted errors { code } } }"""


async def _form(gql) -> dict:
    made = (await gql.ok("admin", FORM, {"input": {"name": f"Keyed {uuid.uuid4()}"}}))[
        "captureFormCreate"]
    assert made["errors"] == []
    return made


async def _capture(client, key: str):
    lead = {"lastName": "Keyed", "email": f"keyed-{uuid.uuid4().hex[:8]}@example.com"}
    return await client("", CAPTURE, {"input": lead}, token=key)


async def test_form_create_returns_a_key_that_captures_and_is_kept_only_hashed(gql, app):
    # when an admin creates a form
    made = await _form(gql)
    key = made["token"]
    # then it gets a key, not a signed token, which captures leads
    assert key.startswith("cfk_") and "." not in key
    assert (await _capture(gql, key)).data["leadCapture"]["accepted"] is True
    # and the database holds only the key's hash
    async with app.state.engine.connect() as conn:
        stored = (await conn.execute(text("SELECT key_hash FROM capture_form WHERE id = :id"), {
            "id": from_global_id(made["form"]["id"])[1]})).scalar()
    assert stored == hash_secret(key) and key not in stored


async def test_key_replace_gives_a_new_key_and_refuses_the_old_one(gql, revocation_gql):
    # given a form whose key is in use
    made = await _form(gql)
    old = made["token"]
    assert (await _capture(revocation_gql, old)).status == 200
    # when an admin replaces the key
    replaced = (await gql.ok("admin", REPLACE, {"input": {
        "id": made["form"]["id"], "version": made["form"]["version"]}}))["captureFormKeyReplace"]
    assert replaced["errors"] == [] and replaced["form"]["version"] == made["form"]["version"] + 1
    await asyncio.sleep(REVOCATION_TTL + 0.1)
    # then the new key captures and the old one no longer authenticates
    new = replaced["token"]
    assert new.startswith("cfk_") and new != old
    assert (await _capture(revocation_gql, new)).data["leadCapture"]["accepted"] is True
    refused = await _capture(revocation_gql, old)
    assert refused.status == 401 and refused.error_codes() == ["UNAUTHENTICATED"]


async def test_only_admins_replace_a_forms_key(gql):
    made = await _form(gql)
    for role in ("sales", "marketing"):
        data = await gql.ok(role, REPLACE, {"input": {"id": made["form"]["id"], "version": 1}})
        payload = data["captureFormKeyReplace"]
        assert payload["token"] is None and [e["code"] for e in payload["errors"]] == ["FORBIDDEN"]
    # and the key still works
    assert (await _capture(gql, made["token"])).data["leadCapture"]["accepted"] is True


async def test_key_replace_at_a_stale_version_changes_nothing(gql):
    made = await _form(gql)
    data = await gql.ok("admin", REPLACE, {"input": {"id": made["form"]["id"], "version": 7}})
    payload = data["captureFormKeyReplace"]
    assert payload["token"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("version", "STALE_VERSION")]
    assert (await _capture(gql, made["token"])).data["leadCapture"]["accepted"] is True


async def test_unknown_key_is_refused(gql):
    result = await _capture(gql, "cfk_" + "x" * 43)
    assert result.status == 401 and result.error_codes() == ["UNAUTHENTICATED"]
