"""The rows an import rejected, as a CSV to fix and import again."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from domain.imports.rows import RowError

ERROR_HEADER = "error"


def rejected_csv(headers: list[str], rejected: Iterable[tuple[list[str], list[RowError]]]) -> bytes:
    """The rejected rows as they were, plus an "error" column saying what is wrong with each
    (its problems one per line, within the cell), in UTF-8 with a BOM so that Excel opens it
    right; every guessed mapping ignores the error column on the way back in."""
    rows = list(rejected)
    width = max([len(headers)] + [len(cells) for cells, _ in rows])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(list(headers) + [""] * (width - len(headers)) + [ERROR_HEADER])
    for cells, errors in rows:
        writer.writerow(list(cells) + [""] * (width - len(cells)) + [_described(errors)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _described(errors: list[RowError]) -> str:
    return "\n".join(f"{e.column}: {e.message}" if e.column else e.message for e in errors)
