"""Activities and orders for `crm seed --contacts N`: about one activity per contact and
0.8 orders per account, from a random stream of their own (see bulk_deals)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from domain.orders import PricedLine, totals
from persistence.activities import ActivityRow
from persistence.orders import OrderLineRow, OrderRow, PriceBookEntryRow, ProductRow
from persistence.seed import demo
from persistence.seed.demo_activities import SUBJECTS
from persistence.seed.demo_orders import ORDERABLE, PRODUCTS, standard_prices

Rows = dict[str, list[tuple]]
ACTIVITIES_PER_CONTACT = (0, 0, 1, 1, 1, 2, 2)  # drawn uniformly: 1 on average
ORDERS_PER_ACCOUNT = (0, 0, 1, 1, 1, 2)


class BulkHistory:
    """Makes the activities and orders of one account once its contacts are known."""

    def __init__(self, seed: int, standard_book, stamp, stable_hex) -> None:
        self.rng = random.Random(seed * 7919 + 2)
        self.book = standard_book
        self._stamp, self._hex = stamp, stable_hex
        self.activities = self.orders = 0
        self.product_ids = {sku: self._hex("product", sku) for sku in PRODUCTS}

    def fixed_rows(self, at: datetime) -> Rows:
        """The catalogue, priced in EUR and USD in the standard book."""
        if self.book is None:
            return {}
        products, entries = [], []
        for sku, (name, family, category, price) in PRODUCTS.items():
            products.append(self._stamp(self.product_ids[sku], at) + (
                sku, name, family, category, category != "Retired"))
            for currency, amount in standard_prices(price):
                entries.append(self._stamp(self._hex("price", f"{sku}-{currency}"), at) + (
                    self.book, self.product_ids[sku], currency, amount))
        return {ProductRow.__tablename__: products, PriceBookEntryRow.__tablename__: entries}

    def for_account(self, rows: Rows, account_id: str, owner, territory_id, contacts: list[str],
                    opened: datetime) -> None:
        if self.book is None:
            return
        for contact_id in contacts:
            for _ in range(self.rng.choice(ACTIVITIES_PER_CONTACT)):
                self._activity(rows, account_id, contact_id, owner, territory_id, opened)
        for _ in range(self.rng.choice(ORDERS_PER_ACCOUNT)):
            self._order(rows, account_id, owner, territory_id, opened)

    def _activity(self, rows: Rows, account_id, contact_id, owner, territory_id,
                  opened: datetime) -> None:
        rng, n = self.rng, self.activities
        self.activities += 1
        kind = rng.choice(tuple(SUBJECTS))
        at = min(opened + timedelta(days=rng.randrange(0, 400), hours=rng.randrange(8, 18)),
                 demo.BASE_TIME)
        call = kind == "CALL"
        meeting, task = kind == "MEETING", kind == "TASK"
        rows[ActivityRow.__tablename__].append(self._stamp(self._hex("activity", n), at) + (
            kind, at, rng.choice(SUBJECTS[kind]), None, contact_id, account_id, owner,
            territory_id, rng.choice(("INBOUND", "OUTBOUND")) if call or kind == "EMAIL"
            else None, rng.randrange(30, 1800) if call else None,
            rng.choice(("CONNECTED", "VOICEMAIL", "NO_ANSWER")) if call else None,
            at if meeting else None, at + timedelta(hours=1) if meeting else None,
            "Video call" if meeting else None, at if task else None,
            rng.choice(("LOW", "NORMAL", "HIGH")) if task else None,
            rng.choice(("OPEN", "DONE", "DONE")) if task else None, owner if task else None))

    def _order(self, rows: Rows, account_id, owner, territory_id, opened: datetime) -> None:
        rng, n = self.rng, self.orders
        self.orders += 1
        at = min(opened + timedelta(days=rng.randrange(0, 400)), demo.BASE_TIME)
        lines = [PricedLine(self.product_ids[sku], Decimal(rng.choice((1, 2, 5, 10))),
                            ORDERABLE[sku], Decimal(rng.choice((0, 0, 5, 10))))
                 for sku in rng.sample(sorted(ORDERABLE), rng.randrange(1, 4))]
        summed = totals(lines)
        order_id = self._hex("order", n)
        rows[OrderRow.__tablename__].append(self._stamp(order_id, at) + (
            f"SO-{n + 1:06d}", account_id, None, self.book, "EUR",
            rng.choice(("CONFIRMED", "FULFILLED", "FULFILLED", "CANCELLED")), at,
            summed["subtotal"], summed["discountTotal"], summed["total"], owner, territory_id))
        for position, line in enumerate(lines, start=1):
            rows[OrderLineRow.__tablename__].append(
                self._stamp(self._hex("order-line", f"{n}-{position}"), at) + (
                    order_id, position, line.product, line.quantity, line.unit_price,
                    line.discount_percent, line.total))


# Columns after the stamp, in the order the rows above hold them.
COLUMNS = {
    ProductRow.__tablename__: ("sku", "name", "family", "category", "active"),
    PriceBookEntryRow.__tablename__: ("price_book_id", "product_id", "currency", "unit_price"),
    ActivityRow.__tablename__: (
        "kind", "at", "subject", "body", "contact_id", "account_id", "owner_id", "territory_id",
        "direction", "duration_seconds", "outcome", "starts_at", "ends_at", "location", "due_at",
        "priority", "status", "assignee_id"),
    OrderRow.__tablename__: (
        "number", "account_id", "contact_id", "price_book_id", "currency", "status",
        "ordered_at", "subtotal", "discount_total", "total", "owner_id", "territory_id"),
    OrderLineRow.__tablename__: ("order_id", "position", "product_id", "quantity", "unit_price",
                                 "discount_percent", "total"),
}
