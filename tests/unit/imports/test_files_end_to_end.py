"""One contact list saved as each kind of file people import, read, mapped and normalised: every
file gives the same contacts and the same errors."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pytest

from domain.imports.mapping import guess_mapping
from domain.imports.normalise import ContactRow, Options, normalise_chunk
from tests.unit.imports.files import read, write_csv, write_xlsx

HEADERS = ["Vorname", "Nachname", "E-Mail", "Telefon", "Handy", "Land", "Firma", "Tags",
           "Ansprechpartner"]
ROWS = [
    ["JOHANN", "SCHMIDT", "Johann.Schmidt@Example.DE", "030 1234567", "0151 23456789", "DE",
     "Schmidt & Sohn GmbH", "vip; b2b", ""],
    ["иван", "иванов", "ivan@пример.рф", "8 999 123 45 67", "+7 (999) 765-43-21", "Россия",
     "ООО «Ромашка»", "", ""],
    ["", "", "anna@example.com", "00 49 30 1234567 ext. 12", "", "", "", "", "Anna van Dijk"],
    ["mcDonald", "", "no-at-sign", "12", "", "Atlantis", "", "", ""],
]
EXPECTED = [
    ("Johann", "Schmidt", ["Johann.Schmidt@example.de"],
     [("+49301234567", None, None), ("+4915123456789", None, "mobile")], "DE"),
    ("Иван", "Иванов", ["ivan@пример.рф"],
     [("+79991234567", None, None), ("+79997654321", None, "mobile")], "RU"),
    ("Anna", "van Dijk", ["anna@example.com"], [("+49301234567", "12", None)], None),
]


def _written(kind: str, tmp_path):
    if kind == "xlsx":
        return write_xlsx(tmp_path / "contacts.xlsx", [HEADERS, *ROWS])
    delimiter, encoding, bom = {"comma-utf8": (",", "utf-8", False),
                                "semicolon-utf8-bom": (";", "utf-8", True),
                                "tab-utf8": ("\t", "utf-8", False),
                                "semicolon-cp1251": (";", "cp1251", False),
                                "tab-cp1251": ("\t", "cp1251", False)}[kind]
    return write_csv(tmp_path / "contacts.csv", [HEADERS, *ROWS], delimiter=delimiter,
                     encoding=encoding, bom=bom)


@pytest.mark.parametrize("kind", ["comma-utf8", "semicolon-utf8-bom", "tab-utf8",
                                  "semicolon-cp1251", "tab-cp1251", "xlsx"])
def test_import_file_normalises_alike_in_every_format(kind, tmp_path):
    table, rows = read(_written(kind, tmp_path))
    mapping = guess_mapping(table.headers)

    results = normalise_chunk(rows, mapping, Options(default_region="DE"))

    contacts = [r for r in results if isinstance(r, ContactRow)]
    assert [(c.first_name, c.last_name, [e["address"] for e in c.emails],
             [(p["number"], p["extension"], p["label"]) for p in c.phones],
             c.address["country"] if c.address else None) for c in contacts] == EXPECTED
    assert [c.line for c in contacts] == [2, 3, 4]
    assert contacts[0].tags == ["vip", "b2b"]
    assert contacts[1].company == {"name": "ООО «Ромашка»", "website": None, "external_id": None}
    assert [(e.line, e.column, e.value, e.code) for e in results[3]] == [
        (5, "Nachname", None, "REQUIRED"),
        (5, "E-Mail", "no-at-sign", "INVALID"),
        (5, "Telefon", "12", "INVALID"),
        (5, "Land", "Atlantis", "UNKNOWN_COUNTRY"),
    ]


def test_normalise_chunk_runs_in_a_process_pool(tmp_path):
    table, rows = read(_written("semicolon-cp1251", tmp_path))
    mapping, options = guess_mapping(table.headers), Options(default_region="DE")

    with ProcessPoolExecutor(max_workers=1) as pool:
        pooled = pool.submit(normalise_chunk, rows, mapping, options).result()

    assert pooled == normalise_chunk(rows, mapping, options)
