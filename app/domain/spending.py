"""What a customer spent (DESIGN 4.3 `totalSpent`) and which data a view shows."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from app.domain.enums import Environment
from app.domain.prices import PriceResolution

CENT = Decimal("0.01")


class PricedPeriod(Protocol):
    environment: str
    price_usd: Decimal | None
    refunded_at: datetime | None


def is_visible(environment: str, include_sandbox: bool) -> bool:
    """Sandbox data is test data: shown only when the caller asks for it (`sandbox: true`);
    production data always."""
    return include_sandbox or environment != Environment.SANDBOX


def total_spent(periods: Iterable[PricedPeriod]) -> Decimal:
    """The USD sum of every production period of the customer (all aliases), refunded
    periods left out (a refund takes back what was paid); unknown prices count 0, and
    grants are priced 0. Rounded to cents."""
    total = sum(
        (
            period.price_usd
            for period in periods
            if period.environment == Environment.PRODUCTION
            and period.refunded_at is None
            and period.price_usd is not None
        ),
        Decimal(0),
    )
    return total.quantize(CENT)


def price_paid(price: PriceResolution, *, is_family_share: bool) -> PriceResolution:
    """What the customer paid for a period: nothing for access a family member shares
    (Apple Family Sharing), so it counts 0 in totalSpent and in revenue events."""
    if is_family_share:
        return PriceResolution(Decimal(0), price.currency or "USD", False)
    return price
