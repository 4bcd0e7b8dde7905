"""The receipt diff engine: every row of DESIGN 4.2 and the tricky sequences around it."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app.domain.enums import CancelReason, CustomerEventType, PeriodType
from app.domain.receipt_validation import validate_transactions
from app.domain.receipts import (
    DiffResult,
    TransactionState,
    diff_purchase,
    effective_expiry,
    group_transactions,
    merge_transactions,
)

E = CustomerEventType
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def period(
    transaction_id: str,
    start_day: float,
    *,
    length_days: float = 30,
    original: str = "orig-1",
    product: str = "monthly",
    **changes: object,
) -> TransactionState:
    """One subscription period starting `start_day` days after T0."""
    txn = TransactionState(
        transaction_id=transaction_id,
        original_transaction_id=original,
        product_id=product,
        purchased_at=at(start_day),
        expires_at=at(start_day + length_days),
        price=Decimal("9.99"),
        currency="USD",
    )
    return replace(txn, **changes)  # type: ignore[arg-type]


def trial(transaction_id: str, start_day: float, **changes: object) -> TransactionState:
    free_week = period(transaction_id, start_day, length_days=7)
    free_week = replace(free_week, period_type=PeriodType.TRIAL, price=Decimal(0))
    return replace(free_week, **changes)  # type: ignore[arg-type]


def one_time(transaction_id: str, day: float, **changes: object) -> TransactionState:
    txn = TransactionState(
        transaction_id=transaction_id,
        original_transaction_id=transaction_id,
        product_id="coins_100",
        purchased_at=at(day),
        expires_at=None,
        price=Decimal("1.99"),
        currency="EUR",
    )
    return replace(txn, **changes)  # type: ignore[arg-type]


def types(result: DiffResult) -> list[CustomerEventType]:
    return [event.type for event in result.events]


# --- purchase events ------------------------------------------------------------------


def test_new_one_time_purchase_is_made_purchase() -> None:
    coins = one_time("c1", 0)
    result = diff_purchase([], [coins], now=at(1))
    assert types(result) == [E.MADE_PURCHASE]
    event = result.events[0]
    assert (event.transaction_id, event.original_transaction_id) == ("c1", "c1")
    assert event.product_id == "coins_100"
    assert event.purchased_at == at(0)
    assert event.expires_at is None
    assert result.transactions == [coins]


def test_new_subscription_with_paid_first_period_starts_subscription() -> None:
    result = diff_purchase([], [period("t1", 0)], now=at(1))
    assert types(result) == [E.STARTED_SUBSCRIPTION]
    event = result.events[0]
    assert event.period_type == PeriodType.NORMAL
    assert event.expires_at == at(30)
    assert not event.is_trial_conversion


def test_new_subscription_with_trial_first_period_starts_trial() -> None:
    result = diff_purchase([], [trial("t1", 0)], now=at(1))
    assert types(result) == [E.STARTED_TRIAL]
    assert result.events[0].period_type == PeriodType.TRIAL


def test_period_after_a_trial_is_a_trial_conversion() -> None:
    stored = [trial("t1", 0)]
    result = diff_purchase(stored, [trial("t1", 0), period("t2", 7)], now=at(8))
    assert types(result) == [E.CONVERTED_FROM_TRIAL]
    event = result.events[0]
    assert event.transaction_id == "t2"
    assert event.is_trial_conversion
    assert event.period_type == PeriodType.NORMAL


def test_renewal_after_a_converted_trial_is_a_plain_renewal() -> None:
    stored = [trial("t1", 0), period("t2", 7)]
    result = diff_purchase(stored, [*stored, period("t3", 37)], now=at(38))
    assert types(result) == [E.RENEWED]
    assert result.events[0].transaction_id == "t3"
    assert not result.events[0].is_trial_conversion


def test_period_after_a_paid_period_is_a_renewal() -> None:
    stored = [period("t1", 0)]
    result = diff_purchase(stored, [period("t1", 0), period("t2", 30)], now=at(31))
    assert types(result) == [E.RENEWED]
    assert result.events[0].transaction_id == "t2"
    assert [t.transaction_id for t in result.transactions] == ["t1", "t2"]


def test_first_receipt_with_whole_history_tells_the_whole_story() -> None:
    posted = [period("t3", 37), trial("t1", 0), period("t2", 7)]
    result = diff_purchase([], posted, now=at(38))
    assert types(result) == [E.STARTED_TRIAL, E.CONVERTED_FROM_TRIAL, E.RENEWED]
    assert [e.transaction_id for e in result.events] == ["t1", "t2", "t3"]


def test_backfilled_gap_gets_its_own_renewal_event() -> None:
    stored = [period("t1", 0), period("t3", 60)]
    result = diff_purchase(stored, [period("t2", 30)], now=at(61))
    assert types(result) == [E.RENEWED]
    assert result.events[0].transaction_id == "t2"
    assert [t.transaction_id for t in result.transactions] == ["t1", "t2", "t3"]


def test_backfilled_gap_after_a_trial_is_the_trial_conversion() -> None:
    stored = [trial("t1", 0), period("t3", 37)]
    result = diff_purchase(stored, [period("t2", 7)], now=at(38))
    assert types(result) == [E.CONVERTED_FROM_TRIAL]
    assert result.events[0].transaction_id == "t2"


def test_one_time_purchase_only_ever_gives_purchase_and_refund() -> None:
    odd = one_time(
        "c1",
        0,
        will_renew=False,
        cancel_reason=CancelReason.PRICE_INCREASE,
        renewal_product_id="other",
        billing_issue_detected_at=at(0),
    )
    assert types(diff_purchase([], [odd], now=at(1))) == [E.MADE_PURCHASE]
    refunded = replace(odd, refunded_at=at(2))
    assert types(diff_purchase([odd], [refunded], now=at(3))) == [E.REFUNDED]


# --- renewal preference ---------------------------------------------------------------


def test_renewal_product_appearing_is_a_changed_renewal_preference() -> None:
    stored = [period("t1", 0)]
    posted = [period("t1", 0, renewal_product_id="yearly")]
    result = diff_purchase(stored, posted, now=at(1))
    assert types(result) == [E.CHANGED_RENEWAL_PREFERENCE]
    event = result.events[0]
    assert event.new_product_id == "yearly"
    assert event.product_id == "monthly"
    assert event.transaction_id == "t1"


def test_renewal_product_changing_again_is_another_preference_change() -> None:
    stored = [period("t1", 0, renewal_product_id="yearly")]
    posted = [period("t1", 0, renewal_product_id="weekly")]
    result = diff_purchase(stored, posted, now=at(1))
    assert types(result) == [E.CHANGED_RENEWAL_PREFERENCE]
    assert result.events[0].new_product_id == "weekly"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(None, "monthly", id="set-to-current-product"),
        pytest.param("yearly", "monthly", id="back-to-current-product"),
        pytest.param("yearly", None, id="disappears"),
        pytest.param("yearly", "yearly", id="unchanged"),
    ],
)
def test_renewal_product_without_a_real_change_is_no_event(before: str | None, after: str | None) -> None:
    stored = [period("t1", 0, renewal_product_id=before)]
    posted = [period("t1", 0, renewal_product_id=after)]
    assert diff_purchase(stored, posted, now=at(1)).events == []


def test_new_subscription_posted_with_a_renewal_product_reports_the_change() -> None:
    result = diff_purchase([], [period("t1", 0, renewal_product_id="yearly")], now=at(1))
    assert types(result) == [E.STARTED_SUBSCRIPTION, E.CHANGED_RENEWAL_PREFERENCE]


def test_product_change_then_renewal_into_the_new_product() -> None:
    changed = period("t1", 0, renewal_product_id="yearly")
    first = diff_purchase([period("t1", 0)], [changed], now=at(1))
    assert types(first) == [E.CHANGED_RENEWAL_PREFERENCE]

    renewed = period("t2", 30, length_days=365, product="yearly")
    second = diff_purchase(first.transactions, [changed, renewed], now=at(31))
    assert types(second) == [E.RENEWED]
    assert second.events[0].product_id == "yearly"
    assert second.events[0].expires_at == at(395)


def test_renewal_that_keeps_the_pending_change_is_just_a_renewal() -> None:
    stored = [period("t1", 0, renewal_product_id="yearly")]
    posted = [*stored, period("t2", 30, renewal_product_id="yearly")]
    assert types(diff_purchase(stored, posted, now=at(31))) == [E.RENEWED]


# --- auto-renew off and on --------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "expected_type", "expected_reason"),
    [
        (None, E.OPTED_OUT_OF_RENEWAL, CancelReason.UNSUBSCRIBE),
        (CancelReason.UNSUBSCRIBE, E.OPTED_OUT_OF_RENEWAL, CancelReason.UNSUBSCRIBE),
        (
            CancelReason.DEVELOPER_INITIATED,
            E.OPTED_OUT_OF_RENEWAL,
            CancelReason.DEVELOPER_INITIATED,
        ),
        (CancelReason.CUSTOMER_SUPPORT, E.OPTED_OUT_OF_RENEWAL, CancelReason.CUSTOMER_SUPPORT),
        (CancelReason.PRICE_INCREASE, E.CANCELLED_PRICE_INCREASE, CancelReason.PRICE_INCREASE),
        (CancelReason.BILLING_ERROR, E.CANCELLED_BILLING_ERROR, CancelReason.BILLING_ERROR),
        (CancelReason.UNKNOWN, E.CANCELLED_UNKNOWN, CancelReason.UNKNOWN),
    ],
)
def test_turning_off_auto_renew_maps_each_cancel_reason(
    reason: CancelReason | None,
    expected_type: CustomerEventType,
    expected_reason: CancelReason,
) -> None:
    stored = [period("t1", 0)]
    posted = [period("t1", 0, will_renew=False, cancel_reason=reason)]
    result = diff_purchase(stored, posted, now=at(1))
    assert types(result) == [expected_type]
    assert result.events[0].cancel_reason == expected_reason
    assert result.events[0].transaction_id == "t1"


def test_trial_cancelled_in_its_first_receipt_is_started_then_opted_out() -> None:
    result = diff_purchase([], [trial("t1", 0, will_renew=False)], now=at(1))
    assert types(result) == [E.STARTED_TRIAL, E.OPTED_OUT_OF_RENEWAL]
    assert result.events[1].cancel_reason == CancelReason.UNSUBSCRIBE


def test_new_period_arriving_already_opted_out_is_renewal_then_opt_out() -> None:
    stored = [period("t1", 0)]
    posted = [*stored, period("t2", 30, will_renew=False)]
    result = diff_purchase(stored, posted, now=at(31))
    assert types(result) == [E.RENEWED, E.OPTED_OUT_OF_RENEWAL]
    assert [e.transaction_id for e in result.events] == ["t2", "t2"]


def test_new_period_still_opted_out_is_only_a_renewal() -> None:
    stored = [period("t1", 0, will_renew=False)]
    posted = [*stored, period("t2", 30, will_renew=False)]
    assert types(diff_purchase(stored, posted, now=at(31))) == [E.RENEWED]


def test_opt_out_then_resubscribe_before_expiry() -> None:
    stored = [period("t1", 0)]
    opted_out = diff_purchase(stored, [period("t1", 0, will_renew=False)], now=at(5))
    assert types(opted_out) == [E.OPTED_OUT_OF_RENEWAL]

    resubscribed = diff_purchase(opted_out.transactions, [period("t1", 0)], now=at(10))
    assert types(resubscribed) == [E.RESUBSCRIBED]
    assert resubscribed.events[0].transaction_id == "t1"
    assert resubscribed.events[0].cancel_reason is None


def test_auto_renew_back_on_after_expiry_is_not_a_resubscribe() -> None:
    stored = [period("t1", 0, will_renew=False)]
    assert diff_purchase(stored, [period("t1", 0)], now=at(30)).events == []
    assert diff_purchase(stored, [period("t1", 0)], now=at(45)).events == []


def test_coming_back_after_expiry_with_a_new_period_is_a_renewal() -> None:
    stored = [period("t1", 0, will_renew=False)]
    result = diff_purchase(stored, [*stored, period("t2", 60)], now=at(61))
    assert types(result) == [E.RENEWED]


def test_resubscribe_inside_the_grace_period_counts() -> None:
    stored = [
        period(
            "t1",
            0,
            will_renew=False,
            billing_issue_detected_at=at(30),
            grace_period_expires_at=at(46),
        )
    ]
    posted = [replace(stored[0], will_renew=True)]
    assert types(diff_purchase(stored, posted, now=at(40))) == [E.RESUBSCRIBED]
    assert diff_purchase(stored, posted, now=at(46)).events == []


# --- billing issues -------------------------------------------------------------------


def test_billing_issue_appearing_is_reported_with_its_grace_end() -> None:
    stored = [period("t1", 0)]
    posted = [period("t1", 0, billing_issue_detected_at=at(30), grace_period_expires_at=at(46))]
    result = diff_purchase(stored, posted, now=at(31))
    # Receivers start dunning at once: the cancellation for billing error comes with it.
    assert types(result) == [E.HAD_BILLING_ISSUE, E.CANCELLED_BILLING_ERROR]
    assert result.events[0].grace_period_expires_at == at(46)
    assert result.events[1].cancel_reason is CancelReason.BILLING_ERROR
    assert [e.transaction_id for e in result.events] == ["t1", "t1"]


def test_billing_issue_without_grace_has_no_grace_end() -> None:
    stored = [period("t1", 0)]
    posted = [period("t1", 0, billing_issue_detected_at=at(30))]
    result = diff_purchase(stored, posted, now=at(31))
    assert types(result) == [E.HAD_BILLING_ISSUE, E.CANCELLED_BILLING_ERROR]
    assert result.events[0].grace_period_expires_at is None


def test_second_failure_in_the_same_episode_adds_no_event() -> None:
    stored = [period("t1", 0, billing_issue_detected_at=at(30), grace_period_expires_at=at(46))]
    retried = [period("t1", 0, billing_issue_detected_at=at(33), grace_period_expires_at=at(46))]
    assert diff_purchase(stored, retried, now=at(34)).events == []


def test_billing_issue_after_a_renewal_is_a_new_episode() -> None:
    stored = [period("t1", 0, billing_issue_detected_at=at(29))]
    posted = [*stored, period("t2", 30, billing_issue_detected_at=at(60))]
    result = diff_purchase(stored, posted, now=at(61))
    assert types(result) == [E.RENEWED, E.HAD_BILLING_ISSUE, E.CANCELLED_BILLING_ERROR]
    assert [e.transaction_id for e in result.events] == ["t2", "t2", "t2"]


def test_billing_issue_then_recovery_is_a_renewal() -> None:
    in_grace = [period("t1", 0, billing_issue_detected_at=at(30), grace_period_expires_at=at(46))]
    result = diff_purchase(in_grace, [*in_grace, period("t2", 32)], now=at(33))
    assert types(result) == [E.RENEWED]
    assert result.events[0].transaction_id == "t2"


def test_billing_issue_that_ends_the_subscription_also_cancels() -> None:
    stored = [period("t1", 0)]
    posted = [
        period(
            "t1",
            0,
            will_renew=False,
            cancel_reason=CancelReason.BILLING_ERROR,
            billing_issue_detected_at=at(30),
        )
    ]
    result = diff_purchase(stored, posted, now=at(30))
    assert types(result) == [E.HAD_BILLING_ISSUE, E.CANCELLED_BILLING_ERROR]
    assert result.events[1].cancel_reason == CancelReason.BILLING_ERROR


# --- refunds --------------------------------------------------------------------------


def test_refund_of_the_latest_period() -> None:
    stored = [period("t1", 0), period("t2", 30)]
    posted = [period("t1", 0), period("t2", 30, refunded_at=at(35))]
    result = diff_purchase(stored, posted, now=at(35))
    assert types(result) == [E.REFUNDED]
    event = result.events[0]
    assert event.transaction_id == "t2"
    assert event.is_refund
    assert event.cancel_reason == CancelReason.CUSTOMER_SUPPORT


def test_refund_of_a_one_time_purchase_is_reported_once() -> None:
    stored = [one_time("c1", 0)]
    refunded = [one_time("c1", 0, refunded_at=at(2))]
    assert types(diff_purchase(stored, refunded, now=at(3))) == [E.REFUNDED]
    assert diff_purchase(refunded, refunded, now=at(4)).events == []


def test_new_purchase_already_refunded_is_purchase_then_refund() -> None:
    result = diff_purchase([], [period("t1", 0, refunded_at=at(1))], now=at(2))
    assert types(result) == [E.STARTED_SUBSCRIPTION, E.REFUNDED]


def test_refund_of_an_old_period_comes_before_a_new_renewal() -> None:
    stored = [period("t1", 0), period("t2", 30)]
    posted = [period("t1", 0, refunded_at=at(3)), period("t2", 30), period("t3", 60)]
    result = diff_purchase(stored, posted, now=at(61))
    assert types(result) == [E.REFUNDED, E.RENEWED]
    assert [e.transaction_id for e in result.events] == ["t1", "t3"]


# --- several changes, idempotence, partial receipts -------------------------------------


def test_receipt_with_several_changes_lists_them_in_timeline_order() -> None:
    stored = [trial("t1", 0)]
    posted = [
        trial("t1", 0, refunded_at=at(2)),
        period("t2", 7),
        period(
            "t3",
            37,
            renewal_product_id="yearly",
            billing_issue_detected_at=at(66),
            grace_period_expires_at=at(83),
            will_renew=False,
            cancel_reason=CancelReason.BILLING_ERROR,
            refunded_at=at(66),
        ),
    ]
    result = diff_purchase(stored, posted, now=at(67))
    assert types(result) == [
        E.REFUNDED,
        E.CONVERTED_FROM_TRIAL,
        E.RENEWED,
        E.CHANGED_RENEWAL_PREFERENCE,
        E.HAD_BILLING_ISSUE,
        E.CANCELLED_BILLING_ERROR,
        E.REFUNDED,
    ]
    assert [e.transaction_id for e in result.events] == ["t1", "t2", "t3", "t3", "t3", "t3", "t3"]
    assert result.events[3].new_product_id == "yearly"
    assert result.events[4].grace_period_expires_at == at(83)


def test_resubscribe_comes_after_preference_change_and_before_refund() -> None:
    stored = [period("t1", 0, will_renew=False)]
    posted = [period("t1", 0, renewal_product_id="yearly", refunded_at=at(5))]
    result = diff_purchase(stored, posted, now=at(5))
    assert types(result) == [E.CHANGED_RENEWAL_PREFERENCE, E.RESUBSCRIBED, E.REFUNDED]


def test_posting_the_same_state_twice_writes_nothing_the_second_time() -> None:
    posted = [
        trial("t1", 0),
        period(
            "t2",
            7,
            will_renew=False,
            renewal_product_id="yearly",
            billing_issue_detected_at=at(36),
            refunded_at=at(20),
        ),
    ]
    first = diff_purchase([], posted, now=at(37))
    assert types(first) == [
        E.STARTED_TRIAL,
        E.CONVERTED_FROM_TRIAL,
        E.CHANGED_RENEWAL_PREFERENCE,
        E.HAD_BILLING_ISSUE,
        E.CANCELLED_BILLING_ERROR,  # stopped without a reason while billing failed
        E.REFUNDED,
    ]
    second = diff_purchase(first.transactions, posted, now=at(37))
    assert second.events == []
    assert second.transactions == first.transactions


def test_older_shorter_receipt_keeps_history_and_writes_nothing() -> None:
    stored = [period("t1", 0), period("t2", 30), period("t3", 60, will_renew=False)]
    result = diff_purchase(stored, [period("t1", 0)], now=at(61))
    assert result.events == []
    assert result.transactions == stored


def test_diff_refuses_transactions_of_several_purchases() -> None:
    with pytest.raises(ValueError, match="one purchase"):
        diff_purchase([period("t1", 0)], [period("x1", 0, original="orig-2")], now=at(1))


# --- grouping, merging, expiry ----------------------------------------------------------


def test_group_transactions_by_original_id_sorted_by_purchase_time() -> None:
    a2, a1 = period("a2", 30, original="A"), period("a1", 0, original="A")
    b1 = period("b1", 5, original="B")
    coins = one_time("c1", 3)
    groups = group_transactions([a2, b1, coins, a1])
    assert groups == {"A": [a1, a2], "B": [b1], "c1": [coins]}


def test_group_transactions_breaks_purchase_time_ties_by_transaction_id() -> None:
    second, first = period("t2", 0), period("t1", 0)
    assert group_transactions([second, first]) == {"orig-1": [first, second]}


def test_merge_replaces_by_id_keeps_missing_and_sorts() -> None:
    stored = [period("t1", 0), period("t2", 30)]
    updated_t2 = period("t2", 30, will_renew=False)
    new_t3 = period("t3", 60)
    merged = merge_transactions(stored, [new_t3, updated_t2])
    assert merged == [stored[0], updated_t2, new_t3]


def test_effective_expiry_uses_a_later_grace_end() -> None:
    assert effective_expiry(period("t1", 0)) == at(30)
    assert effective_expiry(period("t1", 0, grace_period_expires_at=at(46))) == at(46)
    assert effective_expiry(period("t1", 0, grace_period_expires_at=at(20))) == at(30)
    assert effective_expiry(one_time("c1", 0)) is None


# --- validation -----------------------------------------------------------------------


def test_valid_receipt_has_no_problems() -> None:
    txns = [trial("t1", 0), period("t2", 7), one_time("c1", 3, price=None, currency=None)]
    assert validate_transactions(txns, now=at(10)) == []


@pytest.mark.parametrize(
    ("changes", "field", "message_part"),
    [
        ({"expires_at": at(0)}, "expiresAt", "after purchasedAt"),
        ({"expires_at": at(-1)}, "expiresAt", "after purchasedAt"),
        ({"currency": None}, "currency", "required with price"),
        ({"price": None}, "price", "required with currency"),
        ({"currency": "usd"}, "currency", "3 uppercase letters"),
        ({"currency": "USDT"}, "currency", "3 uppercase letters"),
        ({"price": Decimal("-0.01")}, "price", "negative"),
        ({"transaction_id": ""}, "transactionId", "empty"),
        ({"transaction_id": "x" * 256}, "transactionId", "255"),
        ({"product_id": "  "}, "productId", "empty"),
        ({"product_id": "p" * 256}, "productId", "255"),
        ({"refunded_at": at(-1)}, "refundedAt", "before purchasedAt"),
        ({"purchased_at": at(12), "expires_at": at(40)}, "purchasedAt", "future"),
        ({"purchased_at": datetime(2025, 1, 1)}, "purchasedAt", "time zone"),
    ],
)
def test_each_validation_problem_is_reported_on_its_field(
    changes: dict[str, object], field: str, message_part: str
) -> None:
    bad = replace(period("t1", 0), **changes)  # type: ignore[arg-type]
    problems = validate_transactions([period("t0", -30), bad], now=at(10))
    assert len(problems) == 1
    index, problem_field, message = problems[0]
    assert (index, problem_field) == (1, field)
    assert message_part in message


def test_ids_of_exactly_255_characters_are_fine() -> None:
    txn = period("x" * 255, 0, product="p" * 255)
    assert validate_transactions([txn], now=at(1)) == []


def test_purchase_within_a_day_of_clock_skew_is_fine() -> None:
    assert validate_transactions([period("t1", 10.5)], now=at(10)) == []


def test_same_transaction_id_with_another_original_id_is_a_conflict() -> None:
    txns = [period("t1", 0, original="A"), period("t1", 0, original="B")]
    problems = validate_transactions(txns, now=at(1))
    assert [(index, field) for index, field, _ in problems] == [(1, "originalTransactionId")]
    assert "'A'" in problems[0][2]


def test_every_problem_of_every_transaction_is_reported() -> None:
    txns = [
        period("t1", 0, price=Decimal(-1), currency="usd"),
        period("", 0, expires_at=at(0)),
    ]
    problems = validate_transactions(txns, now=at(1))
    assert [(index, field) for index, field, _ in problems] == [
        (0, "currency"),
        (0, "price"),
        (1, "transactionId"),
        (1, "expiresAt"),
    ]


def test_a_refund_made_here_is_kept_when_a_later_post_omits_it() -> None:
    """A refund made through the store's API appears in its receipts only later."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    refunded = TransactionState(
        transaction_id="r1",
        original_transaction_id="r1",
        product_id="monthly",
        purchased_at=start,
        expires_at=start + timedelta(days=30),
        refunded_at=start + timedelta(days=2),
    )
    stale = replace(refunded, refunded_at=None)
    diff = diff_purchase([refunded], [stale], start + timedelta(days=3), refunds_made_here=frozenset({"r1"}))
    assert diff.events == []
    assert diff.transactions[0].refunded_at == start + timedelta(days=2)


