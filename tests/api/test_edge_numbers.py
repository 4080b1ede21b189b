"""Amounts and filter operands at the edges: parsed strictly, checked before any SQL runs.

A decimal that is not written as digits (an exponent, a separator, a space, NaN) is refused
with code INVALID and a message saying what is wrong; a filter operand the column could not
hold, an ILIKE pattern PostgreSQL would reject, or text too long to be a value, is INVALID on
the filter instead of a server error.
"""

from __future__ import annotations

import pytest

DEAL_CREATE = """mutation($input: OpportunityCreateInput!) { opportunityCreate(input: $input) {
  opportunity { id amount } errors { field code message } } }"""
DEALS_OF = """query($a: ID!) { opportunities(filter: {account: {eq: $a}}) { totalCount } }"""
AMOUNT_OVER = """query($x: Decimal!) { opportunities(filter: {amount: {gt: $x}}) { totalCount } }"""
ORDER_TOTAL_UNDER = """query($x: Decimal!) { orders(filter: {total: {lt: $x}}) { totalCount } }"""
LAST_NAME_LIKE = """query($p: String!) { contacts(filter: {lastName: {ilike: $p}}) { totalCount } }"""
LAST_NAME_IS = """query($p: String!) { contacts(filter: {lastName: {eq: $p}}) { totalCount } }"""
LAST_NAME_IN = """query($p: [String!]!) { contacts(filter: {lastName: {in: $p}}) { totalCount } }"""


@pytest.mark.parametrize(("amount", "why"), [
    ("1_000", "separator"), ("1,000", "comma"), (" 10 ", "spaces"), ("1 000", "spaces"),
    ("1e2", "exponent"), ("1E-2", "exponent"), ("NaN", "not a finite number"),
    ("-Infinity", "not a finite number"), ("+10", "plus sign"), (".5", "digits"), ("", "empty"),
    ("٣", "digits"), ("1" * 29, "28 digits"),
])
async def test_create_with_an_amount_not_written_as_a_decimal_is_invalid(gql, factories,
                                                                          amount, why):
    # given an account
    account = await factories.account()
    # when a deal is opened with an amount written in a way the grammar does not allow
    result = await gql("sales", DEAL_CREATE, {"input": {
        "account": account["id"], "name": "Deal", "amount": amount}})
    # then it is refused, saying what is wrong, and no deal is written
    assert result.error_codes() == ["INVALID"], result.body
    assert why in result.errors[0]["message"], result.errors[0]["message"]
    assert (await gql.ok("admin", DEALS_OF, {"a": account["id"]}))["opportunities"][
        "totalCount"] == 0


async def test_create_with_an_amount_as_a_json_number_is_invalid(gql, factories):
    account = await factories.account()
    result = await gql("sales", DEAL_CREATE, {"input": {
        "account": account["id"], "name": "Deal", "amount": 100.5}})
    assert result.error_codes() == ["INVALID"] and "string" in result.errors[0]["message"]


async def test_create_with_nan_is_not_told_it_is_negative(gql, factories):
    account = await factories.account()
    result = await gql("sales", DEAL_CREATE, {"input": {
        "account": account["id"], "name": "Deal", "amount": "NaN"}})
    assert "negative" not in result.errors[0]["message"]


@pytest.mark.parametrize(("amount", "stored"), [("-0", "0.00"), ("0010.5", "10.50"),
                                                ("999999999999.99", "999999999999.99")])
async def test_create_with_a_plain_decimal_stores_it_in_cents(gql, factories, amount, stored):
    account = await factories.account()
    data = await gql.ok("sales", DEAL_CREATE, {"input": {
        "account": account["id"], "name": "Deal", "amount": amount}})
    assert data["opportunityCreate"]["opportunity"]["amount"] == stored


@pytest.mark.parametrize("literal", ['"1e999999"', "1e999999", "10"])
async def test_a_literal_amount_not_written_as_a_decimal_string_is_invalid(gql, literal):
    result = await gql("admin", f"{{ opportunities(filter: {{amount: {{gt: {literal}}}}}) "
                                "{ totalCount } }")
    assert result.data is None and result.error_codes() == ["INVALID"], result.body


@pytest.mark.parametrize("operand", ["1e999999", "NaN", "1_000", "Infinity"])
async def test_an_amount_filter_not_written_as_a_decimal_is_invalid(gql, operand):
    result = await gql("admin", AMOUNT_OVER, {"x": operand})
    assert result.error_codes() == ["INVALID"], result.body


@pytest.mark.parametrize("operand", ["0.001", "1000000000000", "-1000000000000.5"])
async def test_an_amount_filter_beyond_the_column_is_invalid_at_the_filter(gql, resolver_gql,
                                                                           operand):
    # when deals are filtered by an amount that numeric(14, 2) cannot hold
    for client in (gql, resolver_gql):
        result = await client("admin", AMOUNT_OVER, {"x": operand})
        # then the filter is refused, on both paths, naming the filter and the digits allowed
        assert result.error_codes() == ["INVALID"], result.body
        assert result.errors[0]["extensions"]["argument"] == "filter.amount"
        assert "12 digits" in result.errors[0]["message"]


@pytest.mark.parametrize("operand", ["999999999999.99", "-999999999999.99", "0.5", "20000"])
async def test_an_amount_filter_the_column_can_hold_answers(gql, operand):
    await gql.ok("admin", AMOUNT_OVER, {"x": operand})
    await gql.ok("admin", ORDER_TOTAL_UNDER, {"x": operand})


@pytest.mark.parametrize("pattern", ["\\", "Mc\\", "a\\\\\\"])
async def test_an_ilike_pattern_ending_in_a_lone_backslash_is_invalid(gql, resolver_gql, pattern):
    # given the reproduction: a pattern whose last character escapes nothing
    for client in (gql, resolver_gql):
        result = await client("admin", LAST_NAME_LIKE, {"p": pattern})
        # then it is refused as INVALID on the filter, not a server error
        assert result.error_codes() == ["INVALID"], result.body
        assert result.errors[0]["extensions"]["argument"] == "filter.lastName"


async def test_the_literal_reproduction_of_a_lone_backslash_is_invalid(gql):
    result = await gql("admin", '{ contacts(filter: {lastName: {ilike: "\\\\"}}) { totalCount } }')
    assert result.error_codes() == ["INVALID"], result.body


@pytest.mark.parametrize("pattern", ["\\\\", "%\\%%", "Mc%", "\\_x"])
async def test_an_ilike_pattern_with_escaped_characters_answers(gql, pattern):
    await gql.ok("admin", LAST_NAME_LIKE, {"p": pattern})


async def test_filter_text_longer_than_any_value_is_invalid(gql):
    result = await gql("admin", LAST_NAME_IS, {"p": "x" * 1001})
    assert result.error_codes() == ["INVALID"], result.body
    assert "1000" in result.errors[0]["message"]
    await gql.ok("admin", LAST_NAME_IS, {"p": "x" * 1000})


async def test_an_in_list_longer_than_a_page_of_values_is_invalid(gql):
    result = await gql("admin", LAST_NAME_IN, {"p": [f"n{i}" for i in range(101)]})
    assert result.error_codes() == ["INVALID"], result.body
    await gql.ok("admin", LAST_NAME_IN, {"p": [f"n{i}" for i in range(100)]})
