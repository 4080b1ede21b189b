"""The app refuses a schema whose compiled forms are broken, naming each culprit, so that a
typo cannot quietly send a field down the resolver path."""

from __future__ import annotations

import pytest
import strawberry

from api.compiled import checks
from api.schema import forms, schema
from domain.filters import OrderTerm
from persistence.declaration_checks import DeclarationError


@strawberry.type(name="User", description="A user.")
class User:
    name: str = strawberry.field(description="Name.", metadata=forms.compiled(forms.Value()))


def _schema(**fields) -> strawberry.Schema:
    """A schema whose Query holds `fields`, and a Contact type with an owner."""
    contact = strawberry.type(name="Contact", description="A contact.")(type("Contact", (), {
        "__annotations__": {"owner": User},
        "owner": strawberry.field(description="Owner.", metadata=fields.pop("owner_metadata", {}),
                                  default=None)}))
    annotations = {name: int for name in fields}
    query = type("Query", (), {
        "__annotations__": {**annotations, "contact": contact},
        **{name: strawberry.field(description="A field.", metadata=metadata, default=0)
           for name, metadata in fields.items()},
        "contact": strawberry.field(description="A contact.", default=None)})
    return strawberry.Schema(query=strawberry.type(query, description="Reads."))


def test_the_forms_of_the_crm_pass():
    assert checks.problems(schema) == []


def test_a_metadata_key_other_than_the_form_is_refused():
    found = checks.problems(_schema(widgets={"sql": "list"}))
    assert found == ["Query.widgets: metadata key 'sql' means nothing: a field's metadata "
                     "holds only its form"]


def test_a_form_that_is_no_form_is_refused():
    found = checks.problems(_schema(widgets={forms.COMPILED: "list"}))
    assert found == ["Query.widgets: 'list' is no compiled form"]


def test_a_sort_key_the_type_cannot_be_sorted_by_is_refused():
    page = forms.Page("Product", (OrderTerm("nmae"),))
    found = checks.problems(_schema(products=forms.compiled(page)))
    assert found == ["Query.products: sorts Product by nmae, which it cannot be sorted by"]


def test_a_reference_to_another_type_than_the_field_shows_is_refused():
    found = checks.problems(_schema(owner_metadata=forms.compiled(forms.Reference("Usr"))))
    assert found == ["Contact.owner: refers to Usr, but its GraphQL type is User"]


def test_a_root_form_on_a_nested_field_is_refused():
    found = checks.problems(_schema(owner_metadata=forms.compiled(forms.Calendar())))
    assert found == ["Contact.owner: Calendar is no form of a nested field"]


def test_check_forms_raises_naming_every_culprit():
    with pytest.raises(DeclarationError, match=r"Query\.widgets: metadata key 'sql'"):
        checks.check_forms(_schema(widgets={"sql": "list"}))
