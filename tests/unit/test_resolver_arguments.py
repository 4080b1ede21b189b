"""The compiled paths receive a field's arguments exactly as strawberry hands them to its
resolver, also where they build a mutation's input object themselves."""

from __future__ import annotations

import pytest
from graphql import get_operation_ast, parse
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.types.arguments import convert_arguments

from api.schema import schema
from api.schema.adapter import graphql_schema, resolver_arguments
from tests.demo import CUSTOMER, DEMO_PARTNER_ACCOUNT, SALES_USER, TERRITORY_DACH

GRAPHQL = graphql_schema(schema)
CONTACT_INPUT = {"id": CUSTOMER, "version": 3, "firstName": "Ada", "lastName": None,
                 "emails": [{"address": "a@example.com", "primary": True, "label": "work"},
                            {"address": "b@example.com"}],
                 "phones": [], "address": {"city": "Graz", "country": "AT", "street": None},
                 "lifecycleStage": "CUSTOMER", "leadScore": 7, "owner": SALES_USER,
                 "territory": None}
CASES = [
    ("Mutation", "contactUpdate", "mutation($input: ContactUpdateInput!) { "
     "contactUpdate(input: $input) { errors { code } } }", {"input": CONTACT_INPUT}),
    ("Mutation", "contactUpdate", "mutation($input: ContactUpdateInput!) { "
     "contactUpdate(input: $input) { errors { code } } }", {"input": {"id": CUSTOMER,
                                                                     "version": 1}}),
    ("Mutation", "accountUpdate", "mutation { accountUpdate(input: {id: \"" + DEMO_PARTNER_ACCOUNT
     + "\", version: 2, size: LARGE, parent: null, territory: \"" + TERRITORY_DACH + "\"}) "
     "{ errors { code } } }", {}),
    ("Query", "contacts", "query($f: ContactFilter) { contacts(first: 5, filter: $f, orderBy: "
     "[{field: LAST_NAME, direction: DESC}]) { totalCount } }",
     {"f": {"lastName": {"startsWith": "K"}, "lifecycleStage": {"in": ["LEAD"]}}}),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_arguments_are_those_strawberry_gives_its_resolver(case):
    # given graphql-core's coerced argument values of a field
    type_name, name, document, variables = CASES[case]
    operation = get_operation_ast(parse(document))
    values = get_variable_values(GRAPHQL, operation.variable_definitions or (), variables)
    raw = get_argument_values(GRAPHQL.get_type(type_name).fields[name],
                              operation.selection_set.selections[0], values)
    field = schema.get_field_for_type(name, type_name)
    # when the compiled paths convert them
    converted = resolver_arguments(schema, field, raw)
    # then they are strawberry's, value for value and type for type
    expected = convert_arguments(raw, field.arguments, config=schema.config,
                                 scalar_registry=schema.schema_converter.scalar_registry)
    assert converted == expected
    assert {k: type(v) for k, v in converted.items()} == {k: type(v) for k, v in expected.items()}
    assert repr(converted) == repr(expected)
