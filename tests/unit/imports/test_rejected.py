"""The rejected rows as a CSV: the rows as they were with an error column, which, once fixed,
imports."""

from __future__ import annotations

import csv
import io

from domain.imports.mapping import guess_mapping
from domain.imports.normalise import ContactRow, Options, normalise_chunk
from domain.imports.rejected import rejected_csv
from tests.unit.imports.files import read, write_csv

HEADERS = ["Имя", "Фамилия", "E-Mail", "Телефон", "Страна"]
ROWS = [["Иван", "Иванов", "ivan@example.ru", "8 999 123 45 67", "Россия"],
        ["Пётр", "", "petr(at)example.ru", "8 999 765 43 21", "Россия"],
        ["Анна", "Смирнова", "anna@example.ru", "12345", "Атлантида"]]


def _import(path):
    table, rows = read(path)
    results = normalise_chunk(rows, guess_mapping(table.headers), Options(default_region="RU"))
    return table, rows, results


def test_rejected_csv_keeps_the_rows_as_they_were_and_explains_each(tmp_path):
    table, rows, results = _import(write_csv(tmp_path / "in.csv", [HEADERS, *ROWS],
                                             delimiter=";", encoding="cp1251"))
    rejected = [(cells, errors) for (_, cells), errors in zip(rows, results, strict=True)
                if isinstance(errors, list)]

    data = rejected_csv(table.headers, rejected)

    assert data.startswith(b"\xef\xbb\xbf")
    written = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert written[0] == HEADERS + ["error"]
    assert [r[:-1] for r in written[1:]] == ROWS[1:]
    assert written[1][-1].splitlines() == [
        "Фамилия: A contact needs a last name (or a full name).",
        "E-Mail: " + results[1][1].message]
    assert written[2][-1].splitlines()[0].startswith("Телефон: ")
    assert written[2][-1].splitlines()[1].startswith("Страна: Unknown country 'Атлантида'")


def test_rejected_csv_once_fixed_reads_back_and_imports(tmp_path):
    table, rows, results = _import(write_csv(tmp_path / "in.csv", [HEADERS, *ROWS],
                                             delimiter=";", encoding="cp1251"))
    rejected = [(cells, errors) for (_, cells), errors in zip(rows, results, strict=True)
                if isinstance(errors, list)]
    path = tmp_path / "rejected.csv"
    path.write_bytes(rejected_csv(table.headers, rejected))

    fixed_table, fixed_rows = read(path)
    fixes = {"": "Петров", "petr(at)example.ru": "petr@example.ru", "12345": "+7 999 111 22 33",
             "Атлантида": "RU"}
    fixed = [[fixes.get(c, c) for c in cells[:-1]] + [cells[-1]] for _, cells in fixed_rows]
    write_csv(path, [fixed_table.headers, *fixed])
    again_table, again_rows, again = _import(path)

    assert again_table.headers[-1] == "error"
    assert guess_mapping(again_table.headers).columns["error"] == "ignore"
    assert all(isinstance(r, ContactRow) for r in again), again
    assert [(c.last_name, c.emails[0]["address"], c.phones[0]["number"], c.address["country"])
            for c in again] == [("Петров", "petr@example.ru", "+79997654321", "RU"),
                                ("Смирнова", "anna@example.ru", "+79991112233", "RU")]


def test_rejected_csv_keeps_cells_beyond_the_header(tmp_path):
    table, rows, results = _import(write_csv(tmp_path / "in.csv", [
        ["Last name", "City"], ["Smith", "Berlin", "spilled over"]]))

    data = rejected_csv(table.headers, [(rows[0][1], results[0])])

    written = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert written[0] == ["Last name", "City", "", "error"]
    assert written[1][:3] == ["Smith", "Berlin", "spilled over"]
    assert "quote a value" in written[1][3]
