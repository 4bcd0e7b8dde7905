"""Which support actions a purchase allows (DESIGN 4.7).

Refunds: Google Play and Web Billing only (Apple refunds go through Apple support).
Cancellations: Web Billing subscriptions, and Google Play subscriptions in a trial.
"""

from dataclasses import replace
from datetime import datetime

from app.domain.enums import CancelReason, PeriodType, ProductType, Store
from app.domain.errors import DomainError, ErrorCode
from app.domain.receipts import TransactionState

Field = tuple[str, ...]

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


def check_refund(store: Store, refunded_at: datetime | None, is_granted: bool, field: Field) -> None:
    """refundPurchase's preconditions: not yet refunded (ALREADY_REFUNDED), and a store
    this service can refund at (REFUND_NOT_SUPPORTED)."""
    if refunded_at is not None:
        raise DomainError(ErrorCode.ALREADY_REFUNDED, "This purchase was already refunded.", field)
    if not can_refund(store, refunded_at, is_granted):
        message = (
            "Only Apple can refund App Store purchases: the customer asks Apple support "
            "(reportaproblem.apple.com)."
            if store in (Store.APP_STORE, Store.MAC_APP_STORE)
            else f"Refunds from here work for Google Play and Web Billing purchases, not {store.value}."
        )
        raise DomainError(ErrorCode.REFUND_NOT_SUPPORTED, message, field)


def check_cancel(
    store: Store,
    product_type: ProductType,
    period_type: PeriodType,
    *,
    is_granted: bool,
    will_renew: bool,
    access_expires_at: datetime | None,
    refunded_at: datetime | None,
    now: datetime,
    field: Field,
) -> None:
    """cancelSubscription's preconditions: a store subscription this service can cancel
    and that still runs (CANCEL_NOT_SUPPORTED), still set to renew (ALREADY_CANCELLED)."""
    if not cancel_supported(store, product_type, period_type) or is_granted:
        raise DomainError(
            ErrorCode.CANCEL_NOT_SUPPORTED,
            "Cancelling from here works for Web Billing subscriptions and Google Play subscriptions in a trial.",
            field,
        )
    if refunded_at is not None or (access_expires_at is not None and access_expires_at <= now):
        raise DomainError(ErrorCode.CANCEL_NOT_SUPPORTED, "The subscription has already ended.", field)
    if not will_renew:
        raise DomainError(ErrorCode.ALREADY_CANCELLED, "The subscription already will not renew.", field)


def refunded(latest: TransactionState, now: datetime) -> TransactionState:
    """A refund made here (DESIGN 4.7): the last period is refunded now and never renews;
    access ends at once (the purchase's access expiry becomes `now`)."""
    return replace(latest, refunded_at=now, will_renew=False)


def cancelled(latest: TransactionState) -> TransactionState:
    """A cancellation made here: renewal is off for DEVELOPER_INITIATED; access lasts to
    the end of the period."""
    return replace(latest, will_renew=False, cancel_reason=CancelReason.DEVELOPER_INITIATED)
