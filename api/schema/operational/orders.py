"""Product, PriceBook and Order: the catalogue, its prices, and what customers bought."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum

import strawberry

from api.schema import forms
from api.schema.errors import UserError
from api.schema.fields import child_list, column, node_id, record_type, reference
from api.schema.filters import (
    DateTimeFilter,
    DecimalFilter,
    IDFilter,
    StringFilter,
    enum_filter,
    order_input,
)
from api.schema.operational.inputs import payload_errors_field, unset
from api.schema.operational.refs import AccountRef, ContactRef, UserRef
from api.schema.relay import Record
from domain.orders import OrderStatus

Status = strawberry.enum(OrderStatus, description="DRAFT, CONFIRMED, FULFILLED or CANCELLED.")


@record_type("Product")
@strawberry.type(description="Something the company sells.")
class Product(Record):
    id: strawberry.ID = node_id("Product")
    sku: str | None = column("Stock-keeping unit, unique.")
    name: str | None = column("Name.")
    family: str | None = column("Product family, e.g. Subscriptions.")
    category: str | None = column("Category.")
    active: bool | None = column("Inactive products cannot be ordered.")


@record_type("PriceBookEntry")
@strawberry.type(description="A product's price in one currency.")
class PriceBookEntry:
    data: strawberry.Private[dict]

    product: Product | None = reference("Product", "The product.")
    currency: str | None = column("ISO 4217 code.")
    unit_price: Decimal | None = column("Price of one unit.", form=forms.Text())


@record_type("PriceBook")
@strawberry.type(description="Prices per product and currency; the standard book comes first.")
class PriceBook(Record):
    id: strawberry.ID = node_id("PriceBook")
    name: str | None = column("Name, unique.")
    is_standard: bool | None = column("The standard price book orders use by default.")
    active: bool | None = column("Inactive books price no new order.")
    entries: list[PriceBookEntry] | None = child_list(
        "entries", "PriceBookEntry", "Its prices, by currency and product.")


@record_type("OrderLine")
@strawberry.type(description="One line of an order.")
class OrderLine:
    data: strawberry.Private[dict]

    position: int | None = column("Place in the order, from 1.")
    product: Product | None = reference("Product", "The product.")
    quantity: Decimal | None = column("How many.", form=forms.Text())
    unit_price: Decimal | None = column("Price of one unit.", form=forms.Text())
    discount_percent: Decimal | None = column("Discount on the line, in percent.", form=forms.Text())
    total: Decimal | None = column("quantity × unitPrice less the discount, rounded to cents.",
                                   form=forms.Text())


@record_type("Order")
@strawberry.type(description="What an account or a contact bought; totals are stored with it.")
class Order(Record):
    id: strawberry.ID = node_id("Order")
    number: str | None = column("Human-readable and sequential, e.g. SO-000123.")
    account: AccountRef | None = reference("Account", "The buying organisation.")
    contact: ContactRef | None = reference("Contact", "The buying person.")
    price_book: PriceBook | None = reference("PriceBook", "Where its prices came from.")
    currency: str | None = column("ISO 4217 code of every amount.")
    status: Status | None = column("DRAFT, CONFIRMED, FULFILLED or CANCELLED.")
    ordered_at: datetime | None = column("When it was placed.")
    lines: list[OrderLine] | None = child_list("lines", "OrderLine", "Its lines, in order.")
    subtotal: Decimal | None = column("Sum of quantity × unit price.", form=forms.Text())
    discount_total: Decimal | None = column("What the discounts took off.", form=forms.Text())
    total: Decimal | None = column("What is owed: subtotal less discounts.", form=forms.Text())
    owner: UserRef | None = reference("User", "The member of staff responsible.")


StatusFilter = enum_filter(OrderStatus, "OrderStatusFilter")


@strawberry.input(description="Which orders to list, e.g. one account's or contact's purchases.")
class OrderFilter:
    and_: list[OrderFilter] | None = strawberry.field(default=strawberry.UNSET, name="and",
                                                      description="All of these hold.")
    or_: list[OrderFilter] | None = strawberry.field(default=strawberry.UNSET, name="or",
                                                     description="At least one holds.")
    not_: OrderFilter | None = strawberry.field(default=strawberry.UNSET, name="not",
                                                description="This does not hold.")
    number: StringFilter | None = unset("Order number.")
    account: IDFilter | None = unset("Account (an Account id).")
    contact: IDFilter | None = unset("Contact (a Contact id).")
    status: StatusFilter | None = unset("Status.")
    currency: StringFilter | None = unset("Currency.")
    total: DecimalFilter | None = unset("Total.")
    owner: IDFilter | None = unset("Owner (a User id).")
    ordered_at: DateTimeFilter | None = unset("When it was placed.")


@strawberry.enum(description="Fields orders can be sorted by.")
class OrderOrderField(Enum):
    ORDERED_AT = "orderedAt"
    NUMBER = "number"
    CREATED_AT = "createdAt"


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
