"""Products, price books and orders through the API: prices, totals, statuses, access."""

from __future__ import annotations

import itertools
import re

import pytest

from tests.demo import CUSTOMER

PRODUCT = """mutation($input: ProductInput!) { productSave(input: $input) {
  product { id version sku active } errors { field code } } }"""
BOOKS = """{ priceBooks { nodes { id name isStandard entries { currency unitPrice
  product { sku } } } } }"""
PRICE = """mutation($input: PriceInput!) { priceSet(input: $input) {
  priceBook { id } errors { field code } } }"""
CREATE = """mutation($input: OrderCreateInput!) { orderCreate(input: $input) {
  order { id version number status currency subtotal discountTotal total
          lines { position quantity unitPrice discountPercent total product { sku } } }
  errors { field code message } } }"""
STATUS = """mutation($input: OrderStatusInput!) { orderStatusSet(input: $input) {
  order { status version } errors { field code } } }"""
HISTORY = """query($a: ID) { orders(filter: {account: {eq: $a}}) { totalCount
  nodes { id total } } }"""
BOUGHT = """query($c: ID) { orders(filter: {contact: {eq: $c}}) { totalCount nodes { id } } }"""
_n = itertools.count(1)


@pytest.fixture(scope="module")
async def catalogue(gql) -> dict:
    """Two active products priced in EUR in the standard book, and an inactive one."""
    n = next(_n)
    products = {}
    for name, active in (("seat", True), ("setup", True), ("legacy", False)):
        data = await gql.ok("admin", PRODUCT, {"input": {
            "sku": f"{name.upper()}-{n}", "name": name.title(), "family": "Software",
            "active": active}})
        assert data["productSave"]["errors"] == []
        products[name] = data["productSave"]["product"]["id"]
    standard = next(b for b in (await gql.ok("admin", BOOKS))["priceBooks"]["nodes"]
                    if b["isStandard"])
    for name, price in (("seat", "19.99"), ("setup", "250.00"), ("legacy", "5.00")):
        data = await gql.ok("admin", PRICE, {"input": {
            "priceBookId": standard["id"], "productId": products[name], "currency": "EUR",
            "unitPrice": price}})
        assert data["priceSet"]["errors"] == []
    return products


async def test_an_order_is_priced_from_the_book_and_totalled(gql, factories, catalogue):
    account = await factories.account()
    data = await gql.ok("sales", CREATE, {"input": {"account": account["id"], "lines": [
        {"product": catalogue["seat"], "quantity": "3", "discountPercent": "10"},
        {"product": catalogue["setup"], "quantity": "1", "unitPrice": "100"}]}})
    payload = data["orderCreate"]
    assert payload["errors"] == []
    order = payload["order"]
    assert re.fullmatch(r"SO-\d{6}", order["number"])
    # 3 × 19.99 = 59.97, less 10% = 53.973 → 53.97; plus 100.00
    assert [(li["unitPrice"], li["total"]) for li in order["lines"]] == [
        ("19.99", "53.97"), ("100.00", "100.00")]
    assert (order["subtotal"], order["discountTotal"], order["total"]) == (
        "159.97", "6.00", "153.97")
    assert (order["status"], order["currency"]) == ("DRAFT", "EUR")


async def test_order_numbers_are_sequential(gql, factories, catalogue):
    account = await factories.account()
    numbers = []
    for _ in range(2):
        data = await gql.ok("sales", CREATE, {"input": {"account": account["id"], "lines": [
            {"product": catalogue["seat"], "quantity": "1"}]}})
        numbers.append(int(data["orderCreate"]["order"]["number"][3:]))
    assert numbers[1] == numbers[0] + 1


@pytest.mark.parametrize(("line", "expected"), [
    ({"product": "UHJvZHVjdDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA", "quantity": "1"},
     [("lines[0].product", "NOT_FOUND")]),
    ({"product": "legacy", "quantity": "1"}, [("lines[0].product", "NOT_FOUND")]),
    ({"product": "seat", "quantity": "0"}, [("lines[0].quantity", "INVALID")]),
    ({"product": "seat", "quantity": "1", "discountPercent": "120"},
     [("lines[0].discountPercent", "INVALID")]),
    ({"product": "seat", "quantity": "1", "unitPrice": "-1"}, [("lines[0].unitPrice", "INVALID")]),
])
async def test_bad_order_lines_write_nothing(gql, factories, catalogue, line, expected):
    account = await factories.account()
    line = {**line, "product": catalogue.get(line["product"], line["product"])}
    data = await gql.ok("sales", CREATE, {"input": {"account": account["id"], "lines": [line]}})
    assert [(e["field"], e["code"]) for e in data["orderCreate"]["errors"]] == expected
    assert (await gql.ok("admin", HISTORY, {"a": account["id"]}))["orders"]["totalCount"] == 0


