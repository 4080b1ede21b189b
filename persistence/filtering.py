"""Compile a filter tree into a SQL condition over one alias of a type's table."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Numeric

from domain.access import Access
from domain.decimals import check_digits
from domain.errors import DomainError, ErrorCode
from domain.filters import AllOf, Condition, Filter, Negation, Op, fields_of
from domain.moments import check_date, check_time
from persistence.spec import Spec, Through, require_readable
from persistence.sql import Builder

MAX_FILTER_NODES = 50
MAX_FILTER_TEXT = 1000  # longer than any text a filterable field holds
MAX_IN_VALUES = 100
COMPARISONS = {Op.EQ: "=", Op.GT: ">", Op.GTE: ">=", Op.LT: "<", Op.LTE: "<="}


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _check_operand(spec: Spec, cond: Condition) -> None:
    """Refuse an operand the column could not hold or PostgreSQL would refuse to compare,
    so that a filter is INVALID rather than a failed statement."""
    field = f"filter.{cond.field}"
    values = cond.value if cond.op is Op.IN else [cond.value]
    if len(values) > MAX_IN_VALUES:
        raise DomainError.one(field, ErrorCode.INVALID, f"`in` takes at most {MAX_IN_VALUES} values.")
    column_type = spec.search_column(cond.field).type
    for value in values:
        if isinstance(value, str) and len(value) > MAX_FILTER_TEXT:
            raise DomainError.one(field, ErrorCode.INVALID,
                                  f"Filter text is at most {MAX_FILTER_TEXT} characters.")
        if isinstance(value, Decimal) and isinstance(column_type, Numeric) and column_type.scale:
            check_digits(value, column_type.precision - column_type.scale, column_type.scale, field)
        if isinstance(value, datetime):
            check_time(value, field)
        elif isinstance(value, date):
            check_date(value, field)
    # A pattern may not end in the escape character: PostgreSQL refuses to run it.
    if cond.op is Op.ILIKE and (len(cond.value) - len(cond.value.rstrip("\\"))) % 2:
        raise DomainError.one(field, ErrorCode.INVALID, "An ilike pattern cannot end in a lone "
                              "backslash, which escapes the next character; write \\\\ for a "
                              "backslash.")


def _condition(spec: Spec, access: Access, cond: Condition, t: str, b: Builder) -> str:
    if cond.field in spec.conditions:
        return spec.conditions[cond.field](cond, t, access, b)
    link = spec.through.get(cond.field)
    if link is not None:
        return _through(spec, link, cond, t, b)
    return _compare(spec, cond, f"{t}.{spec.searchable[cond.field][0]}", b)


def _through(spec: Spec, link: Through, cond: Condition, t: str, b: Builder) -> str:
    """A condition on a list read through a link table holds when one listed record meets it;
    `neq` when none is that value, `isNull` when the list is empty."""
    r = b.alias("r")
    source, parent = link.source_sql(r)
    listed = f"SELECT 1 FROM {source} AND {parent} = {t}.id"
    if cond.op is Op.IS_NULL:
        return f"{'NOT ' if cond.value else ''}EXISTS ({listed})"
    if cond.op is Op.NEQ:
        equal = Condition(cond.field, Op.EQ, cond.value)
        return f"NOT EXISTS ({listed} AND {_compare(spec, equal, f'{r}.{link.matched_by}', b)})"
    return f"EXISTS ({listed} AND {_compare(spec, cond, f'{r}.{link.matched_by}', b)})"


def _compare(spec: Spec, cond: Condition, column: str, b: Builder) -> str:
    value = cond.value
    if cond.op is Op.IS_NULL:
        return f"{column} IS NULL" if value else f"{column} IS NOT NULL"
    if value is None:
        raise DomainError.one("filter", ErrorCode.INVALID,
                              f"{cond.field}.{cond.op.value} needs a value; use isNull for nulls.")
    _check_operand(spec, cond)
    if cond.op in COMPARISONS:
        return f"{column} {COMPARISONS[cond.op]} {b.bind(value)}"
    if cond.op is Op.NEQ:
        return f"({column} <> {b.bind(value)} OR {column} IS NULL)"
    if cond.op is Op.IN:
        return f"{column} = ANY({b.bind(list(value))})" if value else "FALSE"
    if cond.op is Op.ILIKE:
        return f"{column} ILIKE {b.bind(value)}"
    if cond.op is Op.STARTS_WITH:
        return f"{column} LIKE {b.bind(escape_like(value) + '%')} ESCAPE '\\'"
    raise DomainError.one("filter", ErrorCode.INVALID, f"Unknown operator {cond.op}.")


def _count(node: Filter) -> int:
    if isinstance(node, Condition):
        return 1
    if isinstance(node, Negation):
        return 1 + _count(node.item)
    return 1 + sum(_count(i) for i in node.items)


def _compile(spec: Spec, access: Access, node: Filter, t: str, b: Builder) -> str:
    if isinstance(node, Condition):
        return _condition(spec, access, node, t, b)
    if isinstance(node, Negation):
        return f"NOT ({_compile(spec, access, node.item, t, b)})"
    parts = [f"({_compile(spec, access, item, t, b)})" for item in node.items]
    if isinstance(node, AllOf):
        return " AND ".join(parts) or "TRUE"
    return " OR ".join(parts) or "FALSE"


def where_sql(spec: Spec, access: Access, node: Filter | None, t: str, b: Builder) -> str:
    """The filter as SQL, after refusing fields the caller may not read."""
    if node is None:
        return "TRUE"
    if _count(node) > MAX_FILTER_NODES:
        raise DomainError.one("filter", ErrorCode.INVALID,
                              f"A filter may have at most {MAX_FILTER_NODES} conditions.")
    require_readable(spec, access, fields_of(node), "filter")
    return f"({_compile(spec, access, node, t, b)})"
