"""Product, PriceBook and Order: the catalogue, its prices, and what customers bought."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from api.schema.declared_fields import declared
from api.schema.errors import UserError
from api.schema.fields import child_list, node_id, record_type
from api.schema.filters import (
    order_input,
)
from api.schema.operational.inputs import payload_errors_field, unset
from api.schema.record_inputs import record_filter, record_order_field
from api.schema.relay import Record
from domain.orders import OrderStatus
from persistence.orders import ORDER, ORDER_LINE, PRICE_BOOK, PRICE_BOOK_ENTRY, PRODUCT

Status = strawberry.enum(OrderStatus, description="DRAFT, CONFIRMED, FULFILLED or CANCELLED.")


@record_type("Product")
@strawberry.type(description="Something the company sells.")
@declared(PRODUCT)
class Product(Record):
    id: strawberry.ID = node_id("Product")


@record_type("PriceBookEntry")
@strawberry.type(description="A product's price in one currency.")
@declared(PRICE_BOOK_ENTRY)
class PriceBookEntry:
    data: strawberry.Private[dict]



@record_type("PriceBook")
@strawberry.type(description="Prices per product and currency; the standard book comes first.")
@declared(PRICE_BOOK)
class PriceBook(Record):
    id: strawberry.ID = node_id("PriceBook")
    entries: list[PriceBookEntry] | None = child_list(
        "entries", "PriceBookEntry", "Its prices, by currency and product.")


@record_type("OrderLine")
@strawberry.type(description="One line of an order.")
@declared(ORDER_LINE)
class OrderLine:
    data: strawberry.Private[dict]



@record_type("Order")
@strawberry.type(description="What an account or a contact bought; totals are stored with it.")
@declared(ORDER)
class Order(Record):
    id: strawberry.ID = node_id("Order")
    lines: list[OrderLine] | None = child_list("lines", "OrderLine", "Its lines, in order.")


OrderFilter = record_filter(ORDER, Order)
OrderOrderField = record_order_field(ORDER)


OrderOrder = order_input(OrderOrderField, "OrderOrder")


@strawberry.input(description="One line of a new order.")
class OrderLineInput:
    product: strawberry.ID = strawberry.field(description="A Product id.")
    quantity: Decimal = strawberry.field(description="More than 0, at most two decimals.")
    unit_price: Decimal | None = strawberry.field(
        default=None, description="Default: the price book's price in the order's currency.")
    discount_percent: Decimal | None = strawberry.field(default=None,
                                                        description="0 to 100; default 0.")


@strawberry.input(description="A new order for an account or a contact.")
class OrderCreateInput:
    account: strawberry.ID | None = unset("An Account id (or give a contact).")
    contact: strawberry.ID | None = unset("A Contact id (or give an account).")
    price_book: strawberry.ID | None = unset("A PriceBook id; default: the standard one.")
    currency: str | None = unset("ISO 4217 code; default EUR.")
    status: Status | None = unset("DRAFT (default) or CONFIRMED.")
    owner: strawberry.ID | None = unset("A User id; default: you.")
    lines: list[OrderLineInput] = strawberry.field(description="At least one line.")


@strawberry.input(description="Move an order to another status.")
class OrderStatusInput:
    id: strawberry.ID = strawberry.field(description="The order.")
    version: int = strawberry.field(description="The version you last read.")
    status: Status = strawberry.field(description="The new status.")


@strawberry.type(description="The result of an order mutation.")
class OrderPayload:
    order: Order | None = strawberry.field(default=None, description="As it is now.")
    errors: list[UserError] = payload_errors_field()


@strawberry.input(description="A new product, or changes to one (with id and version).")
class ProductInput:
    id: strawberry.ID | None = unset("The product to change.")
    version: int | None = unset("Its version, to change it.")
    sku: str | None = unset("Stock-keeping unit, unique (required to create).")
    name: str | None = unset("Name (required to create).")
    family: str | None = unset("Product family.")
    category: str | None = unset("Category.")
    active: bool | None = unset("false: it can no longer be ordered.")


@strawberry.type(description="The result of a product mutation.")
class ProductPayload:
    product: Product | None = strawberry.field(default=None, description="As it is now.")
    errors: list[UserError] = payload_errors_field()


@strawberry.input(description="A new price book, or changes to one (with id and version).")
class PriceBookInput:
    id: strawberry.ID | None = unset("The price book to change.")
    version: int | None = unset("Its version, to change it.")
    name: str | None = unset("Name, unique (required to create).")
    is_standard: bool | None = unset("Make it the standard book (there is one at most).")
    active: bool | None = unset("false: it prices no new order.")


@strawberry.input(description="A product's price in a price book and currency.")
class PriceInput:
    price_book_id: strawberry.ID = strawberry.field(description="The price book.")
    product_id: strawberry.ID = strawberry.field(description="The product.")
    currency: str = strawberry.field(description="ISO 4217 code.")
    unit_price: Decimal | None = strawberry.field(default=None,
                                                  description="The price; null removes it.")


@strawberry.type(description="The result of a price-book mutation.")
class PriceBookPayload:
    price_book: PriceBook | None = strawberry.field(default=None, description="As it is now.")
    errors: list[UserError] = payload_errors_field()