async def test_an_unpriced_currency_needs_a_unit_price(gql, factories, catalogue):
    account = await factories.account()
    data = await gql.ok("sales", CREATE, {"input": {
        "account": account["id"], "currency": "USD",
        "lines": [{"product": catalogue["seat"], "quantity": "1"}]}})
    assert [(e["field"], e["code"]) for e in data["orderCreate"]["errors"]] == [
        ("lines[0].unitPrice", "REQUIRED")]


async def test_an_order_needs_a_customer_and_lines(gql):
    data = await gql.ok("sales", CREATE, {"input": {"lines": []}})
    assert sorted((e["field"], e["code"]) for e in data["orderCreate"]["errors"]) == [
        ("account", "REQUIRED"), ("lines", "REQUIRED")]


async def test_status_moves_forward_only(gql, factories, catalogue):
    account = await factories.account()
    order = (await gql.ok("sales", CREATE, {"input": {"account": account["id"], "lines": [
        {"product": catalogue["seat"], "quantity": "1"}]}}))["orderCreate"]["order"]
    confirmed = await gql.ok("sales", STATUS, {"input": {"id": order["id"], "version": 1,
                                                         "status": "CONFIRMED"}})
    assert confirmed["orderStatusSet"]["order"]["status"] == "CONFIRMED"
    back = await gql.ok("sales", STATUS, {"input": {"id": order["id"], "version": 2,
                                                    "status": "DRAFT"}})
    assert [(e["field"], e["code"]) for e in back["orderStatusSet"]["errors"]] == [
        ("status", "INVALID")]


async def test_purchase_history_per_account_and_contact_and_the_customers_own(gql, factories,
                                                                            catalogue):
    account = await factories.account()
    await gql.ok("sales", CREATE, {"input": {"account": account["id"], "lines": [
        {"product": catalogue["seat"], "quantity": "2"}]}})
    mine = (await gql.ok("admin", CREATE, {"input": {"contact": CUSTOMER, "lines": [
        {"product": catalogue["setup"], "quantity": "1"}]}}))["orderCreate"]["order"]
    assert (await gql.ok("analyst", HISTORY, {"a": account["id"]}))["orders"]["totalCount"] == 1
    assert mine["id"] in [o["id"] for o in (await gql.ok("admin", BOUGHT, {"c": CUSTOMER}))[
        "orders"]["nodes"]]
    # a customer sees its own orders and nobody else's
    own = (await gql.ok("customer", "{ orders(first: 100) { nodes { id } } }"))["orders"]
    assert mine["id"] in [o["id"] for o in own["nodes"]]
    assert (await gql.ok("customer", HISTORY, {"a": account["id"]}))["orders"]["totalCount"] == 0


@pytest.mark.parametrize("role", ["marketing", "service", "analyst", "partner", "customer"])
async def test_only_sales_and_admin_place_orders(gql, factories, catalogue, role):
    account = await factories.account()
    data = await gql.ok(role, CREATE, {"input": {"account": account["id"], "lines": [
        {"product": catalogue["seat"], "quantity": "1"}]}})
    assert [e["code"] for e in data["orderCreate"]["errors"]] == ["FORBIDDEN"]


@pytest.mark.parametrize("role", ["sales", "marketing", "partner"])
async def test_only_admins_keep_the_catalogue(gql, role):
    data = await gql.ok(role, PRODUCT, {"input": {"sku": "NOPE", "name": "Nope"}})
    assert [e["code"] for e in data["productSave"]["errors"]] == ["FORBIDDEN"]


@pytest.mark.parametrize("role", ["sales", "marketing", "analyst"])
async def test_only_admins_set_prices(gql, catalogue, role):
    standard = next(b for b in (await gql.ok("admin", BOOKS))["priceBooks"]["nodes"]
                    if b["isStandard"])
    data = await gql.ok(role, PRICE, {"input": {
        "priceBookId": standard["id"], "productId": catalogue["seat"], "currency": "EUR",
        "unitPrice": "1.00"}})
    assert [e["code"] for e in data["priceSet"]["errors"]] == ["FORBIDDEN"]
