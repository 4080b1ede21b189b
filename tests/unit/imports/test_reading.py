"""Reading import files: CSV in each dialect and encoding people save, and XLSX, as text."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from domain.imports.encodings import detect_encoding
from domain.imports.reading import ImportFileError, read_table
from tests.unit.imports.files import read, write_csv, write_xlsx

PEOPLE = [["Vorname", "Nachname", "Telefon", "Stadt"],
          ["Jürgen", "Müller", "030 1234567", "München"],
          ["Zoë", "Brontë", "0049 30 7654321", "Köln; Altstadt"]]
RUSSIAN = [["Имя", "Фамилия", "Телефон", "Компания"],
           ["Иван", "Иванов", "8 999 123 45 67", "ООО «Ромашка», Москва"],
           ["Пётр", "Сидоров", "+7 (999) 765-43-21", "Лучшие решения"]]


@pytest.mark.parametrize(("delimiter", "encoding", "bom", "expected"), [
    (",", "utf-8", False, "utf-8"),
    (";", "utf-8", True, "utf-8-sig"),
    ("\t", "utf-8", False, "utf-8"),
    (";", "latin-1", False, "latin-1"),
    ("\t", "cp1252", False, "latin-1"),
])
def test_read_table_detects_dialect_and_encoding_of_western_text(tmp_path, delimiter, encoding,
                                                                 bom, expected):
    path = write_csv(tmp_path / "people.csv", PEOPLE, delimiter=delimiter, encoding=encoding,
                     bom=bom)

    table, rows = read(path)

    assert (table.format, table.encoding, table.delimiter) == ("csv", expected, delimiter)
    assert table.headers == PEOPLE[0]
    assert rows == [(2, PEOPLE[1]), (3, PEOPLE[2])]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_read_table_reads_windows_1251(tmp_path, delimiter):
    path = write_csv(tmp_path / "клиенты.csv", RUSSIAN, delimiter=delimiter, encoding="cp1251")

    table, rows = read(path)

    assert (table.encoding, table.delimiter) == ("cp1251", delimiter)
    assert table.headers == RUSSIAN[0]
    assert [cells for _, cells in rows] == RUSSIAN[1:]


def test_read_table_tells_cp1252_by_its_euro_sign(tmp_path):
    path = write_csv(tmp_path / "prices.csv", [["Name", "Note"], ["Müller", "zahlt 5 €"]],
                     delimiter=";", encoding="cp1252")

    table, rows = read(path)

    assert table.encoding == "cp1252"
    assert rows[0][1] == ["Müller", "zahlt 5 €"]


def test_read_table_reads_excels_unicode_text(tmp_path):
    path = write_csv(tmp_path / "unicode.txt", RUSSIAN, delimiter="\t", encoding="utf-16")

    table, rows = read(path)

    assert (table.encoding, table.delimiter, table.headers) == ("utf-16", "\t", RUSSIAN[0])
    assert [cells for _, cells in rows] == RUSSIAN[1:]


def test_read_table_keeps_quoted_delimiters_and_line_breaks_and_counts_lines(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_bytes(b'Name,Note,Phone\r\n"Smith, John","first line\r\nsecond line",0049301234567'
                     b'\r\n\r\n"O""Brien",plain,\r\n')

    table, rows = read(path)

    assert table.delimiter == ","
    assert rows == [(2, ["Smith, John", "first line\r\nsecond line", "0049301234567"]),
                    (5, ['O"Brien', "plain", ""])]


def test_read_table_honours_excels_sep_line(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"sep=;\r\nName;Amount\r\nSmith;1,5\r\n")

    table, rows = read(path)

    assert (table.delimiter, table.headers, rows) == (";", ["Name", "Amount"],
                                                      [(3, ["Smith", "1,5"])])


def test_read_table_names_blank_and_repeated_headers_and_pads_short_rows(tmp_path):
    path = write_csv(tmp_path / "odd.csv", [[" Email ", "", "email", "Phone"],
                                            ["a@example.com"], ["", " ", "", "\t"],
                                            ["b@example.com", "x", "y", "1", "", ""]])

    table, rows = read(path)

    assert table.headers == ["Email", "Column 2", "email (2)", "Phone"]
    assert rows == [(2, ["a@example.com", "", "", ""]), (4, ["b@example.com", "x", "y", "1"])]


def test_read_table_keeps_extra_cells_of_a_row(tmp_path):
    path = write_csv(tmp_path / "shifted.csv", [["Name", "City"], ["Smith", "Berlin", "DE"]])

    _, rows = read(path)

    assert rows == [(2, ["Smith", "Berlin", "DE"])]


def test_read_table_reads_a_stream_that_cannot_seek():
    class Upload(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self.data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            chunk = self.data.read(min(len(buffer), 7))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    body = "Фамилия;Имя\r\n" + "".join(f"Иванов{i};Иван\r\n" for i in range(50_000))
    table = read_table(io.BufferedReader(Upload(body.encode("cp1251"))))

    rows = list(table.rows)
    assert (table.encoding, table.delimiter, len(rows)) == ("cp1251", ";", 50_000)
    assert rows[-1] == (50_001, ["Иванов49999", "Иван"])


def test_read_table_streams_rows_as_they_are_consumed(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("wb") as out:
        out.write(b"Name,Email\r\n")
        for start in range(0, 200_000, 10_000):
            out.write(b"".join(b"N%d,n%d@example.com\r\n" % (i, i)
                               for i in range(start, start + 10_000)))
    with path.open("rb") as source:
        table = read_table(source)
        first = next(table.rows)
        # Only the sniffed sample and one buffer have been read, not the 5 MB file.
        assert source.tell() < 2 * 1024 * 1024
        assert first == (2, ["N0", "n0@example.com"])
        assert sum(1 for _ in table.rows) == 199_999


def test_read_table_marks_bytes_the_detected_encoding_cannot_decode(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"Name\r\n" + b"Smith\r\n" * 200_000 + "Müller\r\n".encode("latin-1"))

    table, rows = read(path)

    assert table.encoding == "utf-8"
    assert rows[-1] == (200_002, ["M\ufffdller"])


def test_read_table_refuses_an_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"\r\n\r\n")

    with pytest.raises(ImportFileError) as caught:
        read(path)

    assert caught.value.code == "EMPTY"


def test_read_table_reads_xlsx_cells_as_the_text_they_show(tmp_path):
    path = write_xlsx(tmp_path / "people.xlsx", [
        ["First name", "Last name", "Phone", "Zip", "Score", "Born", "VIP", "Ratio"],
        ["JOHN", "SMITH", 4930123456, "01067", 85.0, date(1990, 5, 17), True, 0.25],
        [None, None, None, None, None, None, None, None],
        ["Anna", "Schmidt", "+49 30 7654321", 10115, 7, None, False, None],
    ])

    table, rows = read(path)

    assert (table.format, table.encoding, table.delimiter) == ("xlsx", None, None)
    assert table.headers[:3] == ["First name", "Last name", "Phone"]
    assert rows[0] == (2, ["JOHN", "SMITH", "4930123456", "01067", "85", "1990-05-17",
                           "TRUE", "0.25"])
    assert rows[1] == (4, ["Anna", "Schmidt", "+49 30 7654321", "10115", "7", "", "FALSE", ""])


def test_read_table_numbers_xlsx_rows_as_excel_does(tmp_path):
    path = write_xlsx(tmp_path / "offset.xlsx", [[], [], [None, "Name", "Phone"],
                                                 [None, "Smith", 301234567], [],
                                                 [None, "Jones", "030 7654321"]])

    table, rows = read(path)

    assert table.headers == ["Name", "Phone"]
    assert rows == [(4, ["Smith", "301234567"]), (6, ["Jones", "030 7654321"])]


def test_read_table_reads_the_first_visible_sheet(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", [["Hidden"], ["x"]])
    workbook = load_workbook(path)
    workbook.active.sheet_state = "hidden"
    visible = workbook.create_sheet("Contacts")
    visible.append(["Name"])
    visible.append(["Smith"])
    workbook.save(path)

    table, rows = read(path)

    assert (table.headers, rows) == (["Name"], [(2, ["Smith"])])


def test_read_table_recognises_xlsx_by_its_bytes_whatever_its_name(tmp_path):
    path = write_xlsx(tmp_path / "export.csv", [["Name"], ["Smith"]])

    table, rows = read(path)

    assert table.format == "xlsx"
    assert rows == [(2, ["Smith"])]


def test_read_table_refuses_a_broken_xlsx(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip archive")

    with pytest.raises(ImportFileError) as caught:
        read(path)

    assert caught.value.code == "UNREADABLE"


@pytest.mark.parametrize(("text", "encoding", "expected"), [
    ("Name;Gruß\r\nMüller;Grüße aus Köln\r\n", "latin-1", "latin-1"),
    ("Nom,Prénom\r\nLefèvre,Hélène\r\nGarçon,François\r\n", "latin-1", "latin-1"),
    ("Nome,Cidade\r\nJoão Conceição,São Paulo\r\n", "latin-1", "latin-1"),
    ("Фамилия,Email\r\nЩукин,shchukin@example.ru\r\nЁлкин,yolkin@example.ru\r\n", "cp1251",
     "cp1251"),
    ("ФИО;Компания\r\nИванов И. И.;ООО «Ромашка»\r\n", "cp1251", "cp1251"),
])
def test_detect_encoding_tells_cyrillic_from_western_text(text, encoding, expected):
    assert detect_encoding(text.encode(encoding), complete=True) == expected
