"""The rules of an import that need no database: the rights a mapping needs, rows of one batch
that are the same person folded into one, and custom values read from text."""

from __future__ import annotations

import pytest

from auth.grants import access_for
from domain.access import ActorRef, Role
from domain.custom_fields import CustomFieldType, Definition
from domain.errors import DomainError
from domain.import_jobs import ImportKind, require_import
from domain.import_rows import fold, prepare_chunk
from domain.imports.mapping import Mapping
from domain.imports.normalise import Options
from domain.services.imports import custom_value

COLUMNS = ["Ext", "First", "Last", "Email", "Phone", "Company", "Tags"]
MAPPING = Mapping(dict(zip(COLUMNS, ["externalId", "firstName", "lastName", "email", "phone",
                                     "company", "tags"], strict=True)))


def access(role: Role):
    return access_for(role, ActorRef("User"))


def prepared(*cells: list[str]):
    rows = prepare_chunk([(n + 2, c) for n, c in enumerate(cells)], MAPPING, Options("DE"))
    assert all(not isinstance(r, list) for r in rows), rows
    return rows


def test_require_import_allows_sales_to_import_names_channels_and_companies():
    require_import(access(Role.SALES), ImportKind.CONTACTS, MAPPING.columns.values(), [])


def test_require_import_names_every_field_a_role_may_not_write():
    with pytest.raises(DomainError) as refused:
        require_import(access(Role.SALES), ImportKind.CONTACTS,
                       ["lastName", "consent:EMAIL:newsletter", "custom:tier"], ["other"])
    assert {p.field for p in refused.value.problems} == {"Contact.consents",
                                                        "Contact.customFields.tier"}


def test_require_import_refuses_a_role_that_creates_no_contact():
    with pytest.raises(DomainError) as refused:
        require_import(access(Role.MARKETING), ImportKind.CONTACTS, ["lastName"], [])
    assert "You may not create a Contact." in [p.message for p in refused.value.problems]


def test_fold_joins_rows_sharing_an_email_whatever_its_case():
    rows = prepared(["", "Anna", "Schmidt", "anna@a.de", "", "", "VIP"],
                    ["", "", "Schmidt", "ANNA@A.DE", "030 1234567", "", "New"])
    kept, folded = fold(rows)
    assert len(kept) == 1 and len(folded) == 1
    anna = kept[0]
    assert anna.lines == [2, 3]
    assert anna.row.first_name == "Anna" and anna.row.tags == ["VIP", "New"]
    assert [p["number"] for p in anna.row.phones] == ["+49301234567"]


def test_fold_joins_rows_sharing_a_phone_written_differently():
    kept, _ = fold(prepared(["", "Ivan", "Petrov", "", "030 1234567", "", ""],
                            ["", "Ivan", "Petrov", "ivan@b.de", "+49 30 1234567", "", ""]))
    assert len(kept) == 1 and kept[0].row.emails[0]["address"] == "ivan@b.de"


def test_fold_keeps_rows_of_different_external_ids_apart():
    kept, _ = fold(prepared(["A-1", "Ivan", "Petrov", "ivan@b.de", "", "", ""],
                            ["A-2", "Ivan", "Petrov", "ivan@b.de", "", "", ""]))
    assert len(kept) == 2


def test_fold_joins_similar_names_at_the_same_company_only():
    kept, _ = fold(prepared(["", "Jon", "Smith", "", "", "Acme GmbH", ""],
                            ["", "John", "Smyth", "", "", "ACME", ""],
                            ["", "John", "Smith", "", "", "Other Ltd", ""]))
    assert [p.lines for p in kept] == [[2, 3], [4]]


def test_fold_without_fill_leaves_the_first_row_as_it_was():
    kept, _ = fold(prepared(["", "", "Schmidt", "anna@a.de", "", "", ""],
                            ["", "Anna", "Schmidt", "anna@a.de", "", "", ""]), fill=False)
    assert kept[0].row.first_name is None and kept[0].lines == [2, 3]


@pytest.mark.parametrize(("kind", "text", "value"), [
    (CustomFieldType.NUMBER, "42", 42),
    (CustomFieldType.NUMBER, "2,5", 2.5),
    (CustomFieldType.BOOLEAN, "ja", True),
    (CustomFieldType.MULTI_SELECT, "b; a", ["a", "b"]),
    (CustomFieldType.TEXT, "Gold", "Gold"),
])
def test_custom_value_reads_text_as_the_field_takes_it(kind, text, value):
    definition = Definition("tier", kind, options=("a", "b"))
    assert custom_value(definition, text) == value


def test_custom_value_refuses_an_option_the_field_lacks():
    with pytest.raises(DomainError):
        custom_value(Definition("tier", CustomFieldType.SINGLE_SELECT, options=("a",)), "z")
