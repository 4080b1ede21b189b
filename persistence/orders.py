"""Products, price books with a price per currency, and orders with their lines and totals."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Index, Numeric, UniqueConstraint, text
from sqlmodel import Field

from domain.access import Access, RecordRule
from domain.orders import OrderStatus, PricedLine
from persistence.base import Stamped, one_of, utc_column
from persistence.comments import comments
from persistence.db import Transaction
from persistence.declaration import PROVENANCE, Children, RecordType, col, meta, ref, rel
from persistence.spec import through_parent
from persistence.sql import Builder
from persistence.territories import owned_or_in_territory

MONEY = Numeric(14, 2)


class ProductRow(Stamped, table=True):
    __tablename__ = "product"
    __table_args__ = (Index("ix_product_name_id", "name", "id"),)

    sku: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    family: str | None = Field(default=None, max_length=100)
    category: str | None = Field(default=None, max_length=100)
    active: bool = Field(default=True, sa_column_kwargs={"server_default": "true"})


class PriceBookRow(Stamped, table=True):
    __tablename__ = "price_book"
    __table_args__ = (
        # At most one standard price book.
        Index("ix_price_book_standard", "is_standard", unique=True,
              postgresql_where=text("is_standard")),
    )

    name: str = Field(max_length=200, unique=True)
    is_standard: bool = Field(default=False, sa_column_kwargs={"server_default": "false"})
    active: bool = Field(default=True, sa_column_kwargs={"server_default": "true"})


class PriceBookEntryRow(Stamped, table=True):
    """A product's price in one currency of one price book."""

    __tablename__ = "price_book_entry"
    __table_args__ = (UniqueConstraint("price_book_id", "product_id", "currency"),
                      CheckConstraint("unit_price >= 0", name="unit_price"))

    price_book_id: uuid.UUID = Field(foreign_key="price_book.id")
    product_id: uuid.UUID = Field(foreign_key="product.id", index=True)
    currency: str = Field(max_length=3)
    unit_price: Decimal = Field(sa_type=MONEY)


class OrderRow(Stamped, table=True):
    __tablename__ = "sales_order"
    __table_args__ = (
        Index("ix_sales_order_account_id_ordered_at_id", "account_id", "ordered_at", "id"),
        Index("ix_sales_order_contact_id_ordered_at_id", "contact_id", "ordered_at", "id"),
        Index("ix_sales_order_ordered_at_id", "ordered_at", "id"),
        one_of("status", OrderStatus),
        CheckConstraint("num_nonnulls(account_id, contact_id) > 0", name="customer"),
    )

    # Human-readable and sequential: SO-000123, from the order_number sequence.
    number: str = Field(max_length=20, unique=True, sa_column_kwargs={"server_default": text(
        "crm_numbered('SO-', 'order_number')")})
    account_id: uuid.UUID | None = Field(default=None, foreign_key="account.id")
    contact_id: uuid.UUID | None = Field(default=None, foreign_key="contact.id")
    price_book_id: uuid.UUID = Field(foreign_key="price_book.id")
    currency: str = Field(max_length=3)
    status: str = Field(max_length=12)
    ordered_at: datetime = Field(**utc_column())
    subtotal: Decimal = Field(sa_type=MONEY)
    discount_total: Decimal = Field(sa_type=MONEY)
    total: Decimal = Field(sa_type=MONEY)
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    territory_id: uuid.UUID | None = Field(default=None, foreign_key="territory.id")


class OrderLineRow(Stamped, table=True):
    __tablename__ = "sales_order_line"
    __table_args__ = (UniqueConstraint("order_id", "position"),
                      CheckConstraint("quantity > 0", name="quantity"),
                      CheckConstraint("discount_percent BETWEEN 0 AND 100", name="discount"))

    order_id: uuid.UUID = Field(foreign_key="sales_order.id")
    position: int
    product_id: uuid.UUID = Field(foreign_key="product.id", index=True)
    quantity: Decimal = Field(sa_type=Numeric(12, 2))
    unit_price: Decimal = Field(sa_type=MONEY)
    discount_percent: Decimal = Field(sa_type=Numeric(5, 2))
    total: Decimal = Field(sa_type=MONEY)


def _own_orders(t: str, access: Access, b: Builder) -> str:
    return f"{t}.contact_id = {b.bind(access.contact_id)}"


