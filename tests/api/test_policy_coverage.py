"""The policy covers the schema, generated from the schema itself: a new field, filter, sort
key or grouping is covered the moment it is declared, without a line added here.

- Every field of every record type (and of the edges that carry a link's fields) belongs to
  exactly one policy group, and every field a group names exists.
- Every argument that filters, sorts, searches, groups or aggregates by a field is refused
  (FORBIDDEN) to each role that may not read that field, and allowed to a role that may: the
  lists' filters and sort keys, the aggregates' filters, groupings and numbers, and what the
  other fields declare with Reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLList, GraphQLNonNull, Undefined

from api.resolvers.aggregates import AGGREGATE_FIELDS
from api.schema import schema
from api.schema.adapter import graphql_schema
from api.schema.fields import TYPES
from api.schema.forms import Listing, form_of, policy_type
from api.schema.reads import Reads, reads_of
from auth.policy import GROUPS
from persistence.uow import SPECS
from tests.demo import CUSTOMER

ROLES = ("admin", "sales", "marketing", "service", "analyst", "partner", "customer")
GRAPHQL = graphql_schema(schema)
QUERY = GRAPHQL.query_type
# A group that stands for a relation the API changes but lists nowhere: partnerRegister
# opens a record to a partner's portal, and needs Partner.registrations to.
PERMISSION_ONLY = {("Partner", "registrations")}
POLICY_TYPES = sorted({g.split(".")[0] for g in GROUPS}, key=len, reverse=True)  # longest first
# Values for arguments, by name and else by GraphQL type: a window around the demo's data,
# and the demo customer's id for a record.
SAMPLES = {"from": '"2025-01-01"', "to": '"2027-12-31"', "Date": '"2026-01-01"',
           "DateTime": '"2026-01-01T00:00:00Z"', "ID": f'"{CUSTOMER}"', "String": '"en"',
           "Int": "1", "Boolean": "false"}


def _unwrap(graphql_type):
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return graphql_type


def _policy_fields() -> Iterator[tuple[str, str, str]]:
    """(policy type, field, where) of every field of every object type that stands for one."""
    for name, graphql_type in GRAPHQL.type_map.items():
        if name.startswith("__") or not hasattr(graphql_type, "fields") or isinstance(
                graphql_type, GraphQLInputObjectType):
            continue
        for field_name in graphql_type.fields:
            policy = policy_type(schema.get_field_for_type(field_name, name))
            if policy or name in TYPES:
                yield policy or name, field_name, f"{name}.{field_name}"


def _group_of() -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for group, fields in GROUPS.items():
        for field_name in fields:
            found.setdefault((group.split(".")[0], field_name), []).append(group)
    return found


def test_every_field_of_every_record_type_is_in_exactly_one_group():
    groups = _group_of()
    wrong = {where: groups.get((policy, field_name), [])
             for policy, field_name, where in _policy_fields()
             if len(groups.get((policy, field_name), [])) != 1}
    assert wrong == {}, "each field needs exactly one group in auth/policy.py GROUPS"


def _written_fields() -> set[tuple[str, str]]:
    """Fields of the inputs that write a type (ActivityLogInput.occurredAt writes Activity)."""
    written = set()
    for name, graphql_type in GRAPHQL.type_map.items():
        if isinstance(graphql_type, GraphQLInputObjectType):
            owner = next((t for t in POLICY_TYPES if name.startswith(t)), None)
            written |= {(owner, f) for f in graphql_type.fields if owner}
    return written


def test_every_field_a_group_names_exists():
    exposed = {(policy, field_name) for policy, field_name, _ in _policy_fields()}
    stored = {(t, f) for t, spec in SPECS.items() for f in spec.columns}
    known = exposed | stored | _written_fields() | PERMISSION_ONLY
    unknown = sorted(key for key in _group_of() if key not in known)
    assert unknown == [], "a group names a field that is neither in the schema nor stored"


# --- Filters and sort keys of the lists, from the schema and the specs -------------------

def _lists() -> Iterator[tuple[str, str]]:
    for name in QUERY.fields:
        form = form_of(schema.get_field_for_type(name, "Query"))
        if isinstance(form, Listing):
            yield name, form.type_name


def _filter_cases() -> Iterator[tuple[str, str, str, str]]:
    """(list, type, query, guarding policy field) for each field of each list's filter."""
    for list_name, type_name in _lists():
        spec = SPECS[type_name]
        filter_type = _unwrap(QUERY.fields[list_name].args["filter"].type)
        for field_name in filter_type.fields:
            if field_name in ("and", "or", "not"):
                continue
            assert field_name in spec.searchable, f"{type_name} filter {field_name} has no guard"
            # conditions on named values (custom fields) name the value they are on
            named = 'name: "any", ' if field_name in spec.conditions else ""
            yield (list_name, type_name, "{ %s(first: 1, filter: {%s: {%sisNull: true}}) "
                   "{ totalCount } }" % (list_name, field_name, named), spec.guard(field_name))


