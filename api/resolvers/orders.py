"""products, priceBooks, order, orders, and the catalogue and order mutations."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.resolvers.common import fixed_page, get_record, mutate, save_record
from api.resolvers.plain import record_list
from api.schema import forms
from api.schema.ids import parse_id
from api.schema.operational.inputs import field_values
from api.schema.operational.orders import (
    Order,
    OrderCreateInput,
    OrderFilter,
    OrderOrder,
    OrderPayload,
    OrderStatusInput,
    PriceBook,
    PriceBookInput,
    PriceBookPayload,
    PriceInput,
    Product,
    ProductInput,
    ProductPayload,
)
from api.schema.relay import After, Connection, First, NodeId, arg
from domain.filters import OrderTerm
from domain.orders import REFERENCES
from domain.services import orders as service

PRODUCTS = forms.Page("Product", (OrderTerm("name"),))
PRICE_BOOKS = forms.Page("PriceBook", (OrderTerm("isStandard", descending=True), OrderTerm("name")))


def _lines(data: OrderCreateInput) -> list[dict]:
    return [{"product": parse_id(line.product, "Product", f"lines[{i}].product"),
             "quantity": line.quantity, "unitPrice": line.unit_price,
             "discountPercent": line.discount_percent} for i, line in enumerate(data.lines)]


@strawberry.type
class OrderQueries:
    @strawberry.field(description="Products, by name.", metadata=forms.compiled(PRODUCTS))
    async def products(self, info: strawberry.Info, first: First = None,
                       after: After = None) -> Connection[Product]:
        return await fixed_page(info, PRODUCTS, first, after)

    @strawberry.field(description="Price books, the standard one first.",
                      metadata=forms.compiled(PRICE_BOOKS))
    async def price_books(self, info: strawberry.Info, first: First = None,
                          after: After = None) -> Connection[PriceBook]:
        return await fixed_page(info, PRICE_BOOKS, first, after)

    @strawberry.field(description="An order by id; null when there is none you may see.",
                      metadata=forms.compiled(forms.ById("Order")))
    async def order(self, info: strawberry.Info, id: NodeId) -> Order | None:
        return await get_record(info, "Order", id)

    orders: Connection[Order] = record_list(
        "Order", node=Order, filter_input=OrderFilter, order_input=OrderOrder,
        plural="orders", references=REFERENCES,
        description="Orders you may see: filter by account or contact for a "
                    "purchase history; first/last run from 1 to 100.")


@strawberry.type
class OrderMutations:
    @strawberry.mutation(description="Place an order: products are checked, prices come from "
                                     "the price book unless given, totals are computed.")
    async def order_create(self, info: strawberry.Info,
                           input: Annotated[OrderCreateInput, arg("The order.")]
                           ) -> OrderPayload:
        ctx = info.context

        async def action():
            values = field_values(input, REFERENCES) | {"lines": _lines(input)}
            return await service.create_order(values, ctx.uow(), ctx.access, ctx.clock())

        return await mutate(info, OrderPayload, "order", "Order", action)

    @strawberry.mutation(description="Move an order: DRAFT → CONFIRMED → FULFILLED, or "
                                     "CANCELLED before it is fulfilled.")
    async def order_status_set(self, info: strawberry.Info,
                               input: Annotated[OrderStatusInput, arg("The order and status.")]
                               ) -> OrderPayload:
        ctx = info.context
        return await mutate(info, OrderPayload, "order", "Order", lambda: (
            service.change_order_status(parse_id(input.id, "Order"), input.version,
                                        input.status.value, ctx.uow(), ctx.access)))

    @strawberry.mutation(description="Admins: create a product, or change one.")
    async def product_save(self, info: strawberry.Info,
                           input: Annotated[ProductInput, arg("The product.")]) -> ProductPayload:
        return await save_record(info, service.PRODUCT, input, ProductPayload, "product")

    @strawberry.mutation(description="Admins: create a price book, or change one.")
    async def price_book_save(self, info: strawberry.Info,
                              input: Annotated[PriceBookInput, arg("The price book.")]
                              ) -> PriceBookPayload:
        return await save_record(info, service.PRICE_BOOK, input, PriceBookPayload, "price_book")

    @strawberry.mutation(description="Admins: set a product's price in a price book and "
                                     "currency, or remove it.")
    async def price_set(self, info: strawberry.Info,
                        input: Annotated[PriceInput, arg("The price.")]) -> PriceBookPayload:
        ctx = info.context
        return await mutate(info, PriceBookPayload, "price_book", "PriceBook", lambda: (
            service.set_price(parse_id(input.price_book_id, "PriceBook", "priceBookId"),
                              parse_id(input.product_id, "Product", "productId"),
                              input.currency, input.unit_price, ctx.uow(), ctx.access)))
