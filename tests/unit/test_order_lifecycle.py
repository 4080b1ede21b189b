"""An order's status, through its use cases on the fake unit of work."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.errors import DomainError, ErrorCode
from domain.services import orders
from tests.unit.callers import USER_ID, staff
from tests.unit.fakes import FakeUnitOfWork

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


async def placed(uow: FakeUnitOfWork, **values) -> uuid.UUID:
    """An order of three seats at the standard book's price, for an account."""
    seat = uuid.uuid4()
    uow.orders.active.add(seat)
    uow.orders.standard_book = book = uow.records.add("PriceBook", {"name": "Standard"})
    uow.orders.price_list[book, "EUR", seat] = Decimal("19.99")
    account = uow.records.add("Account", {"name": "Acme", "territory": uuid.uuid4()})
    return await orders.create_order({"account": account, "lines": [
        {"product": seat, "quantity": "3", "discountPercent": "10"}], **values}, uow,
        staff("sales"), NOW)


async def moved(uow: FakeUnitOfWork, order_id: uuid.UUID, status: str) -> uuid.UUID:
    return await orders.change_order_status(order_id, uow.records.versions[order_id], status,
                                            uow, staff("sales"))


async def test_create_order_prices_it_from_the_book_at_the_moment_given(uow):
    order_id = await placed(uow)

    order = uow.records.get("Order", order_id)
    assert (order["status"], order["orderedAt"], order["owner"]) == ("DRAFT", NOW, USER_ID)
    assert (order["subtotal"], order["total"]) == (Decimal("59.97"), Decimal("53.97"))
    assert [line.unit_price for line in uow.orders.lines[order_id]] == [Decimal("19.99")]
    assert uow.committed


async def test_create_order_starting_fulfilled_is_invalid(uow):
    with pytest.raises(DomainError) as raised:
        await placed(uow, status="FULFILLED")
    assert [(p.field, p.code) for p in raised.value.problems] == [("status", ErrorCode.INVALID)]
    assert not uow.records.rows["Order"]


async def test_change_order_status_goes_from_draft_through_confirmed_to_fulfilled(uow):
    order_id = await placed(uow)

    await moved(uow, order_id, "CONFIRMED")
    await moved(uow, order_id, "FULFILLED")

    assert uow.records.get("Order", order_id)["status"] == "FULFILLED"
    assert uow.audit.actions(order_id) == ["create", "status", "status"]


@pytest.mark.parametrize(("path", "refused"), [
    ((), "FULFILLED"),  # a draft is confirmed first
    (("CONFIRMED", "FULFILLED"), "CANCELLED"),  # a fulfilled order stays fulfilled
    (("CANCELLED",), "CONFIRMED"),  # a cancelled one stays cancelled
])
async def test_change_order_status_outside_its_paths_is_invalid(uow, path, refused):
    # given an order moved along `path`
    order_id = await placed(uow)
    for status in path:
        await moved(uow, order_id, status)
    current = uow.records.get("Order", order_id)["status"]
    # when it is moved to a status its path does not lead to
    with pytest.raises(DomainError) as raised:
        await moved(uow, order_id, refused)
    # then it is INVALID and stays where it was
    [problem] = raised.value.problems
    assert (problem.field, problem.code) == ("status", ErrorCode.INVALID)
    assert problem.message == f"An order cannot go from {current} to {refused}."
    assert uow.records.get("Order", order_id)["status"] == current
    assert not uow.committed


async def test_change_order_status_by_a_role_that_only_reads_orders_is_forbidden(uow):
    order_id = await placed(uow)
    with pytest.raises(DomainError) as raised:
        await orders.change_order_status(order_id, 1, "CONFIRMED", uow, staff("marketing"))
    assert [(p.field, p.code) for p in raised.value.problems] == [("status", ErrorCode.FORBIDDEN)]
