"""What a capture form learns about duplicates: only what it captured itself.

A second capture of an email within the window never makes a second lead, whichever form
sends it; but `duplicate` is true only when the same form captured that email before, so
that no form's token can ask whether another form captured an address.
"""

from __future__ import annotations

import itertools

import pytest

_n = itertools.count(1)

FORM = """mutation($input: CaptureFormCreateInput!) { captureFormCreate(input: $input) {
  form { id } token errors { code } } }"""
CAPTURE = """mutation($input: LeadCaptureInput!) { leadCapture(input: $input) {
  accepted duplicate errors { field code } } }"""
BY_EMAIL = """query($email: String!) { leads(filter: {email: {eq: $email}}) { totalCount
  nodes { captures { form { id } } } } }"""


@pytest.fixture(scope="module")
async def forms(gql) -> tuple[dict, dict]:
    """Two capture forms, each with its token."""
    made = []
    for _ in range(2):
        data = await gql.ok("admin", FORM, {"input": {"name": f"Duplicates {next(_n)}"}})
        made.append(data["captureFormCreate"])
    return made[0], made[1]


async def _capture(gql, form: dict, email: str) -> tuple[bool, bool]:
    result = await gql("admin", CAPTURE, {"input": {"lastName": "Twice", "email": email}},
                       token=form["token"])
    payload = result.data["leadCapture"]
    assert payload["errors"] == [], payload
    return payload["accepted"], payload["duplicate"]


async def test_capture_another_form_made_is_folded_in_but_not_reported(gql, forms):
    # given an email the first form captured
    first, second = forms
    email = f"shared{next(_n)}@example.com"
    assert await _capture(gql, first, email) == (True, False)
    # when the second form captures it within the day
    answer = await _capture(gql, second, email)
    # then the second form learns nothing: not a duplicate, as far as it is told
    assert answer == (True, False)
    # and yet no second lead was made: the capture joined the first one
    leads = (await gql.ok("admin", BY_EMAIL, {"email": email}))["leads"]
    assert leads["totalCount"] == 1
    assert [c["form"]["id"] for c in leads["nodes"][0]["captures"]] == [
        first["form"]["id"], second["form"]["id"]]


async def test_capture_the_same_form_made_is_a_duplicate(gql, forms):
    # given an email the first form captured, and the second form after it
    first, second = forms
    email = f"again{next(_n)}@example.com"
    await _capture(gql, first, email)
    await _capture(gql, second, email)
    # when each form captures it once more, each learns it had sent it before
    assert await _capture(gql, second, email) == (True, True)
    assert await _capture(gql, first, email) == (True, True)
    leads = (await gql.ok("admin", BY_EMAIL, {"email": email}))["leads"]
    assert leads["totalCount"] == 1 and len(leads["nodes"][0]["captures"]) == 4
