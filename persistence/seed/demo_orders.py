"""The demo's catalogue and purchases: products priced in EUR and USD, and orders."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from domain.orders import PricedLine, totals
from persistence.orders import OrderLineRow, OrderRow, PriceBookEntryRow, ProductRow
from persistence.seed.generator import stable_id, stamped

# sku -> (name, family, category, EUR price)
PRODUCTS = {
    "CRM-SEAT": ("CRM seat, yearly", "Subscriptions", "Seats", "480.00"),
    "CRM-SEAT-PRO": ("CRM Pro seat, yearly", "Subscriptions", "Seats", "960.00"),
    "ANALYTICS": ("Analytics add-on, yearly", "Subscriptions", "Add-ons", "2400.00"),
    "PORTAL": ("Partner portal, yearly", "Subscriptions", "Add-ons", "3600.00"),
    "ONBOARD": ("Onboarding workshop", "Services", "Training", "1500.00"),
    "SUPPORT-PLUS": ("Premium support, yearly", "Services", "Support", "1200.00"),
    "MIGRATION": ("Data migration", "Services", "Projects", "5000.00"),
    "LEGACY-SYNC": ("Legacy sync connector", "Connectors", "Retired", "300.00"),
}
USD_RATE = Decimal("1.10")
# What can be ordered, at its EUR price.
ORDERABLE = {sku: Decimal(p[3]) for sku, p in PRODUCTS.items() if p[2] != "Retired"}
ORDERS = 80


def standard_prices(price: str) -> tuple[tuple[str, Decimal], ...]:
    """A product's prices in the standard book: EUR as listed, USD at USD_RATE in whole units."""
    return (("EUR", Decimal(price)), ("USD", (Decimal(price) * USD_RATE).quantize(Decimal("1"))))


def add_orders(data, base_time: datetime, standard_book, accounts: list[dict]) -> None:
    """Products with standard prices, and orders of demo accounts over the demo's year."""
    rng = data.gen.rng
    for sku, (name, family, category, price) in PRODUCTS.items():
        product_id = stable_id("product", sku)
        data.add(ProductRow, {**stamped("product", sku, base_time), "sku": sku, "name": name,
                              "family": family, "category": category,
                              "active": category != "Retired"})
        for currency, amount in standard_prices(price):
            data.add(PriceBookEntryRow, {
                **stamped("price", f"{sku}-{currency}", base_time), "price_book_id": standard_book,
                "product_id": product_id, "currency": currency, "unit_price": amount})
    for n in range(1, ORDERS + 1):
        account = rng.choice(accounts)
        at = base_time + timedelta(days=rng.randrange(0, 300), hours=rng.randrange(8, 18))
        lines = [PricedLine(stable_id("product", sku), Decimal(rng.choice((1, 1, 2, 5, 10, 25))),
                            ORDERABLE[sku], Decimal(rng.choice((0, 0, 0, 5, 10, 15))))
                 for sku in rng.sample(sorted(ORDERABLE), rng.randrange(1, 4))]
        summed = totals(lines)
        order = data.add(OrderRow, {
            **stamped("order", n, at), "number": f"SO-{n:06d}", "account_id": account["id"],
            "contact_id": None, "price_book_id": standard_book, "currency": "EUR",
            "status": rng.choice(("CONFIRMED", "FULFILLED", "FULFILLED", "DRAFT", "CANCELLED")),
            "ordered_at": at, "subtotal": summed["subtotal"],
            "discount_total": summed["discountTotal"], "total": summed["total"],
            "owner_id": account["owner_id"], "territory_id": account["territory_id"]})
        for position, line in enumerate(lines, start=1):
            data.add(OrderLineRow, {
                **stamped("order-line", f"{n}-{position}", at), "order_id": order["id"],
                "position": position, "product_id": line.product, "quantity": line.quantity,
                "unit_price": line.unit_price, "discount_percent": line.discount_percent,
                "total": line.total})
