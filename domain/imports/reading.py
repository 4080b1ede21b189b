"""Reading an import file as a table of text cells: CSV in any common dialect and encoding, or a
spreadsheet (XLSX, XLS, ODS) through python-calamine.

Rows stream: a CSV file is decoded and split as the rows are consumed, so a file of a million
rows is never held at once. A spreadsheet's cells are held by calamine, natively and compactly,
and become Python text one row at a time.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import BinaryIO

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from domain.imports.encodings import SAMPLE_BYTES, detect_encoding

DELIMITERS = (",", ";", "\t", "|")
SNIFF_ROWS = 50
ZIP_MAGIC = b"PK\x03\x04"  # XLSX and ODS are ZIP archives
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the legacy XLS container
SPREADSHEET_EXTENSIONS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".ods": "ods"}


class ImportFileError(Exception):
    """A file that cannot be read as a table; `code` is stable for clients to switch on:
    EMPTY (no header row), UNREADABLE (a broken spreadsheet or CSV)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Table:
    """A file's header and its rows of text; a row is (line number in the file, cells),
    padded to the header's width (a row with more cells keeps them, so that nothing is lost)."""

    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    format: str  # "csv", "xlsx", "xls" or "ods"
    encoding: str | None  # csv: the detected encoding, e.g. "utf-8-sig", "cp1251", "latin-1"
    delimiter: str | None  # csv: "," ";" "\t" or "|"


def read_table(source: BinaryIO, filename: str | None = None) -> Table:
    """The table in `source`: a spreadsheet by its magic bytes (or extension), else CSV whose
    encoding and delimiter are detected from its first megabyte."""
    head = source.read(SAMPLE_BYTES)
    kind = _spreadsheet_kind(head, filename)
    if kind:
        return _read_spreadsheet(head, source, kind)
    return _read_csv(head, source)


def _spreadsheet_kind(head: bytes, filename: str | None) -> str | None:
    extension = filename[filename.rfind("."):].lower() if filename and "." in filename else ""
    if head.startswith(ZIP_MAGIC):
        return "ods" if extension == ".ods" or b"opendocument" in head[:100] else "xlsx"
    if head.startswith(OLE_MAGIC):
        return "xls"
    if extension in SPREADSHEET_EXTENSIONS and head:
        raise ImportFileError("UNREADABLE", f"{filename} is not a {extension[1:].upper()} file.")
    return None


class _Rejoined(io.RawIOBase):
    """The bytes already read for sniffing, then the rest of the stream, without a copy of it."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            count = min(len(buffer), len(self._head))
            buffer[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _read_csv(head: bytes, source: BinaryIO) -> Table:
    complete = len(head) < SAMPLE_BYTES
    encoding = detect_encoding(head, complete)
    sample = _decoded_sample(head, encoding, complete)
    lines = 0
    delimiter = None
    first_line, _, _ = sample.partition("\n")
    if first_line.strip().lower().startswith("sep=") and len(first_line.strip()) == 5:
        # Excel's hint line names the delimiter and is no part of the table.
        delimiter, lines = first_line.strip()[4], 1
    # A byte the encoding cannot decode (a Latin-1 "ü" deep in a UTF-8 file) becomes U+FFFD,
    # so that its row, not the whole file, is refused (ENCODING) with its line and column.
    text = io.TextIOWrapper(io.BufferedReader(_Rejoined(head, source), 1 << 16),
                            encoding=encoding, errors="replace", newline="")
    if lines:
        text.readline()
    delimiter = delimiter or _sniff_delimiter(sample[len(first_line) + 1:] if lines else sample,
                                              complete)
    reader = csv.reader(text, delimiter=delimiter)
    records = _csv_records(reader, lines)
    headers = _header(records)
    return Table(headers, _padded(records, len(headers)), "csv", encoding, delimiter)


def _decoded_sample(head: bytes, encoding: str, complete: bool) -> str:
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=complete)


def _sniff_delimiter(sample: str, complete: bool) -> str:
    """The delimiter that splits the first rows into the most consistent, widest table."""
    best, best_score = ",", (False, 0.0, 0)
    for delimiter in DELIMITERS:
        rows = [r for r in itertools.islice(csv.reader(io.StringIO(sample), delimiter=delimiter),
                                            SNIFF_ROWS + 1) if any(c.strip() for c in r)]
        if not complete and len(rows) > 1:
            rows = rows[:-1]  # the sample may cut the last row short
        if not rows:
            continue
        width = len(rows[0])
        consistent = sum(len(r) == width for r in rows) / len(rows)
        score = (width > 1, consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_records(reader, lines_before: int) -> Iterator[tuple[int, list[str]]]:
    """(first line of the record, cells): a quoted cell may span lines."""
    previous = 0
    try:
        for cells in reader:
            line = lines_before + previous + 1
            previous = reader.line_num
            yield line, cells
    except csv.Error as exc:
        raise ImportFileError("UNREADABLE",
                              f"Line {lines_before + previous + 1}: {exc}.") from exc


def _header(records: Iterator[tuple[int, list[str]]]) -> list[str]:
    """The first non-blank row, trimmed; blank names become "Column N" and repeated ones
    "Name (2)", so that every column can be named in a mapping."""
    for _, cells in records:
        if any(c.strip() for c in cells):
            break
    else:
        raise ImportFileError("EMPTY", "The file has no header row.")
    while cells and not cells[-1].strip():
        cells.pop()
    headers, seen = [], set()
    for index, cell in enumerate(cells):
        name = cell.strip() or f"Column {index + 1}"
        unique, count = name, 1
        while unique.casefold() in seen:
            count += 1
            unique = f"{name} ({count})"
        seen.add(unique.casefold())
        headers.append(unique)
    return headers


def _padded(records, width: int) -> Iterator[tuple[int, list[str]]]:
    """Rows with any text, each at least `width` cells; blank cells beyond it dropped."""
    for line, cells in records:
        if not "".join(cells).strip():
            continue
        size = len(cells)
        if size < width:
            cells.extend([""] * (width - size))
        elif size > width:
            while len(cells) > width and not cells[-1].strip():
                cells.pop()
        yield line, cells


def _read_spreadsheet(head: bytes, source: BinaryIO, kind: str) -> Table:
    buffer = io.BytesIO(head + source.read()) if len(head) == SAMPLE_BYTES else io.BytesIO(head)
    try:
        workbook = CalamineWorkbook.from_filelike(buffer)
        index = next((i for i, meta in enumerate(workbook.sheets_metadata)
                      if meta.typ == SheetTypeEnum.WorkSheet
                      and meta.visible == SheetVisibleEnum.Visible), 0)
        sheet = workbook.get_sheet_by_index(index)
    except Exception as exc:  # calamine raises its own error types, one per failure
        raise ImportFileError("UNREADABLE", f"Not a readable {kind.upper()} file: {exc}") from exc
    def records() -> Iterator[tuple[int, list[str]]]:
        # iter_rows starts at the sheet's first row, blank or not: its count is Excel's number.
        for number, values in enumerate(sheet.iter_rows(), start=1):
            yield number, [v if type(v) is str else _cell_text(v) for v in values]

    rows = records()
    headers = _header(rows)
    return Table(headers, _padded(rows, len(headers)), kind, None, None)


def _cell_text(value) -> str:
    """A spreadsheet cell as the text it shows: whole numbers without ".0" (a phone number
    typed as a number), dates in ISO 8601."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)