def _order_cases() -> Iterator[tuple[str, str, str, str]]:
    """(list, type, query, guarding policy field) for each sort key of each list."""
    for list_name, type_name in _lists():
        spec = SPECS[type_name]
        order_input = _unwrap(QUERY.fields[list_name].args["orderBy"].type)
        keys: GraphQLEnumType = _unwrap(order_input.fields["field"].type)
        for value_name, value in keys.values.items():
            assert value.value in spec.searchable, f"{type_name} sorts by {value.value} unguarded"
            named = ', customField: "any"' if value.value in spec.sorts else ""
            yield (list_name, type_name, "{ %s(first: 1, orderBy: [{field: %s%s}]) "
                   "{ totalCount } }" % (list_name, value_name, named), spec.guard(value.value))


def _expect(principals, type_name: str, guard: str) -> dict[str, bool]:
    return {role: principals[role].access().can_read(type_name, guard) for role in ROLES}


async def _assert_guarded(gql, query: str, allowed: dict[str, bool]) -> None:
    assert any(allowed.values()), f"no role may use {query}"
    for role, may in allowed.items():
        result = await gql(role, query)
        if may:
            assert result.errors == [], (role, query, result.errors)
        else:
            assert result.error_codes() == ["FORBIDDEN"], (role, query, result.body)


def _dated(type_name: str, field_name: str) -> bool:
    return issubclass(SPECS[type_name].column(field_name).type.python_type, date)


def _aggregate_cases() -> Iterator[tuple[str, str, str, str]]:
    """(aggregate, type, query, guarding policy field) for each field of each aggregate's
    filter, each field it may group by and each number it may add up."""
    for name, type_name in AGGREGATE_FIELDS.items():
        spec, args = SPECS[type_name], QUERY.fields[name].args
        for field_name in _unwrap(args["filter"].type).fields:
            if field_name not in ("and", "or", "not"):
                named = 'name: "any", ' if field_name in spec.conditions else ""
                yield (name, type_name, "{ %s(filter: {%s: {%sisNull: true}}) { totalCount } }"
                       % (name, field_name, named), spec.guard(field_name))
        keys: GraphQLEnumType = _unwrap(_unwrap(args["groupBy"].type).fields["field"].type)
        for value_name, value in keys.values.items():
            interval = ", interval: MONTH" if _dated(type_name, value.value) else ""
            yield (name, type_name, "{ %s(groupBy: [{field: %s%s}]) { totalCount } }"
                   % (name, value_name, interval), value.value)
        numbers = _unwrap(args["numbers"].type).values if "numbers" in args else {}
        for value_name, value in numbers.items():
            yield (name, type_name, "{ %s(numbers: [%s]) { totalCount } }" % (name, value_name),
                   value.value)


@pytest.mark.parametrize("list_name, type_name, query, guard",
                         [pytest.param(*case, id=case[2])
                          for case in (*_filter_cases(), *_order_cases())])
async def test_filtering_or_sorting_by_a_field_needs_read_access_to_it(
        gql, resolver_gql, principals, list_name, type_name, query, guard):
    # given the roles that may and may not read the field guarding the argument
    allowed = _expect(principals, type_name, guard)
    # then on both read paths each is refused or answered accordingly
    await _assert_guarded(gql, query, allowed)
    await _assert_guarded(resolver_gql, query, allowed)


@pytest.mark.parametrize("aggregate, type_name, query, guard",
                         [pytest.param(*case, id=case[2]) for case in _aggregate_cases()])
async def test_aggregating_by_a_field_needs_read_access_to_it(
        gql, principals, aggregate, type_name, query, guard):
    # given the roles that may and may not read the field filtered, grouped by or added up
    allowed = _expect(principals, type_name, guard)
    # then each is refused or answered accordingly
    await _assert_guarded(gql, query, allowed)


# --- Searches, groupings and aggregates declared with Reads -----------------------------

