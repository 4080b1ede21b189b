"""Import files as people's tools write them, made on disk for the tests to read back."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import Workbook

from domain.imports.reading import Table, read_table


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ",",
              encoding: str = "utf-8", bom: bool = False) -> Path:
    """A CSV file as a spreadsheet program saves it: quoted where needed, CRLF line ends."""
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    """An XLSX workbook whose first sheet holds `rows`, each value typed as given (numbers as
    numbers, text as text)."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def read(path: Path) -> tuple[Table, list[tuple[int, list[str]]]]:
    """The file's table and all of its rows."""
    with path.open("rb") as source:
        table = read_table(source, path.name)
        return table, list(table.rows)
