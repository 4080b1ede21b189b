"""Multipart requests (the GraphQL multipart request spec): what breaks the spec or the limits
is refused with a clear status before anything runs."""

from __future__ import annotations

import orjson
import pytest

from api.graphql_uploads import MAX_FILES

NOTE = "mutation($file: String!) { noteCreate(input: {recordId: \"x\", body: $file}) { errors { code } } }"


def auth(tokens, role: str = "admin") -> dict:
    return {"Authorization": f"Bearer {tokens[role]}"}


def multipart(operations, mapping, files: dict[str, bytes]) -> dict:
    return {"data": {"operations": orjson.dumps(operations).decode(),
                     "map": orjson.dumps(mapping).decode()},
            "files": {key: (f"{key}.csv", content, "text/csv") for key, content in files.items()}}


def error_of(response) -> tuple[int, str, str]:
    error = response.json()["errors"][0]
    return response.status_code, error["extensions"]["code"], error["message"]


BROKEN = [
    ({"query": NOTE, "variables": {"file": None}}, {"1": ["variables.file"]}, {"0": b"a"},
     "which the request does not carry"),
    ({"query": NOTE, "variables": {"file": None}}, {"0": ["variables.file"]},
     {"0": b"a", "1": b"b"}, "is not in `map`"),
    ({"query": NOTE, "variables": {"file": None}}, {"0": ["query"]}, {"0": b"a"},
     "must lie in the variables"),
    ({"query": NOTE, "variables": {"file": None}}, {"0": ["variables.other"]}, {"0": b"a"},
     "leads nowhere"),
    ({"query": NOTE, "variables": {"file": "text"}}, {"0": ["variables.file"]}, {"0": b"a"},
     "must name a null"),
    ([{"query": NOTE}], {"0": ["variables.file"]}, {"0": b"a"}, "batches are not supported"),
    ({"query": NOTE, "variables": {"file": None}}, ["variables.file"], {"0": b"a"},
     "`map` must be a JSON object"),
]


@pytest.mark.parametrize("operations, mapping, files, message", BROKEN)
async def test_upload_breaking_the_spec_is_400(http, tokens, operations, mapping, files,
                                               message):
    # given a multipart request whose map and files do not agree with the spec
    # when it is sent
    response = await http.post("/graphql", headers=auth(tokens),
                               **multipart(operations, mapping, files))
    # then it is refused, saying what is wrong
    status, code, text = error_of(response)
    assert (status, code) == (400, "BAD_REQUEST")
    assert message in text


async def test_upload_without_operations_is_400(http, tokens):
    response = await http.post("/graphql", headers=auth(tokens),
                               files={"0": ("a.csv", b"a", "text/csv")})
    assert error_of(response)[:2] == (400, "BAD_REQUEST")
    assert "`operations`" in error_of(response)[2]


async def test_upload_with_too_many_files_is_400(http, tokens):
    files = {str(n): b"x" for n in range(MAX_FILES + 1)}
    mapping = {key: [f"variables.files.{n}"] for n, key in enumerate(files)}
    operations = {"query": NOTE, "variables": {"files": [None] * len(files)}}
    response = await http.post("/graphql", headers=auth(tokens),
                               **multipart(operations, mapping, files))
    assert error_of(response)[:2] == (400, "BAD_REQUEST")


async def test_upload_to_a_query_is_400(http, tokens):
    # given a query, which takes no files, sent with one
    query = "query($f: Boolean!) { me @include(if: $f) { role } }"
    response = await http.post("/graphql", headers=auth(tokens), **multipart(
        {"query": query, "variables": {"f": None}}, {"0": ["variables.f"]}, {"0": b"a"}))
    # then it is refused: files go with mutations
    assert error_of(response) == (400, "BAD_REQUEST", "Files are uploaded with a mutation.")


async def test_upload_into_a_text_variable_is_a_variable_error(http, tokens):
    # given a file placed where the mutation expects text
    response = await http.post("/graphql", headers=auth(tokens), **multipart(
        {"query": NOTE, "variables": {"file": None}}, {"0": ["variables.file"]}, {"0": b"a"}))
    # then the variable does not coerce, as any wrong value would not
    assert response.status_code == 200
    assert "$file" in response.json()["errors"][0]["message"]
    assert response.json().get("data") is None


async def test_upload_needs_a_token(http):
    response = await http.post("/graphql", **multipart(
        {"query": NOTE, "variables": {"file": None}}, {"0": ["variables.file"]}, {"0": b"a"}))
    assert response.status_code == 401


async def test_upload_over_the_limit_is_413(client_with, tokens):
    # given a server that takes uploads of at most 1 MB
    async with client_with(crm_max_upload_mb=1) as client:
        # when a larger file is sent
        response = await client.post("/graphql", headers=auth(tokens), **multipart(
            {"query": NOTE, "variables": {"file": None}}, {"0": ["variables.file"]},
            {"0": b"x" * 1_100_000}))
    # then it is refused before it is read
    assert error_of(response)[:2] == (413, "PAYLOAD_TOO_LARGE")


async def test_upload_is_415_when_uploads_are_off(client_with, tokens):
    async with client_with(crm_max_upload_mb=0) as client:
        response = await client.post("/graphql", headers=auth(tokens), **multipart(
            {"query": NOTE, "variables": {"file": None}}, {"0": ["variables.file"]},
            {"0": b"a"}))
    assert error_of(response)[:2] == (415, "UNSUPPORTED_MEDIA_TYPE")
