"""Products, price books and orders: what the company sells, at what price, to whom."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from domain.decimals import as_decimal
from domain.errors import DomainError, ErrorCode, Problems
from domain.opportunities import clean_amount, clean_currency
from domain.values import clean_text

CENT = Decimal("0.01")
MAX_QUANTITY = Decimal("1000000")
MAX_LINES = 200


class OrderStatus(StrEnum):
    DRAFT = "DRAFT"
    CONFIRMED = "CONFIRMED"
    FULFILLED = "FULFILLED"
    CANCELLED = "CANCELLED"


# status -> the statuses it may move to
TRANSITIONS = {
    OrderStatus.DRAFT: {OrderStatus.CONFIRMED, OrderStatus.CANCELLED},
    OrderStatus.CONFIRMED: {OrderStatus.FULFILLED, OrderStatus.CANCELLED},
    OrderStatus.FULFILLED: set(),
    OrderStatus.CANCELLED: set(),
}
REFERENCES = {"account": "Account", "contact": "Contact", "priceBook": "PriceBook",
              "owner": "User"}


@dataclass(frozen=True, slots=True)
class Line:
    """One order line, validated; unit_price None means: take the price book's."""

    product: object
    quantity: Decimal
    unit_price: Decimal | None
    discount_percent: Decimal


@dataclass(frozen=True, slots=True)
class PricedLine:
    product: object
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal

    @property
    def gross(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(CENT, ROUND_HALF_UP)

    @property
    def total(self) -> Decimal:
        net = self.quantity * self.unit_price * (1 - self.discount_percent / 100)
        return net.quantize(CENT, ROUND_HALF_UP)


def totals(lines: list[PricedLine]) -> dict[str, Decimal]:
    """Subtotal before discounts, the discounts, and the total, as stored with the order."""
    subtotal = sum((line.gross for line in lines), Decimal("0.00"))
    total = sum((line.total for line in lines), Decimal("0.00"))
    return {"subtotal": subtotal, "discountTotal": subtotal - total, "total": total}


def _quantity(value, field: str) -> Decimal:
    quantity = as_decimal(value, field)
    if quantity <= 0 or quantity > MAX_QUANTITY:
        raise DomainError.one(field, ErrorCode.INVALID,
                              f"A quantity is more than 0 and at most {MAX_QUANTITY}.")
    if quantity != quantity.quantize(CENT):
        raise DomainError.one(field, ErrorCode.INVALID, "At most two decimals.")
    return quantity


def _discount(value, field: str) -> Decimal:
    discount = as_decimal(value if value is not None else 0, field)
    if not 0 <= discount <= 100:
        raise DomainError.one(field, ErrorCode.INVALID, "A discount runs from 0 to 100 percent.")
    return discount


def validate_order(values: dict) -> tuple[dict, list[Line]]:
    """The order's own fields and its lines; every problem is reported at once."""
    problems, clean = Problems(), {}
    problems.check(values, clean, "currency", clean_currency)
    clean.setdefault("currency", "EUR")
    problems.check(values, clean, "status", lambda v: OrderStatus(v or "DRAFT").value)
    clean.setdefault("status", OrderStatus.DRAFT.value)
    if values.get("status") in (OrderStatus.FULFILLED, OrderStatus.CANCELLED):
        problems.add("status", ErrorCode.INVALID, "An order starts as DRAFT or CONFIRMED.")
    for field in REFERENCES:
        if values.get(field) is not None:
            clean[field] = values[field]
    if not clean.get("account") and not clean.get("contact"):
        problems.add("account", ErrorCode.REQUIRED, "An order is for an account or a contact.")
    raw_lines = values.get("lines") or []
    if not raw_lines:
        problems.add("lines", ErrorCode.REQUIRED, "An order has at least one line.")
    if len(raw_lines) > MAX_LINES:
        problems.add("lines", ErrorCode.INVALID, f"An order has at most {MAX_LINES} lines.")
    lines = []
    for i, raw in enumerate(raw_lines[:MAX_LINES]):
        at = f"lines[{i}]"
        try:
            lines.append(Line(
                raw["product"], _quantity(raw.get("quantity"), f"{at}.quantity"),
                clean_amount(raw.get("unitPrice"), f"{at}.unitPrice"),
                _discount(raw.get("discountPercent"), f"{at}.discountPercent")))
        except DomainError as exc:
            problems.absorb(exc)
    problems.raise_if_any()
    return clean, lines


@dataclass(frozen=True, slots=True)
class OrderLifecycle:
    """An order's status: DRAFT → CONFIRMED → FULFILLED, or CANCELLED before it is
    fulfilled; a move returns the fields it writes."""

    status: OrderStatus

    @classmethod
    def of(cls, values: Mapping) -> OrderLifecycle:
        return cls(OrderStatus(values["status"]))

    def move_to(self, target: str) -> dict:
        if OrderStatus(target) not in TRANSITIONS[self.status]:
            raise DomainError.one("status", ErrorCode.INVALID,
                                  f"An order cannot go from {self.status} to {target}.")
        return {"status": OrderStatus(target).value}


def validate_product(values: dict, *, creating: bool) -> dict:
    problems, clean = Problems(), {}
    problems.check(values, clean, "sku", lambda v: clean_text(v, "sku", required=True, limit=64))
    problems.check(values, clean, "name",
                   lambda v: clean_text(v, "name", required=True, limit=200))
    problems.check(values, clean, "family", lambda v: clean_text(v, "family", limit=100))
    problems.check(values, clean, "category", lambda v: clean_text(v, "category", limit=100))
    problems.check(values, clean, "active", lambda v: bool(v) if v is not None else True)
    if creating:
        problems.require(values, "sku", "name")
    problems.raise_if_any()
    return clean


def validate_price_book(values: dict, *, creating: bool) -> dict:
    problems, clean = Problems(), {}
    problems.check(values, clean, "name",
                   lambda v: clean_text(v, "name", required=True, limit=200))
    problems.check(values, clean, "isStandard", lambda v: bool(v))
    problems.check(values, clean, "active", lambda v: bool(v) if v is not None else True)
    if creating:
        problems.require(values, "name")
    problems.raise_if_any()
    return clean
