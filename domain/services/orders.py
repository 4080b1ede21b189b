"""Order use cases: create an order priced from a price book, move its status, set prices."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from domain.access import Access, Action
from domain.errors import DomainError, ErrorCode, Problem, not_found
from domain.opportunities import clean_amount, clean_currency
from domain.orders import (
    REFERENCES,
    OrderLifecycle,
    PricedLine,
    totals,
    validate_order,
    validate_price_book,
    validate_product,
)
from domain.ports import UnitOfWork
from domain.services.records import (
    RecordKind,
    create_checked,
    insert_audited,
    lock_at_version,
    lock_writable,
    require_action,
    require_writable_fields,
    stateless,
    update_audited,
    validated_by_use_case,
)

TYPE = "Order"
KIND = RecordKind(TYPE, validated_by_use_case, REFERENCES)
PRODUCT = RecordKind("Product", stateless(validate_product), {})
PRICE_BOOK = RecordKind("PriceBook", stateless(validate_price_book), {})


async def _price(uow: UnitOfWork, clean: dict, lines) -> list[PricedLine]:
    """Check every product and find the prices not given; all problems at once."""
    ids = [line.product for line in lines]
    products = await uow.orders.products(ids)
    prices = await uow.orders.prices(clean["priceBook"], clean["currency"], ids)
    problems, priced = [], []
    for i, line in enumerate(lines):
        if line.product not in products:
            problems.append(Problem(f"lines[{i}].product", ErrorCode.NOT_FOUND,
                                    "No active product with this id."))
            continue
        price = line.unit_price if line.unit_price is not None else prices.get(line.product)
        if price is None:
            problems.append(Problem(f"lines[{i}].unitPrice", ErrorCode.REQUIRED,
                                    f"The price book has no {clean['currency']} price for this "
                                    f"product; give a unitPrice."))
            continue
        priced.append(PricedLine(line.product, line.quantity, price, line.discount_percent))
    if problems:
        raise DomainError(*problems)
    return priced


async def create_order(values: dict, uow: UnitOfWork, access: Access, now: datetime
                       ) -> uuid.UUID:
    """Create an order; prices come from the price book unless given, totals are computed."""
    require_action(access, TYPE, Action.CREATE)
    clean, lines = validate_order(values)

    async def place(clean: dict) -> uuid.UUID:
        if "priceBook" not in clean:
            clean["priceBook"] = await uow.orders.standard_price_book()
            if clean["priceBook"] is None:
                raise not_found("priceBook", "standard PriceBook")
        priced = await _price(uow, clean, lines)
        customer = ("Account", clean["account"]) if clean.get("account") else (
            "Contact", clean["contact"])
        clean |= totals(priced) | {"orderedAt": now,
                                   "owner": clean.get("owner") or access.user_id,
                                   "territory": await uow.records.territory_of(*customer)}
        order_id = await insert_audited(uow, TYPE, clean, extra={
            "lines": (None, [{"product": str(p.product), "quantity": str(p.quantity),
                              "unitPrice": str(p.unit_price),
                              "discountPercent": str(p.discount_percent)} for p in priced])})
        await uow.orders.add_lines(order_id, priced)
        return order_id

    return await create_checked(KIND, clean, uow, place)


async def change_order_status(id: uuid.UUID, version: int, status: str, uow: UnitOfWork,
                              access: Access) -> uuid.UUID:
    """Move an order along DRAFT → CONFIRMED → FULFILLED, or cancel it before fulfilment."""
    require_writable_fields(access, TYPE, ["status"])
    async with uow:
        locked = await lock_at_version(uow, TYPE, id, version, ("status",))
        changes = OrderLifecycle.of(locked.values).move_to(status)
        await update_audited(uow, TYPE, id, locked.values, changes, "status")
        await uow.commit()
    return id


async def set_price(price_book_id: uuid.UUID, product_id: uuid.UUID, currency: str,
                    unit_price, uow: UnitOfWork, access: Access) -> uuid.UUID:
    """Set or remove (unit_price None) a product's price in a price book and currency."""
    require_writable_fields(access, "PriceBook", ["entries"])
    code = clean_currency(currency)
    price: Decimal | None = clean_amount(unit_price, "unitPrice")
    async with uow:
        await lock_writable(uow, "PriceBook", price_book_id, field_name="priceBookId")
        if not await uow.records.visible("Product", [product_id]):
            raise not_found("productId", "Product")
        await uow.orders.set_price(price_book_id, product_id, code, price)
        await uow.audit.record("PriceBook", price_book_id, "price", {
            f"{product_id}:{code}": (None, None if price is None else str(price))})
        await uow.commit()
    return price_book_id