def test_a_refund_mark_that_disappears_is_a_reversal() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    refunded = TransactionState("r1", "r1", "monthly", start, start + timedelta(days=30), refunded_at=start)
    diff = diff_purchase([refunded], [replace(refunded, refunded_at=None)], start + timedelta(days=3))
    assert types(diff) == [E.REFUND_REVERSED]
    assert diff.transactions[0].refunded_at is None
    # A post that leaves the period out entirely says nothing about its refund.
    assert diff_purchase([refunded], [], start + timedelta(days=3)).events == []


@pytest.mark.parametrize("price", ["1e12", "0.0000001", "NaN", "Infinity"])
def test_prices_that_cannot_be_kept_exactly_are_refused(price: str) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    txn = TransactionState(
        "p1", "p1", "monthly", start, start + timedelta(days=30), price=Decimal(price), currency="USD"
    )
    problems = validate_transactions([txn], start + timedelta(days=1))
    assert [(field, "price") for _, field, _ in problems] == [("price", "price")]


def test_renewal_stopping_during_a_billing_issue_is_not_a_second_cancellation() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    base = TransactionState("b1", "b1", "monthly", start, start + timedelta(days=30))
    issue = replace(base, billing_issue_detected_at=start + timedelta(days=29))
    stopped = replace(issue, will_renew=False)
    diff = diff_purchase([issue], [stopped], start + timedelta(days=29, hours=1))
    # The billing error's cancellation was told when the issue was detected: not twice.
    assert diff.events == []
    # Seen in one post, issue and stop give one cancellation.
    first = diff_purchase([base], [stopped], start + timedelta(days=29, hours=1))
    assert [e.type for e in first.events] == [E.HAD_BILLING_ISSUE, CustomerEventType.CANCELLED_BILLING_ERROR]
