"""Files sent with an operation, per the GraphQL multipart request spec
(github.com/jaydenseric/graphql-multipart-request-spec): the form's `operations` (the
operation as JSON, each file null), its `map` ({"0": ["variables.input.file"]}) and the files.

A multipart form is what an HTML form may POST from any site without a preflight, so a
request must also carry `GraphQL-Require-Preflight` (or Apollo's `Apollo-Require-Preflight`),
which a browser sends cross-site only after a CORS preflight this server never grants: the
protection the JSON-only content type gives every other request.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.datastructures import UploadFile
from starlette.requests import Request

from api.graphql_request import RequestError

MAX_UPLOAD_BYTES = 200_000_000
MAX_FILES = 10
PREFLIGHT_HEADERS = ("graphql-require-preflight", "apollo-require-preflight")


def _json(form, name: str) -> Any:
    try:
        return orjson.loads(form[name])
    except (KeyError, orjson.JSONDecodeError):
        raise RequestError(400, f"A multipart request needs `{name}` as JSON.",
                           "BAD_REQUEST") from None


def _put(operations: Any, path: str, file: UploadFile) -> None:
    """Put the file where `path` (dotted, "variables.input.file") says in the operation."""
    *steps, last = path.split(".")
    target = operations
    try:
        for step in steps:
            target = target[int(step)] if isinstance(target, list) else target[step]
        if isinstance(target, list):
            target[int(last)] = file
        else:
            target[last] = file
    except (KeyError, IndexError, ValueError, TypeError):
        raise RequestError(400, f"`map` names {path!r}, which the operation lacks.",
                           "BAD_REQUEST") from None


async def read_multipart(request: Request) -> dict:
    """The operation's parameters with its files in place, from a multipart POST."""
    if not any(request.headers.get(h) for h in PREFLIGHT_HEADERS):
        raise RequestError(400, "A multipart request must carry the GraphQL-Require-Preflight "
                                "header.", "CSRF_PROTECTION")
    declared = request.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > MAX_UPLOAD_BYTES:
        raise RequestError(413, "The request body is too large, or has no length.",
                           "PAYLOAD_TOO_LARGE")
    form = await request.form(max_files=MAX_FILES, max_fields=MAX_FILES + 2)
    operations, mapping = _json(form, "operations"), _json(form, "map")
    if not isinstance(operations, dict) or not isinstance(mapping, dict):
        raise RequestError(400, "`operations` and `map` must be JSON objects.", "BAD_REQUEST")
    for key, paths in mapping.items():
        file = form.get(key)
        if not isinstance(file, UploadFile) or not isinstance(paths, list):
            raise RequestError(400, f"`map` names file {key!r}, which the form lacks.",
                               "BAD_REQUEST")
        for path in paths:
            _put(operations, str(path), file)
    return operations
