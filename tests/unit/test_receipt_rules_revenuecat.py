"""The receipt rules DESIGN 4.2 gained to follow RevenueCat's documented flows: a refund
of an earlier period, a reversed refund, an immediate upgrade, an extension, a pause, and
renewal numbers. (The billing-issue rule is in test_receipts.py with its episode rules.)"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from app.domain.enums import CustomerEventType, PeriodType
from app.domain.receipts import TransactionState, diff_purchase, renewal_numbers

E = CustomerEventType
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def period(txn_id: str, start: float, product: str = "monthly", **changes: object) -> TransactionState:
    txn = TransactionState(txn_id, "o1", product, at(start), at(start + 30))
    return replace(txn, **changes)  # type: ignore[arg-type]


def test_an_earlier_periods_refund_is_told_in_the_timeline_only() -> None:
    first, second = period("t1", 0), period("t2", 30)
    diff = diff_purchase([first, second], [replace(first, refunded_at=at(40)), second], now=at(41))
    [refund] = diff.events
    assert refund.type is E.REFUNDED and refund.transaction_id == "t1" and refund.is_refund
    assert refund.sends_webhook is False  # no CANCELLATION: access stays
    assert diff.transactions[-1].refunded_at is None


def test_the_latest_periods_refund_is_a_cancellation_for_receivers() -> None:
    first, second = period("t1", 0), period("t2", 30)
    diff = diff_purchase([first, second], [first, replace(second, refunded_at=at(40))], now=at(41))
    [refund] = diff.events
    assert refund.transaction_id == "t2" and refund.sends_webhook is True


def test_a_new_period_of_another_product_is_a_product_change_then_a_renewal() -> None:
    monthly = period("t1", 0)
    yearly = period("t2", 10, product="yearly")
    diff = diff_purchase([monthly], [monthly, yearly], now=at(11))
    assert [(e.type, e.product_id, e.new_product_id) for e in diff.events] == [
        (E.CHANGED_RENEWAL_PREFERENCE, "monthly", "yearly"),
        (E.RENEWED, "yearly", None),
    ]


def test_a_deferred_change_renewing_into_its_product_is_not_told_twice() -> None:
    announced = period("t1", 0, renewal_product_id="yearly")
    diff = diff_purchase([announced], [announced, period("t2", 30, product="yearly")], now=at(31))
    assert [e.type for e in diff.events] == [E.RENEWED]


def test_an_expiry_moved_later_with_no_new_period_is_an_extension() -> None:
    running = period("t1", 0)
    extended = replace(running, expires_at=at(45))
    diff = diff_purchase([running], [extended], now=at(10))
    [event] = diff.events
    assert event.type is E.EXTENDED and event.expires_at == at(45)
    # Moving it earlier, or posting the same expiry, is no extension.
    assert diff_purchase([running], [replace(running, expires_at=at(20))], now=at(10)).events == []
    assert diff_purchase([running], [running], now=at(10)).events == []


def test_a_pause_is_told_once_with_its_resume_time() -> None:
    running = period("t1", 0)
    paused = replace(running, paused_at=at(30), auto_resume_at=at(60))
    [event] = diff_purchase([running], [paused], now=at(29)).events
    assert event.type is E.PAUSED and event.auto_resume_at == at(60)
    assert diff_purchase([paused], [paused], now=at(31)).events == []


def test_resuming_after_a_pause_is_a_renewal() -> None:
    paused = period("t1", 0, paused_at=at(30), auto_resume_at=at(60))
    resumed = period("t2", 60)
    assert [e.type for e in diff_purchase([paused], [paused, resumed], now=at(61)).events] == [E.RENEWED]


def test_renewal_numbers_count_paid_periods_and_a_trial_conversion_is_a_renewal() -> None:
    trial = period("t0", -7, period_type=PeriodType.TRIAL)
    periods = [trial, period("t1", 0), period("t2", 30), period("t3", 60)]
    assert renewal_numbers(periods) == {"t0": 1, "t1": 1, "t2": 2, "t3": 3}
    assert renewal_numbers([period("p1", 0), period("p2", 30)]) == {"p1": 1, "p2": 2}