def test_every_argument_that_picks_by_a_field_is_declared():
    # given the query arguments of enum or input types: the ways to filter, sort or group
    undeclared = []
    lists = dict(_lists())
    for name, field in QUERY.fields.items():
        reads = reads_of(schema.get_field_for_type(name, "Query")) or Reads()
        for argument, arg in field.args.items():
            if not isinstance(_unwrap(arg.type), GraphQLEnumType | GraphQLInputObjectType):
                continue
            # then each is a list's filter or orderBy, an aggregate's filter, groupBy or
            # numbers (guarded by its spec), or declared
            if (name in lists and argument in ("filter", "orderBy")) or (
                    name in AGGREGATE_FIELDS and argument in ("filter", "groupBy", "numbers")) or (
                    argument in reads.arguments or argument in reads.values):
                continue
            undeclared.append(f"{name}({argument})")
    assert undeclared == [], "declare what these arguments read with Reads"


def _sample(name: str, graphql_type) -> str:
    inner = _unwrap(graphql_type)
    value = (next(iter(inner.values)) if isinstance(inner, GraphQLEnumType)
             else SAMPLES.get(name) or SAMPLES[inner.name])
    if SAMPLES.get(name) and inner.name == "DateTime":
        value = value[:-1] + 'T00:00:00Z"'
    return f"[{value}]" if isinstance(_strip(graphql_type), GraphQLList) else value


def _strip(graphql_type):
    return graphql_type.of_type if isinstance(graphql_type, GraphQLNonNull) else graphql_type


def _selection(graphql_type) -> str:
    return " { __typename }" if hasattr(_unwrap(graphql_type), "fields") else ""


def _read_cases() -> Iterator[tuple[str, str, dict, str | None]]:
    """(query field, query, arguments as the declaration reads them, nested field) for every
    field that declares what it reads: once with its required arguments, once more for each
    optional argument it declares, and once for each value of an enum argument it declares."""
    for name, field in QUERY.fields.items():
        reads = reads_of(schema.get_field_for_type(name, "Query"))
        nested = [(sub, reads_of(schema.get_field_for_type(sub, _unwrap(field.type).name)))
                  for sub in getattr(_unwrap(field.type), "fields", {})]
        nested = [(sub, r) for sub, r in nested if r is not None]
        if reads is None and not nested:
            continue
        reads = reads or Reads()
        required = {a: _sample(a, arg.type) for a, arg in field.args.items()
                    if isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined}
        variants = [dict(required)]
        variants += [{**required, a: _sample(a, field.args[a].type)} for a in reads.arguments]
        variants += [{**required, a: v} for a, by_value in reads.values.items() for v in by_value]
        for given in {tuple(v.items()): v for v in variants}.values():
            arguments = ", ".join(f"{a}: {v}" for a, v in given.items())
            call = f"{name}({arguments})" if arguments else name
            values = {a: v.strip('"') for a, v in given.items()}
            yield name, "{ %s%s }" % (call, _selection(field.type)), values, None
            for sub, _ in nested:
                yield name, "{ %s { %s%s } }" % (
                    call, sub, _selection(_unwrap(field.type).fields[sub].type)), values, sub


def _declared(name: str, values: dict, nested: str | None) -> tuple[tuple[str, ...], ...]:
    field = schema.get_field_for_type(name, "Query")
    own = (reads_of(field) or Reads()).read_by(values)
    if nested is None:
        return (own,)
    parent = _unwrap(QUERY.fields[name].type).name
    return own, reads_of(schema.get_field_for_type(nested, parent)).read_by({})


def _may_read(principal, names) -> bool:
    access = principal.access()
    return all(access.can_read(*n.split(".")) for n in names)


@pytest.mark.parametrize("name, query, values, nested",
                         [pytest.param(*case, id=case[1]) for case in _read_cases()])
async def test_what_a_field_groups_searches_or_aggregates_by_needs_read_access(
        gql, principals, name, query, values, nested):
    # given what the field (and the field below it, if one) declares it reads
    declared = _declared(name, values, nested)
    outcomes = {}
    for role in ROLES:
        if not _may_read(principals[role], declared[0]):
            outcomes[role] = ([name], False)
        elif nested is None:
            outcomes[role] = ([name], True)
        else:
            outcomes[role] = ([name, nested], _may_read(principals[role], declared[-1]))
    assert any(may for _, may in outcomes.values()), f"no role may ask {query}"
    # then each role is refused at the path that reads what it may not, and only there
    for role, (path, may) in outcomes.items():
        result = await gql(role, query)
        refused = [e for e in result.errors if e.get("extensions", {}).get("code") == "FORBIDDEN"]
        if may:
            assert refused == [], (role, query, refused)
        else:
            assert refused and all([p for p in e["path"] if not isinstance(p, int)] == path
                                   for e in refused), (role, query, result.body)
