"""Repeat buyers for `crm seed --contacts N --orders-per-contact X`: orders that name a contact,
drawn from the models domain/lifetime fits, so that those fits have something true to find.

Buying follows the BG/NBD story, in days (domain/lifetime/bgnbd.py): from its creation each
contact places orders as a Poisson process of rate lambda ~ Gamma(PURCHASE_R, rate alpha),
and after each repeat purchase (not the first) leaves for good with probability
p ~ Beta(DROPOUT_A, DROPOUT_B); it is observed until demo.BASE_TIME. A cancelled order is no
purchase and never ends a life, so from its first purchase on a contact's confirmed and
fulfilled orders (those persistence/rfm.py reads) are a BG/NBD customer of rate KEPT * lambda.
Each order's value follows the Gamma-Gamma model (domain/lifetime/gamma_gamma.py): per
contact nu ~ Gamma(q, rate gamma), per order a value ~ Gamma(p, rate nu), 300 EUR on average.

Fitted on 100,000 contacts at X = 5, the Gamma-Gamma found p, q, gamma = 5.8, 4.0, 155 and
the BG/NBD a, b = 0.82, 2.52; its r and alpha came out higher (0.94 and 30 days, against 0.6
and alpha / KEPT = 23.0), as fast buyers are over-represented among the contacts that bought.

r, a and b are near the CDNOW estimates (0.24, 0.79, 2.43), with more regular buyers; alpha
is solved (mean_orders) so that contacts, created evenly over bulk_pools.HISTORY, average X
orders. Achieved on 20,000 contacts with seed 42: X = 5 gave 5.07 orders per contact (19%
none, 9% one, 72% more, at most 198), X = 1 gave 1.00, X = 0.5 gave 0.51, X = 20 gave 19.5.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache

from scipy.integrate import quad
from scipy.optimize import brentq

from domain.lifetime.gamma_gamma import GammaGammaParameters
from persistence.orders import OrderLineRow, OrderRow
from persistence.seed import demo
from persistence.seed.bulk_history import BulkHistory, Rows
from persistence.seed.bulk_pools import HISTORY, stable_hex, stamp
from persistence.seed.demo_orders import ORDERABLE

# Purchase rates lambda ~ Gamma(PURCHASE_R, rate alpha) per day, alpha solved per X; dropout
# chances p ~ Beta(DROPOUT_A, DROPOUT_B). DROPOUT_A < 1 lets any X be reached: the contacts
# that almost never leave then buy without bound as the rates grow.
PURCHASE_R, DROPOUT_A, DROPOUT_B = 0.6, 0.8, 2.5
SPENDING = GammaGammaParameters(p=6.0, q=4.0, gamma=150.0)
# Beyond it, the contacts least likely to leave run into tens of thousands of orders each.
MAX_ORDERS_PER_CONTACT = 20
FULFILLED_SHARE, CONFIRMED_SHARE = 0.85, 0.10  # the remaining 5% are cancelled
KEPT = FULFILLED_SHARE + CONFIRMED_SHARE
DAY = timedelta(days=1)
ZERO, ONE = Decimal(0), Decimal(1)
# Where alpha is sought, in days: from thousands of purchases a day to one in 270,000 years,
# wider than any X in (0, MAX_ORDERS_PER_CONTACT] needs.
ALPHA_RANGE = (1e-4, 1e8)


def _g(k: float) -> float:
    """G(k) = 1 - h(k) of mean_orders."""
    r = PURCHASE_R
    if k < 1e-6:  # 1 - h(k) cancels to nothing there; its series starts r k / 2
        return r * k / 2
    return 1 - math.expm1((1 - r) * math.log1p(k)) / ((1 - r) * k)


def mean_orders(alpha: float) -> float:
    """Orders per contact at this alpha, over contacts created evenly over HISTORY.

    Purchases (kept orders) come at rate m = KEPT * lambda. A contact observed for T days
    makes its first one with chance 1 - exp(-m T); from then on it is a BG/NBD customer, who
    makes (1 - exp(-m p s)) / p repeat purchases in s days. Integrated over the first one's
    time, its purchases are E1 + (Ep / p - E1) / (1 - p), with Ec = 1 - exp(-c m T). Over
    lambda ~ Gamma(r, alpha) and T ~ Uniform(0, H), Ec averages G(c k) = 1 - h(c k), with
    k = KEPT H / alpha and h(x) = ((1 + x)^(1-r) - 1) / ((1 - r) x). Orders are purchases /
    KEPT, the cancelled ones falling in between at random; what is left is an integral over
    p ~ Beta(a, b), taken in u = p^a, which removes the density's pole at 0.
    """
    a, b = DROPOUT_A, DROPOUT_B
    k = KEPT * (HISTORY / DAY) / alpha
    first = _g(k)

    def per_u(u: float) -> float:
        p = u ** (1 / a)
        later = _g(k * p) / p if p > 0 else PURCHASE_R * k / 2
        return (first + (later - first) / (1 - p)) * (1 - p) ** (b - 1)

    log_beta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    return quad(per_u, 0, 1, limit=200)[0] / (a * math.exp(log_beta)) / KEPT


@cache
def purchase_alpha(orders_per_contact: float) -> float:
    """The alpha, in days, at which contacts average `orders_per_contact` orders."""
    low, high = (math.log(bound) for bound in ALPHA_RANGE)
    target = math.log(orders_per_contact)
    return math.exp(brentq(lambda log_alpha: math.log(mean_orders(math.exp(log_alpha)))
                           - target, low, high, xtol=1e-6))


class BulkPurchases:
    """Makes a contact's orders when it is created, numbered in one sequence with the
    account orders of BulkHistory; a random stream of its own leaves the other rows alike."""

    def __init__(self, history: BulkHistory, seed: int, orders_per_contact: float) -> None:
        if not 0 <= orders_per_contact <= MAX_ORDERS_PER_CONTACT:
            raise ValueError(f"orders per contact must be between 0 and {MAX_ORDERS_PER_CONTACT}")
        self.history = history
        self.rng = random.Random(seed * 7919 + 3)
        self.active = orders_per_contact > 0 and history.book is not None
        # gammavariate takes a scale, the inverse of the models' rates.
        self.rate_scale = 1 / purchase_alpha(orders_per_contact) if self.active else 0.0
        self.nu_scale = 1 / SPENDING.gamma
        self.products = tuple(history.product_ids[sku] for sku in sorted(ORDERABLE))

    def for_contact(self, rows: Rows, contact_id: str, account_id: str | None, owner,
                    territory_id, created: datetime) -> None:
        """The contact's orders between its creation and demo.BASE_TIME, if it buys by then."""
        if not self.active:
            return
        rng, history = self.rng, self.history
        rate = rng.gammavariate(PURCHASE_R, self.rate_scale)
        dropout = rng.betavariate(DROPOUT_A, DROPOUT_B)
        observed = (demo.BASE_TIME - created) / DAY
        day = rng.expovariate(rate)
        if day > observed:
            return
        # Values are drawn in cents: Gamma(p, rate nu) scaled by 100.
        cents_scale = 100 / rng.gammavariate(SPENDING.q, self.nu_scale)
        orders, lines = rows[OrderRow.__tablename__], rows[OrderLineRow.__tablename__]
        book, products = history.book, self.products
        bought = False
        while day <= observed:
            n = history.orders
            history.orders += 1
            at = created + timedelta(days=day)
            price = Decimal(max(1, round(rng.gammavariate(SPENDING.p, cents_scale)))).scaleb(-2)
            roll = rng.random()
            status = ("FULFILLED" if roll < FULFILLED_SHARE else
                      "CONFIRMED" if roll < KEPT else "CANCELLED")
            order_id = stable_hex("order", n)
            orders.append(stamp(order_id, at) + (
                f"SO-{n + 1:06d}", account_id, contact_id, book, "EUR", status, at, price, ZERO,
                price, owner, territory_id))
            lines.append(stamp(stable_hex("order-line", f"{n}-1"), at) + (
                order_id, 1, rng.choice(products), ONE, price, ZERO, price))
            if status != "CANCELLED":
                # As in the BG/NBD, a customer may leave after a repeat purchase, not the first.
                if bought and rng.random() < dropout:
                    return
                bought = True
            day += rng.expovariate(rate)
