"""The README's GraphQL examples work as pasted, and its list of operations is the schema's.

Every ```graphql block of README.md runs, in order, against a demo database of its own (the
one `make run` serves), as the admin unless its first line says `# as <role>`. A ```json block
right after it holds its variables. Each must answer without an error, and find something.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse

from api.schema import schema
from api.schema.adapter import graphql_schema
from tests.databases import own_database
from tests.graphql import graphql_over

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
EXAMPLE = re.compile(r"```graphql\n(?P<query>.*?)```(?:[ \t]*\n```json\n(?P<variables>.*?)```)?",
                     re.DOTALL)
ROLE = re.compile(r"\A#\s*as (\w+)", re.IGNORECASE)
OPERATIONS_SECTION = "### Every query and mutation"


def examples() -> list:
    found = []
    for match in EXAMPLE.finditer(README):
        line = README.count("\n", 0, match.start()) + 1
        variables = json.loads(match["variables"]) if match["variables"] else None
        found.append(pytest.param(match["query"], variables, id=f"README.md:{line}"))
    return found


def found_nothing(value) -> bool:
    """Null, an empty list, or a connection without a node."""
    if value is None or value == []:
        return True
    if isinstance(value, dict):
        if "nodes" in value or "edges" in value:
            return not (value.get("nodes") or value.get("edges"))
        if "totalCount" in value:
            return value["totalCount"] == 0
    return False


def payload_errors(value) -> list:
    """The UserErrors of every mutation payload in the data."""
    if isinstance(value, dict):
        own = value.get("errors") or []
        return own + [e for k, v in value.items() if k != "errors" for e in payload_errors(v)]
    if isinstance(value, list):
        return [e for item in value for e in payload_errors(item)]
    return []


@pytest.fixture(scope="module")
def demo_database(server_url: str):
    """A fresh demo database, as `make run` serves it, for this module alone."""
    with own_database(server_url, "crm_readme", demo=True) as url:
        yield url


@pytest.fixture(scope="module")
async def demo_gql(settings, demo_database, principals):
    async with graphql_over(settings, demo_database, principals) as client:
        yield client


def test_readme_has_graphql_examples():
    assert len(examples()) >= 10


@pytest.mark.parametrize("query, variables", examples())
async def test_readme_example_works_as_pasted(demo_gql, query, variables):
    # given one example of the README: one operation, with its variables if it has any
    document = parse(query)
    assert len([d for d in document.definitions if isinstance(d, OperationDefinitionNode)]) == 1
    role = ROLE.match(query.strip())
    # when it is sent to the demo as the README says
    result = await demo_gql(role[1] if role else "admin", query, variables)
    # then it answers without an error, in the response or in a payload
    assert result.status == 200 and not result.errors, result.body
    assert not payload_errors(result.data), result.data
    # and every root field finds something
    empty = [field for field, value in result.data.items() if found_nothing(value)]
    assert not empty, f"{empty} found nothing: {result.data}"


def listed_operations() -> tuple[set[str], set[str]]:
    """The queries and mutations named in the README's table of them."""
    start = README.index(OPERATIONS_SECTION)
    end = README.index("\n#", start + len(OPERATIONS_SECTION))
    queries, mutations = set(), set()
    for row in README[start:end].splitlines():
        cells = row.split("|")
        if len(cells) == 5 and "`" in row:
            queries |= set(re.findall(r"`(\w+)`", cells[2]))
            mutations |= set(re.findall(r"`(\w+)`", cells[3]))
    return queries, mutations


def test_readme_lists_every_query_and_mutation():
    # given the README's table of operations and the schema's root fields
    queries, mutations = listed_operations()
    graphql = graphql_schema(schema)
    # then they are the same, both ways
    assert queries == set(graphql.query_type.fields)
    assert mutations == set(graphql.mutation_type.fields)


def test_readme_lists_every_subscription():
    start = README.index("## Live: the change feed and subscriptions")
    end = README.index("\n## ", start + 1)
    listed = set(re.findall(r"^\| `(\w+)\(", README[start:end], re.MULTILINE))
    assert listed == set(graphql_schema(schema).subscription_type.fields)
