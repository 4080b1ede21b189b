"""File uploads per the GraphQL multipart request spec
(https://github.com/jaydenseric/graphql-multipart-request-spec).

A multipart/form-data POST carries the operation as the JSON field `operations`, a JSON field
`map` saying which variable each file goes to (`{"0": ["variables.file"]}`), and the files
under the map's keys. Each file takes the place of the null its path names, and reaches the
resolver as an `Upload` (Starlette's UploadFile: spooled to disk past 1 MB, never held whole
in memory).

Multipart is a content type a browser may send across sites without asking first; the
server reads credentials only from the Authorization header, which no cross-site form can
set, so an upload needs no CSRF token of its own.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request

MAX_FILES = 10
MAX_FIELD_BYTES = 1_000_000  # `operations` and `map` are JSON, as small as any other body


class UploadError(Exception):
    """A multipart request that breaks the spec or the limits; `status` is its HTTP status."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


def _bad(message: str) -> UploadError:
    return UploadError(400, message, "BAD_REQUEST")


async def read_multipart(request: Request, max_bytes: int) -> dict[str, Any]:
    """The operation's JSON object with each uploaded file in its place among the variables."""
    declared = request.headers.get("content-length", "")
    if not declared.isdigit():
        raise UploadError(411, "An upload must declare its Content-Length.", "LENGTH_REQUIRED")
    if int(declared) > max_bytes:
        raise UploadError(413, f"An upload may be at most {max_bytes:,} bytes.",
                          "PAYLOAD_TOO_LARGE")
    try:
        form = await request.form(max_files=MAX_FILES, max_fields=MAX_FILES + 2,
                                  max_part_size=MAX_FIELD_BYTES)
    except MultiPartException as exc:
        raise _bad(f"The multipart body cannot be read: {exc.message}") from None
    except HTTPException as exc:  # what Starlette makes of a MultiPartException in an app
        raise _bad(f"The multipart body cannot be read: {exc.detail}") from None
    operations, mapping = _json_field(form.get("operations"), "operations"), \
        _json_field(form.get("map"), "map")
    if not isinstance(operations, dict):
        raise _bad("`operations` must be one operation as a JSON object; batches are not "
                   "supported.")
    if not isinstance(mapping, dict):
        raise _bad("`map` must be a JSON object of file keys to lists of paths.")
    files = {key: value for key, value in form.multi_items() if isinstance(value, UploadFile)}
    for key, paths in mapping.items():
        upload = files.pop(key, None)
        if upload is None:
            raise _bad(f"`map` names file {key!r}, which the request does not carry.")
        if not isinstance(paths, list) or not paths:
            raise _bad(f"`map` must list the paths of file {key!r}.")
        for path in paths:
            _place(operations, path, upload)
    if files:
        raise _bad(f"File {sorted(files)[0]!r} is not in `map`.")
    return operations


def _json_field(value: Any, name: str) -> Any:
    if not isinstance(value, str):
        raise _bad(f"A multipart request needs the `{name}` field, as JSON.")
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        raise _bad(f"`{name}` is not valid JSON.") from None


def _place(operations: dict, path: Any, upload: UploadFile) -> None:
    """Put the file where `path` ("variables.file", "variables.files.0") holds a null."""
    if not isinstance(path, str) or not path.startswith("variables."):
        raise _bad(f"A file's path must lie in the variables, not {path!r}.")
    *parents, last = path.split(".")
    target: Any = operations
    for step in parents:
        target = _step(target, step, path)
        if target is None:
            raise _bad(f"Path {path!r} leads nowhere in the operation.")
    if _step(target, last, path) is not None:
        raise _bad(f"Path {path!r} must name a null for the file to take.")
    if isinstance(target, list):
        target[int(last)] = upload
    else:
        target[last] = upload


def _step(target: Any, step: str, path: str) -> Any:
    if isinstance(target, dict):
        if step not in target:
            raise _bad(f"Path {path!r} leads nowhere in the operation.")
        return target[step]
    if isinstance(target, list) and step.isdigit() and int(step) < len(target):
        return target[int(step)]
    raise _bad(f"Path {path!r} leads nowhere in the operation.")
