"""Purchase status and activity, read off the latest transaction (DESIGN 4.3)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.enums import CancelReason, PurchaseStatus
from app.domain.purchase_status import has_grace_period, is_active, purchase_status
from app.domain.receipts import TransactionState

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


MONTH = TransactionState(
    transaction_id="t1",
    original_transaction_id="t1",
    product_id="monthly",
    purchased_at=at(0),
    expires_at=at(30),
)
ONE_TIME = replace(MONTH, product_id="coins", expires_at=None)


def latest(**changes: object) -> TransactionState:
    return replace(MONTH, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("txn", "now", "expected"),
    [
        pytest.param(latest(), at(10), PurchaseStatus.ACTIVE, id="renewing"),
        pytest.param(ONE_TIME, at(1000), PurchaseStatus.ACTIVE, id="one-time"),
        pytest.param(replace(ONE_TIME, refunded_at=at(1)), at(2), PurchaseStatus.REFUNDED, id="one-time-ref"),
        pytest.param(latest(refunded_at=at(5)), at(6), PurchaseStatus.REFUNDED, id="refunded"),
        pytest.param(latest(refunded_at=at(5)), at(40), PurchaseStatus.REFUNDED, id="refund-beats-expiry"),
        pytest.param(latest(), at(30), PurchaseStatus.EXPIRED, id="expired-at-end"),
        pytest.param(latest(will_renew=False), at(31), PurchaseStatus.EXPIRED, id="opted-out"),
        pytest.param(
            latest(billing_issue_detected_at=at(30), grace_period_expires_at=at(46)),
            at(35),
            PurchaseStatus.IN_GRACE_PERIOD,
            id="in-grace",
        ),
        pytest.param(
            latest(billing_issue_detected_at=at(29), grace_period_expires_at=at(46)),
            at(29.5),
            PurchaseStatus.IN_GRACE_PERIOD,
            id="issue-with-grace-before-expiry",
        ),
        pytest.param(
            latest(billing_issue_detected_at=at(30), grace_period_expires_at=at(46)),
            at(46),
            PurchaseStatus.EXPIRED,
            id="grace-over",
        ),
        pytest.param(
            latest(billing_issue_detected_at=at(29)),
            at(29.5),
            PurchaseStatus.IN_BILLING_RETRY,
            id="retry-no-grace",
        ),
        pytest.param(
            latest(billing_issue_detected_at=at(29), grace_period_expires_at=at(30)),
            at(29.5),
            PurchaseStatus.IN_BILLING_RETRY,
            id="grace-not-past-expiry",
        ),
        pytest.param(
            latest(billing_issue_detected_at=at(29)),
            at(31),
            PurchaseStatus.EXPIRED,
            id="retry-over",
        ),
        pytest.param(
            latest(
                billing_issue_detected_at=at(30),
                grace_period_expires_at=at(46),
                will_renew=False,
                cancel_reason=CancelReason.BILLING_ERROR,
            ),
            at(35),
            PurchaseStatus.IN_GRACE_PERIOD,
            id="billing-cancel-in-grace",
        ),
        pytest.param(latest(will_renew=False), at(10), PurchaseStatus.WILL_NOT_RENEW, id="will-not-renew"),
    ],
)
def test_purchase_status(txn: TransactionState, now: datetime, expected: PurchaseStatus) -> None:
    assert purchase_status(txn, now) == expected


@pytest.mark.parametrize(
    ("txn", "now", "expected"),
    [
        pytest.param(latest(), at(29), True, id="before-expiry"),
        pytest.param(latest(), at(30), False, id="at-expiry"),
        pytest.param(latest(will_renew=False), at(29), True, id="opted-out-keeps-access"),
        pytest.param(latest(grace_period_expires_at=at(46)), at(40), True, id="grace-extends"),
        pytest.param(latest(refunded_at=at(1)), at(2), False, id="refunded"),
        pytest.param(ONE_TIME, at(1000), True, id="one-time"),
        pytest.param(replace(ONE_TIME, refunded_at=at(1)), at(2), False, id="one-time-refunded"),
    ],
)
def test_is_active(txn: TransactionState, now: datetime, expected: bool) -> None:
    assert is_active(txn, now) is expected


def test_grace_period_counts_only_past_the_paid_period() -> None:
    assert has_grace_period(latest(grace_period_expires_at=at(31)))
    assert not has_grace_period(latest(grace_period_expires_at=at(30)))
    assert not has_grace_period(latest())
    assert not has_grace_period(replace(ONE_TIME, grace_period_expires_at=at(5)))
