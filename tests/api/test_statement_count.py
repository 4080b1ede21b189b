"""Every relation goes through a DataLoader: nesting costs one statement per level,
whatever the number of records."""

from __future__ import annotations

import pytest

THREE_LEVELS = """query($n: Int!) {
  contacts(first: $n) { edges { node { lastName
    accounts(first: 20) { edges { jobTitle node { name
      notes(first: 5) { nodes { body } } } } } } } }
}"""
SIBLINGS = """query($n: Int!) {
  contacts(first: $n) { nodes { lastName owner { name } territory { name }
    accounts(first: 3) { nodes { name } } consents { purpose } } }
}"""


@pytest.mark.parametrize("n", [1, 100])
async def test_three_levels_run_three_statements(gql, statements, n):
    # given a warm server (the first request ever also reads the database's type catalogue)
    await gql.ok("admin", THREE_LEVELS, {"n": 1})
    statements.reset()
    # when contacts -> accounts -> notes are read for 1 or 100 contacts
    data = await gql.ok("admin", THREE_LEVELS, {"n": n})
    # then one statement ran per level
    assert len(data["contacts"]["edges"]) == n  # the demo alone has 201 contacts
    accounts = [a for c in data["contacts"]["edges"] for a in c["node"]["accounts"]["edges"]]
    assert len(accounts) >= n // 2 and any(a["node"]["notes"]["nodes"] for a in accounts)
    assert statements.count == 3, statements.statements


@pytest.mark.parametrize("n", [1, 100])
async def test_sibling_relations_run_one_statement_each(gql, statements, n):
    await gql.ok("admin", SIBLINGS, {"n": 1})
    statements.reset()
    data = await gql.ok("admin", SIBLINGS, {"n": n})
    assert len(data["contacts"]["nodes"]) == n
    # the list, then owner, territory, accounts and consents: one statement each
    assert statements.count == 5, statements.statements


async def test_forbidden_relation_is_never_fetched(gql, statements):
    # given marketing, which may not read notes
    await gql("marketing", THREE_LEVELS, {"n": 1})
    statements.reset()
    # when it asks for notes three levels down
    result = await gql("marketing", THREE_LEVELS, {"n": 10})
    # then the notes level runs no statement at all
    assert "FORBIDDEN" in result.error_codes()
    assert statements.count == 2
    assert not any("note" in s for s in statements.statements)


async def test_columns_a_role_may_not_read_are_never_selected(gql, statements):
    # given the analyst role, which may not read emails, phones or addresses
    statements.reset()
    # when it asks for them
    result = await gql("analyst", "{ contacts(first: 5) { nodes { lastName emails { address } "
                       "phones { number } address { city } } } }")
    # then they are FORBIDDEN and the SQL never named their columns
    assert set(result.error_codes()) == {"FORBIDDEN"}
    sql = " ".join(statements.statements)
    assert ".last_name" in sql
    for column in (".emails", ".phones", ".address"):
        assert column not in sql
