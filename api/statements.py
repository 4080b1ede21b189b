"""Compiled statements kept between requests, so that most queries skip planning.

A statement depends only on the document, the variables and the caller, never on the
data. Two caches hold them:
- by the exact variables, for a client that repeats itself (a polling portal);
- as a template over the ids of the records a query looks up (`contact(id: $id)`): the
  SQL is the same for every id of one type, only that parameter differs.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import orjson

from api.schema.ids import from_global_id
from auth.principal import Principal

Compiled = tuple[str, tuple, dict[str, list[int]]]  # sql, params, record variable -> positions
CACHE_SIZE = 2048


class _Lru(OrderedDict):
    def get_fresh(self, key):
        if key in self:
            self.move_to_end(key)
            return self[key]
        return None

    def keep(self, key, value) -> None:
        self[key] = value
        if len(self) > CACHE_SIZE:
            self.popitem(last=False)


class StatementCache:
    """Compiled statements by request, and templates by the types of the ids looked up."""

    def __init__(self) -> None:
        self._exact = _Lru()
        self._templates = _Lru()
        # (document, operation) -> the variables that name the records it looks up
        self._record_variables: dict[tuple, frozenset[str]] = {}

    def statement(self, query: str, operation: str | None, variables: dict | None,
                  principal: Principal,
                  compile_: Callable[[], Compiled | None]) -> tuple[str, tuple] | None:
        """The statement for this request: kept, filled in from a template, or compiled."""
        variables = variables or {}
        exact = (query, operation, _canonical(variables), principal)
        if exact in self._exact:
            return self._exact.get_fresh(exact)
        names = self._record_variables.get((query, operation))
        template_key = _template_key(query, operation, variables, principal, names)
        template = self._templates.get_fresh(template_key) if template_key else None
        if template is not None:
            return _fill(template, variables)
        compiled = compile_()
        self._exact.keep(exact, compiled[:2] if compiled else None)
        if compiled and compiled[2]:
            self._record_variables[(query, operation)] = frozenset(compiled[2])
            key = _template_key(query, operation, variables, principal, frozenset(compiled[2]))
            if key:
                self._templates.keep(key, compiled)
        return compiled[:2] if compiled else None


def _canonical(variables: dict) -> bytes:
    return orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)


def _template_key(query, operation, variables: dict, principal: Principal,
                  names: frozenset[str] | None) -> tuple | None:
    """The request with each looked-up id replaced by its type; None if one is no id."""
    if not names:
        return None
    shape = dict(variables)
    for name in names:
        try:
            shape[name] = from_global_id(variables[name])[0]
        except (KeyError, ValueError, TypeError, AttributeError):
            return None
    return (query, operation, _canonical(shape), principal)


def _fill(template: Compiled, variables: dict) -> tuple[str, tuple]:
    sql, params, positions = template
    filled = list(params)
    for name, indexes in positions.items():
        raw = from_global_id(variables[name])[1]
        for index in indexes:
            filled[index] = raw
    return sql, tuple(filled)
