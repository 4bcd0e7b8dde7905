"""The status of a purchase, read off its latest transaction (DESIGN 4.3).

The latest period carries everything that matters for access: whether it was refunded,
when it ends (grace included) and whether the store is still trying to charge.
"""

from datetime import datetime

from app.domain.enums import PurchaseStatus
from app.domain.receipts import TransactionState, effective_expiry


def purchase_status(latest: TransactionState, now: datetime) -> PurchaseStatus:
    """Checked from the most final state down: a refund or expiry outranks billing trouble."""
    if latest.refunded_at is not None:
        return PurchaseStatus.REFUNDED
    expiry = effective_expiry(latest)
    if expiry is None:
        return PurchaseStatus.ACTIVE
    if expiry <= now:
        return PurchaseStatus.EXPIRED
    if latest.billing_issue_detected_at is not None:
        if has_grace_period(latest):
            return PurchaseStatus.IN_GRACE_PERIOD
        return PurchaseStatus.IN_BILLING_RETRY
    if not latest.will_renew:
        return PurchaseStatus.WILL_NOT_RENEW
    return PurchaseStatus.ACTIVE


def has_grace_period(txn: TransactionState) -> bool:
    """A grace period only counts when it reaches past the paid period."""
    grace = txn.grace_period_expires_at
    return grace is not None and txn.expires_at is not None and grace > txn.expires_at


def is_active(latest: TransactionState, now: datetime) -> bool:
    """Whether the purchase gives access now: not refunded and not past its (grace) expiry."""
    if latest.refunded_at is not None:
        return False
    expiry = effective_expiry(latest)
    return expiry is None or expiry > now
