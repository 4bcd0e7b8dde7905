"""Periods of a purchase as the store reports them, and how they are ordered, merged and
counted: the state the receipt diff engine (app/domain/receipts.py) works on.

Pure code: no I/O, all datetimes timezone-aware UTC.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from app.domain.enums import CancelReason, PeriodType


@dataclass(frozen=True, slots=True)
class TransactionState:
    """One store transaction (one billing period, or one one-time purchase)."""

    transaction_id: str
    original_transaction_id: str
    product_id: str
    purchased_at: datetime
    expires_at: datetime | None  # None => one-time purchase
    period_type: PeriodType = PeriodType.NORMAL
    price: Decimal | None = None
    currency: str | None = None
    will_renew: bool = True
    cancel_reason: CancelReason | None = None
    renewal_product_id: str | None = None
    billing_issue_detected_at: datetime | None = None
    grace_period_expires_at: datetime | None = None
    refunded_at: datetime | None = None
    country_code: str | None = None
    is_family_share: bool = False  # Apple Family Sharing: access shared by a family member
    offer_code: str | None = None
    presented_offering_id: str | None = None
    paused_at: datetime | None = None  # Google Play: paused from here ...
    auto_resume_at: datetime | None = None  # ... until here

    @property
    def is_one_time(self) -> bool:
        return self.expires_at is None


def _timeline_key(txn: TransactionState) -> tuple[datetime, str]:
    """Stores backdate transactions, so purchase time (not arrival) orders history."""
    return (txn.purchased_at, txn.transaction_id)


def sort_transactions(txns: Iterable[TransactionState]) -> list[TransactionState]:
    return sorted(txns, key=_timeline_key)


def group_transactions(txns: Sequence[TransactionState]) -> dict[str, list[TransactionState]]:
    """Split a receipt into purchases: renewals share the original transaction id."""
    groups: dict[str, list[TransactionState]] = {}
    for txn in txns:
        groups.setdefault(txn.original_transaction_id, []).append(txn)
    return {key: sort_transactions(group) for key, group in groups.items()}


def merge_transactions(
    stored: Sequence[TransactionState],
    posted: Sequence[TransactionState],
    refunds_made_here: frozenset[str] = frozenset(),
) -> list[TransactionState]:
    """Union by transaction id, the posted version winning.

    Stored transactions absent from the post are kept: an older, shorter receipt (from
    another device, say) must never delete history we already know about. A period that
    is posted without the refund we knew of had its refund reversed by the store, except
    a refund this service made at the store itself (`refunds_made_here`, by transaction
    id): that one shows up in the store's state only later, and is never undone by a post.
    """
    by_id = {txn.transaction_id: txn for txn in stored}
    for txn in posted:
        known = by_id.get(txn.transaction_id)
        sticky = txn.transaction_id in refunds_made_here
        if known is not None and known.refunded_at is not None and txn.refunded_at is None and sticky:
            txn = replace(txn, refunded_at=known.refunded_at)
        by_id[txn.transaction_id] = txn
    return sort_transactions(by_id.values())


def effective_expiry(txn: TransactionState) -> datetime | None:
    """When access really ends: a grace period extends the paid period."""
    if txn.expires_at is None:
        return None
    grace = txn.grace_period_expires_at
    if grace is not None and grace > txn.expires_at:
        return grace
    return txn.expires_at


def renewal_numbers(merged: Sequence[TransactionState]) -> dict[str, int]:
    """Each period's `renewal_number`: the count of paid periods so far, this one included
    (1 for the first paid period; a trial conversion counts as a renewal). A trial
    before any paid period is 1 as well, as RevenueCat's numbers start at 1."""
    numbers: dict[str, int] = {}
    paid = 0
    for txn in sort_transactions(merged):
        if txn.period_type is not PeriodType.TRIAL:
            paid += 1
        numbers[txn.transaction_id] = max(paid, 1)
    return numbers
