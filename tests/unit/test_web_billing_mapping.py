"""Stripe objects as periods (app/domain/web_billing.py), driven directly."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.domain.enums import CancelReason, Environment, PeriodType
from app.domain.web_billing import (
    amount,
    environment,
    payment_period,
    product_identifier,
    refunds_by_payment_intent,
    subscription_periods,
)

T0 = datetime(2026, 5, 1, tzinfo=UTC)


def ts(moment: datetime) -> int:
    return int(moment.timestamp())


def sub(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "sub_1", "status": "active", "cancel_at_period_end": False, "livemode": False,
        "trial_end": ts(T0 + timedelta(days=7)), "cancellation_details": {"reason": None},
        "items": {"data": [{"price": {"lookup_key": None, "product": "prod_9"}}]},
    }  # fmt: skip
    body.update(changes)
    return body


def inv(
    inv_id: str, start: datetime, days: int, paid: int, currency: str = "usd", **changes: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": inv_id, "status": "paid", "amount_paid": paid, "currency": currency,
        "parent": {"subscription_details": {"subscription": "sub_1"}},
        "lines": {"data": [{"period": {"start": ts(start), "end": ts(start + timedelta(days=days))}}]},
        "payments": {"data": [{"payment": {"type": "payment_intent", "payment_intent": f"pi_{inv_id}"}}]},
    }  # fmt: skip
    body.update(changes)
    return body


def test_amounts_follow_the_currency_exponent() -> None:
    assert amount(799, "usd") == Decimal("7.99")
    assert amount(1200, "JPY") == Decimal("1200")
    assert amount(12345, "KWD") == Decimal("12.345")


def test_paid_invoices_are_periods_and_the_trial_costs_nothing() -> None:
    invoices = [inv("in_2", T0 + timedelta(days=7), 30, 799), inv("in_1", T0, 7, 0),
                inv("in_x", T0, 7, 0, status="open"), inv("in_other", T0, 7, 0, parent={"subscription_details": {"subscription": "sub_2"}})]  # fmt: skip
    periods, refs = subscription_periods(sub(), invoices, [], "prod_9")
    assert [(p.transaction_id, p.period_type, p.price) for p in periods] == [
        ("in_1", PeriodType.TRIAL, Decimal("0.00")), ("in_2", PeriodType.NORMAL, Decimal("7.99")),
    ]  # fmt: skip
    assert periods[1].expires_at == T0 + timedelta(days=37) and periods[1].will_renew
    assert refs["in_2"].subscription_id == "sub_1" and refs["in_2"].payment_id == "pi_in_2"


def test_renewal_state_comes_from_the_subscription() -> None:
    invoices = [inv("in_1", T0, 30, 799)]
    opted_out = subscription_periods(sub(cancel_at_period_end=True), invoices, [], "p")[0][-1]
    assert (opted_out.will_renew, opted_out.cancel_reason) == (False, CancelReason.UNSUBSCRIBE)
    failed = sub(status="canceled", ended_at=ts(T0 + timedelta(days=20)),
                 cancellation_details={"reason": "payment_failed"})  # fmt: skip
    ended = subscription_periods(failed, invoices, [], "p")[0][-1]
    assert (ended.will_renew, ended.cancel_reason) == (False, CancelReason.BILLING_ERROR)
    assert ended.expires_at == T0 + timedelta(days=20)
    past_due = subscription_periods(sub(status="past_due"), invoices, [], "p")[0][-1]
    assert past_due.will_renew and past_due.billing_issue_detected_at == T0 + timedelta(days=30)


def test_a_refunded_charge_refunds_its_period() -> None:
    charges = [{"payment_intent": "pi_in_1", "refunded": True, "created": ts(T0),
                "refunds": {"data": [{"created": ts(T0 + timedelta(days=2))}]}},
               {"payment_intent": "pi_other", "refunded": False}]  # fmt: skip
    assert refunds_by_payment_intent(charges) == {"pi_in_1": T0 + timedelta(days=2)}
    periods, _ = subscription_periods(sub(), [inv("in_1", T0, 30, 799)], charges, "p")
    assert periods[0].refunded_at == T0 + timedelta(days=2)


def test_products_environment_and_one_time_payments() -> None:
    assert product_identifier(sub()) == "prod_9"
    assert (
        product_identifier(sub(items={"data": [{"price": {"lookup_key": "web_monthly", "product": "p"}}]}))
        == "web_monthly"
    )
    assert (
        environment(sub()) is Environment.SANDBOX
        and environment({"livemode": True}) is Environment.PRODUCTION
    )
    intent = {
        "id": "pi_1",
        "status": "succeeded",
        "created": ts(T0),
        "currency": "eur",
        "amount_received": 1999,
    }
    period = payment_period(intent, "lifetime", [])
    assert period is not None and (period.expires_at, period.price, period.currency) == (
        None,
        Decimal("19.99"),
        "EUR",
    )
    assert payment_period({**intent, "status": "requires_payment_method"}, "lifetime", []) is None
