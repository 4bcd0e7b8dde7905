"""Which support actions a purchase allows (DESIGN 4.7).

Refunds: Google Play and Web Billing only (Apple refunds go through Apple support).
Cancellations: Web Billing subscriptions, and Google Play subscriptions in a trial.
"""

from datetime import datetime

from app.domain.enums import PeriodType, ProductType, Store

REFUNDABLE_STORES = frozenset({Store.PLAY_STORE, Store.RC_BILLING})


def can_refund(store: Store, refunded_at: datetime | None, is_granted: bool) -> bool:
    return store in REFUNDABLE_STORES and refunded_at is None and not is_granted


def cancel_supported(store: Store, product_type: ProductType, period_type: PeriodType) -> bool:
    if product_type is not ProductType.SUBSCRIPTION:
        return False
    if store is Store.RC_BILLING:
        return True
    return store is Store.PLAY_STORE and period_type is PeriodType.TRIAL


def can_cancel(
    store: Store,
    product_type: ProductType,
    period_type: PeriodType,
    will_renew: bool,
    access_expires_at: datetime | None,
    refunded_at: datetime | None,
    now: datetime,
) -> bool:
    still_running = access_expires_at is not None and access_expires_at > now
    return (
        cancel_supported(store, product_type, period_type)
        and will_renew
        and still_running
        and refunded_at is None
    )
