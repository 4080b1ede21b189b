"""The start-up checks of the record-type declarations: the real ones pass, and each check
refuses a broken declaration, naming its culprit."""

from __future__ import annotations

import dataclasses

import pytest
import strawberry
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, Text

from api.schema import declaration_checks as api_checks
from api.schema.fields import TYPES, column, node_id
from api.schema.relay import Record
from api.settings import Settings
from persistence import declaration_checks
from persistence.declaration import (
    PROVENANCE,
    Children,
    InternalTable,
    RecordType,
    col,
    meta,
    rel,
)
from persistence.record_types import INTERNAL_TABLES, RECORD_TYPES
from persistence.schema import metadata
from persistence.spec import Through

BOARD = MetaData()
WIDGET = Table("widget", BOARD, Column("id", Text, primary_key=True), Column("version", Integer),
               Column("created_at", Text), Column("updated_at", Text),
               Column("archived_at", Text), Column("created_by", Text),
               Column("updated_by", Text), Column("label", Text))
PART = Table("part", BOARD, Column("id", Text, primary_key=True),
             Column("widget_id", Text, ForeignKey("widget.id")))
LOG = Table("widget_log", BOARD, Column("id", Text, primary_key=True))


def _widget(**groups) -> RecordType:
    return RecordType(name="Widget", table=WIDGET,
                      groups={"meta": meta(), "provenance": PROVENANCE,
                              "label": (col("label"),), **groups})


PART_TYPE = RecordType(name="Part", table=PART, groups={"all": (col("id"),)}, node=False)
LOG_TABLE = InternalTable(LOG, "a log nobody reads")


@strawberry.type(description="A widget.")
class Widget(Record):
    id: strawberry.ID = node_id("Widget")
    label: str | None = column("Its label.")


@strawberry.type(description="A widget whose colour comes from a resolver.")
class PaintedWidget(Record):
    id: strawberry.ID = node_id("Widget")
    label: str | None = column("Its label.")

    @strawberry.field(description="Its colour.")
    def colour(self) -> str:
        return "red"


def test_declarations_of_the_crm_pass_every_check():
    assert declaration_checks.problems(RECORD_TYPES, INTERNAL_TABLES, metadata) == []
    assert api_checks.problems(RECORD_TYPES, TYPES) == []


def test_sound_declarations_pass():
    widget = _widget(parts=(rel("parts", Children("Part", "widget_id", ("id",))),))
    assert declaration_checks.problems((widget, PART_TYPE), (LOG_TABLE,), BOARD) == []


def test_check_refuses_a_field_in_two_groups():
    widget = _widget(copy=(col("label"),))
    found = declaration_checks.problems((widget, PART_TYPE), (LOG_TABLE,), BOARD)
    assert found == ["Widget.label is in 2 policy groups (label, copy); a field belongs to "
                     "exactly one"]


def test_check_refuses_a_table_without_declaration():
    found = declaration_checks.problems((_widget(), PART_TYPE), (), BOARD)
    assert found == ["table widget_log has no declaration: add it to "
                     "persistence/record_types.py"]


def test_check_refuses_a_column_the_table_lacks_and_a_child_list_without_its_type():
    widget = _widget(colour=(col("colour"),),
                     parts=(rel("parts", Children("Gadget", "widget_id", ("id",))),))
    found = declaration_checks.problems((widget, PART_TYPE), (LOG_TABLE,), BOARD)
    assert found == ["Widget.colour: table widget has no column colour",
                     "Widget.parts lists Gadget, which is not declared"]


def test_check_refuses_a_link_table_that_does_not_join_its_parent_to_the_listed_type():
    link = Table("widget_part", BOARD, Column("id", Text, primary_key=True),
                 Column("widget_id", Text), Column("part_id", Text))
    joined = Through(link, "widget_id", "part_id", matched_by="id", target=PART)
    widget = _widget(parts=(rel("parts", Children("Part", "widget_id", ("id",), joined),
                                filterable=True),))
    internal = (LOG_TABLE, InternalTable(link, "which parts a widget holds"))
    assert declaration_checks.problems((widget, PART_TYPE), internal, BOARD) == []
    astray = dataclasses.replace(joined, child_column="part")
    widget = _widget(parts=(rel("parts", Children("Part", "widget_id", ("id",), astray)),))
    assert declaration_checks.problems((widget, PART_TYPE), internal, BOARD) == [
        "Widget.parts: link table widget_part does not join its parent to part"]


def test_check_refuses_a_graphql_field_in_no_policy_group():
    found = api_checks.problems((_widget(),), {"Widget": PaintedWidget})
    assert found == ["Widget.colour is a field of the GraphQL type but in no policy group of "
                     "its declaration"]


def test_check_refuses_a_field_with_neither_compiled_form_nor_resolver_only():
    found = api_checks.problems((_widget(paint=(col("colour", "label"),)),),
                                {"Widget": PaintedWidget})
    assert found == ["Widget.colour has neither a compiled form nor resolver_only with a reason"]
    reasoned = _widget(paint=(col("colour", "label", resolver_only="computed in Python"),))
    assert api_checks.problems((reasoned,), {"Widget": PaintedWidget}) == []


def test_check_refuses_a_record_type_without_graphql_type_and_a_wrong_node_flag():
    assert api_checks.problems((_widget(),), {}) == [
        "record type Widget has no GraphQL type registered with @record_type"]
    not_node = dataclasses.replace(_widget(), node=False)
    assert api_checks.problems((not_node,), {"Widget": Widget}) == [
        "Widget is declared no Node, but its GraphQL type does implement Node"]


def test_app_refuses_to_start_naming_the_culprit(monkeypatch):
    broken = dataclasses.replace(RECORD_TYPES[0], groups={
        **RECORD_TYPES[0].groups, "again": RECORD_TYPES[0].groups["names"]})
    monkeypatch.setattr(api_checks, "RECORD_TYPES", (broken, *RECORD_TYPES[1:]))
    from api.app import create_app

    with pytest.raises(declaration_checks.DeclarationError,
                       match=r"Contact\.firstName is in 2 policy groups \(names, again\)"):
        create_app(Settings(), url="postgresql+asyncpg://nobody@127.0.0.1:1/none")