PRODUCT = RecordType(
    name="Product",
    table=ProductRow.__table__,
    groups={
        "all": (
            *meta(),
            col("sku", filterable=True, doc="Stock-keeping unit, unique."),
            col("name", filterable=True, doc="Name."),
            col("family", filterable=True, doc="Product family, e.g. Subscriptions."),
            col("category", filterable=True, doc="Category."),
            col("active", filterable=True, doc="Inactive products cannot be ordered."),
            *PROVENANCE,
        ),
    },
    unique={"uq_product_sku": "sku"},
)
PRICE_BOOK = RecordType(
    name="PriceBook",
    table=PriceBookRow.__table__,
    groups={
        "all": (
            *meta(),
            col("name", filterable=True, doc="Name, unique."),
            col("isStandard", filterable=True, doc="The standard price book orders use by default."),
            col("active", doc="Inactive books price no new order."),
            rel("entries", Children("PriceBookEntry", "price_book_id",
                                            ("currency", "product_id"))),
            *PROVENANCE,
        ),
    },
    unique={"uq_price_book_name": "name", "ix_price_book_standard": "isStandard"},
)
PRICE_BOOK_ENTRY = RecordType(
    name="PriceBookEntry",
    table=PriceBookEntryRow.__table__,
    groups={
        "all": (
            col("id"),
            col("version"),
            ref("product", target="Product", doc="The product."),
            col("currency", doc="ISO 4217 code."),
            col("unitPrice", doc="Price of one unit."),
        ),
    },
    node=False,
    visibility=through_parent,
)
ORDER = RecordType(
    name="Order",
    table=OrderRow.__table__,
    groups={
        "meta": meta(filterable=True, sortable=("createdAt",)),
        "provenance": PROVENANCE,
        "all": (
            col("number", derived=True, sortable=True, doc="Human-readable and sequential, e.g. SO-000123."),
            ref("account", filterable=True, target="Account", doc="The buying organisation."),
            ref("contact", filterable=True, target="Contact", doc="The buying person."),
            ref("priceBook", target="PriceBook", doc="Where its prices came from."),
            col("currency", filterable=True, doc="ISO 4217 code of every amount."),
            col("status", filterable=True, enum=OrderStatus, doc="DRAFT, CONFIRMED, FULFILLED or CANCELLED."),
            col("orderedAt", derived=True, sortable=True, doc="When it was placed."),
            rel("lines", Children("OrderLine", "order_id", ("position",))),
            col("subtotal", derived=True, doc="Sum of quantity × unit price."),
            col("discountTotal", derived=True, doc="What the discounts took off."),
            col("total", derived=True, filterable=True, doc="What is owed: subtotal less discounts."),
            ref("owner", filterable=True, target="User", doc="The member of staff responsible."),
            ref("territory"),
        ),
        "comments": comments(),
    },
    rules={RecordRule.OWNED_OR_TERRITORY: owned_or_in_territory, RecordRule.SELF: _own_orders},
)
ORDER_LINE = RecordType(
    name="OrderLine",
    table=OrderLineRow.__table__,
    groups={
        "all": (
            col("id"),
            col("position", doc="Place in the order, from 1."),
            ref("product", target="Product", doc="The product."),
            col("quantity", doc="How many."),
            col("unitPrice", doc="Price of one unit."),
            col("discountPercent", doc="Discount on the line, in percent."),
            col("total", doc="quantity × unitPrice less the discount, rounded to cents."),
        ),
    },
    node=False,
    visibility=through_parent,
)


class OrderStore:
    """Implements domain.ports.OrderStore."""

    def __init__(self, tx: Transaction, access: Access) -> None:
        self.tx = tx
        self.actor = str(access.actor)

    async def standard_price_book(self) -> uuid.UUID | None:
        return await self.tx.value("SELECT id FROM price_book WHERE is_standard AND active "
                                   "AND archived_at IS NULL", ())

    async def products(self, ids: list) -> dict:
        """Active products among `ids`, by id."""
        rows = await self.tx.rows("SELECT id FROM product WHERE id = ANY($1) AND active "
                                  "AND archived_at IS NULL", (list(ids),))
        return {r["id"]: r for r in rows}

    async def prices(self, price_book_id: uuid.UUID, currency: str, ids: list) -> dict:
        rows = await self.tx.rows(
            "SELECT product_id, unit_price FROM price_book_entry WHERE price_book_id = $1 "
            "AND currency = $2 AND product_id = ANY($3) AND archived_at IS NULL",
            (price_book_id, currency, list(ids)))
        return {r["product_id"]: r["unit_price"] for r in rows}

    async def add_lines(self, order_id: uuid.UUID, lines: list[PricedLine]) -> None:
        for position, line in enumerate(lines, start=1):
            b = Builder()
            actor = b.bind(self.actor)
            await self.tx.value(
                f"INSERT INTO sales_order_line (id, order_id, position, product_id, quantity, "
                f"unit_price, discount_percent, total, created_by, updated_by) VALUES ("
                f"{b.bind(uuid.uuid4())}, {b.bind(order_id)}, {b.bind(position)}, "
                f"{b.bind(line.product)}, {b.bind(line.quantity)}, {b.bind(line.unit_price)}, "
                f"{b.bind(line.discount_percent)}, {b.bind(line.total)}, {actor}, {actor})",
                b.params)

    async def set_price(self, price_book_id: uuid.UUID, product_id: uuid.UUID, currency: str,
                        unit_price: Decimal | None) -> None:
        """Set a product's price in a book and currency; None removes it."""
        b = Builder()
        book, product, code, actor = (b.bind(price_book_id), b.bind(product_id),
                                      b.bind(currency), b.bind(self.actor))
        if unit_price is None:
            sql = (f"UPDATE price_book_entry SET archived_at = now(), version = version + 1 "
                   f"WHERE price_book_id = {book} AND product_id = {product} "
                   f"AND currency = {code}")
        else:
            sql = (f"INSERT INTO price_book_entry (id, price_book_id, product_id, currency, "
                   f"unit_price, created_by, updated_by) VALUES ({b.bind(uuid.uuid4())}, {book}, "
                   f"{product}, {code}, {b.bind(unit_price)}, {actor}, {actor}) "
                   f"ON CONFLICT (price_book_id, product_id, currency) DO UPDATE SET "
                   f"unit_price = excluded.unit_price, archived_at = NULL, updated_at = now(), "
                   f"version = price_book_entry.version + 1, updated_by = {actor}")
        await self.tx.value(sql, b.params)
