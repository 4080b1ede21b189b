"""Compile a filter tree into a WHERE clause over a type's table."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, not_, or_, true

from domain.access import Access
from domain.errors import DomainError, ErrorCode
from domain.filters import AllOf, AnyOf, Condition, Filter, Negation, Op, fields_of
from persistence.spec import Spec, require_readable

MAX_FILTER_NODES = 50


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _condition(spec: Spec, cond: Condition) -> ColumnElement[bool]:
    column = spec.search_column(cond.field)
    value = cond.value
    if cond.op is Op.IS_NULL:
        return column.is_(None) if value else column.is_not(None)
    if value is None:
        raise DomainError.one("filter", ErrorCode.INVALID,
                              f"{cond.field}.{cond.op.value} needs a value; use isNull for nulls.")
    match cond.op:
        case Op.EQ:
            return column == value
        case Op.NEQ:
            return or_(column != value, column.is_(None))
        case Op.IN:
            return column.in_(list(value)) if value else false()
        case Op.GT:
            return column > value
        case Op.GTE:
            return column >= value
        case Op.LT:
            return column < value
        case Op.LTE:
            return column <= value
        case Op.ILIKE:
            return column.ilike(value)
        case Op.STARTS_WITH:
            return column.like(_escape_like(value) + "%", escape="\\")
    raise DomainError.one("filter", ErrorCode.INVALID, f"Unknown operator {cond.op}.")


def _count(node: Filter) -> int:
    if isinstance(node, Condition):
        return 1
    if isinstance(node, Negation):
        return 1 + _count(node.item)
    return 1 + sum(_count(i) for i in node.items)


def _compile(spec: Spec, node: Filter) -> ColumnElement[bool]:
    if isinstance(node, Condition):
        return _condition(spec, node)
    if isinstance(node, Negation):
        return not_(_compile(spec, node.item))
    parts = [_compile(spec, item) for item in node.items]
    if isinstance(node, AllOf):
        return and_(true(), *parts)
    return or_(false(), *parts) if isinstance(node, AnyOf) else true()


def where_clause(spec: Spec, access: Access, node: Filter | None) -> ColumnElement[bool]:
    """The filter as SQL, after refusing fields the caller may not read."""
    if node is None:
        return true()
    if _count(node) > MAX_FILTER_NODES:
        raise DomainError.one("filter", ErrorCode.INVALID,
                              f"A filter may have at most {MAX_FILTER_NODES} conditions.")
    require_readable(spec, access, fields_of(node), "filter")
    return _compile(spec, node)
