"""Webhook bodies carry RevenueCat's field names and value types: compared, type by
type, with the documented sample bodies kept in tests/data/webhooks/ (sources in its
SOURCES.md)."""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.db.mapping import event_row
from app.db.models import CustomerEvent
from app.domain.enums import CancelReason, Environment, PeriodType, Store
from app.domain.enums import CustomerEventType as E
from app.domain.events import (
    APP,
    DomainEvent,
    Money,
    Period,
    PurchaseEvent,
    PurchasesTransferred,
    VirtualCurrencyAdjusted,
)
from app.webhooks.payloads import CustomerSnapshot, build_payload, payload_of_test_event

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "webhooks"
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
CUSTOMER = CustomerSnapshot(
    app_user_id="user-1",
    original_app_user_id="$RCAnonymousID:8069238d6049ce87cc529853916d624c",
    aliases=["$RCAnonymousID:8069238d6049ce87cc529853916d624c", "user-1"],
    attributes={"$email": ("firstlast@gmail.com", NOW)},
    country_code="DE",
)


PERIOD = Period(
    purchase_id=1,
    store=Store.APP_STORE,
    environment=Environment.PRODUCTION,
    product_id="com.subscription.weekly",
    entitlement_ids=("pro",),
    period_type=PeriodType.NORMAL,
    purchased_at=NOW - timedelta(days=7),
    expires_at=NOW,
    transaction_id="123456789012345",
    original_transaction_id="123456789012345",
)
PAID = Money(Decimal("7.99"), "EUR", Decimal("8.14"))


def stored(event: DomainEvent) -> CustomerEvent:
    """The event as the timeline stores it: the builder's only input besides the customer."""
    row = event_row(event, project_id=1, customer_id=1, now=NOW, actor=APP)
    row.event_uuid = "12345678-1234-1234-1234-123456789012"
    return row


def purchase(type_: E, period: Period = PERIOD, **facts: Any) -> CustomerEvent:
    return stored(PurchaseEvent(type=type_, period=period, **facts))


TRIAL = replace(PERIOD, period_type=PeriodType.TRIAL)
CASES = {
    "INITIAL_PURCHASE": purchase(E.STARTED_SUBSCRIPTION, money=PAID),
    "INITIAL_PURCHASE-trial-started": purchase(E.STARTED_TRIAL, TRIAL, money=Money(Decimal(0), "EUR", Decimal(0))),
    "RENEWAL": purchase(E.CONVERTED_FROM_TRIAL, money=PAID, is_trial_conversion=True),
    "CANCELLATION": purchase(E.OPTED_OUT_OF_RENEWAL, cancel_reason=CancelReason.UNSUBSCRIBE),
    "CANCELLATION-refund": purchase(E.REFUNDED, money=PAID.negated(), cancel_reason=CancelReason.CUSTOMER_SUPPORT),
    "CANCELLATION-trial-cancelled": purchase(E.OPTED_OUT_OF_RENEWAL, TRIAL, cancel_reason=CancelReason.UNSUBSCRIBE),
    "UNCANCELLATION": purchase(E.RESUBSCRIBED),
    "NON_RENEWING_PURCHASE": purchase(E.MADE_PURCHASE, replace(PERIOD, expires_at=None), money=PAID),
    "BILLING_ISSUE": purchase(E.HAD_BILLING_ISSUE, grace_period_expires_at=NOW + timedelta(days=16)),
    "EXPIRATION": purchase(E.EXPIRED, expiration_reason=CancelReason.UNSUBSCRIBE),
    "PRODUCT_CHANGE": purchase(E.CHANGED_RENEWAL_PREFERENCE, new_product_id="com.subscription.yearly"),
    "SUBSCRIPTION_EXTENDED": purchase(E.EXTENDED),
    "SUBSCRIPTION_PAUSED": purchase(E.PAUSED, auto_resume_at=NOW + timedelta(days=30)),
    "REFUND_REVERSED": purchase(E.REFUND_REVERSED, money=PAID),
    "TRANSFER": stored(PurchasesTransferred(
        store=Store.APP_STORE, environment=Environment.PRODUCTION, transferred_from=("a",), transferred_to=("b",),
        other_customer_id=2, sends_webhook=True,
    )),
    "VIRTUAL_CURRENCY_TRANSACTION": stored(VirtualCurrencyAdjusted(code="CRD", amount=100, transaction_id="vctx_1")),
}  # fmt: skip
# Fields a sample shows that the service does not have to send: one that is newer
# than a sample or absent from older samples.
SAMPLE_ONLY = {"product_display_name"}


def kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def compatible(ours: Any, theirs: Any) -> bool:
    """Same JSON type; null is allowed where RevenueCat documents "or null"."""
    return kind(ours) == kind(theirs) or kind(ours) == "null" or kind(theirs) == "null"


@pytest.mark.parametrize("sample_name", sorted(CASES))
def test_body_matches_the_documented_sample(sample_name: str) -> None:
    sample = json.loads((SAMPLES / f"webhook-{sample_name}.json").read_text())
    body = build_payload(CASES[sample_name], CUSTOMER)
    assert set(body) == {"api_version", "event"} and body["api_version"] == sample["api_version"]
    ours, theirs = body["event"], sample["event"]
    missing = set(theirs) - set(ours) - SAMPLE_ONLY
    assert not missing, f"fields RevenueCat sends that we do not: {sorted(missing)}"
    for key in set(ours) & set(theirs):
        assert compatible(ours[key], theirs[key]), (key, ours[key], theirs[key])
    assert ours["type"] == theirs["type"]
    json.dumps(body)  # plain JSON, nothing exotic


def test_fields_appear_only_on_their_own_type() -> None:
    only_on = {
        "cancel_reason": "CANCELLATION",
        "expiration_reason": "EXPIRATION",
        "is_trial_conversion": "RENEWAL",
        "grace_period_expiration_at_ms": "BILLING_ISSUE",
        "new_product_id": "PRODUCT_CHANGE",
        "auto_resume_at_ms": "SUBSCRIPTION_PAUSED",
        "transferred_from": "TRANSFER",
        "adjustments": "VIRTUAL_CURRENCY_TRANSACTION",
    }
    for case in CASES.values():
        event = build_payload(case, CUSTOMER)["event"]
        for key, owner in only_on.items():
            assert (key in event) == (case.webhook_type == owner), (case.webhook_type, key)


def test_promotional_events_have_no_app_id_and_transfer_no_app_user_id() -> None:
    grant = purchase(E.GRANTED_ENTITLEMENT, replace(PERIOD, store=Store.PROMOTIONAL))
    promo = build_payload(grant, CUSTOMER)["event"]
    assert "app_id" not in promo
    assert "app_user_id" not in build_payload(CASES["TRANSFER"], CUSTOMER)["event"]


def test_values_are_milliseconds_usd_and_attributes_with_update_times() -> None:
    event = build_payload(CASES["RENEWAL"], CUSTOMER)["event"]
    assert event["purchased_at_ms"] == int((NOW - timedelta(days=7)).timestamp() * 1000)
    assert (
        event["price"] == 8.14 and event["price_in_purchased_currency"] == 7.99 and event["currency"] == "EUR"
    )
    assert event["subscriber_attributes"] == {
        "$email": {"value": "firstlast@gmail.com", "updated_at_ms": int(NOW.timestamp() * 1000)}
    }
    assert event["app_user_id"] == "user-1" and event["aliases"] == CUSTOMER.aliases


def test_test_event_is_shaped_as_a_purchase_event() -> None:
    """RevenueCat documents no TEST body: ours carries the fields of its purchase samples
    with their value types (so a receiver's parser takes it), type TEST, and a made-up
    customer that no real App User ID can be."""
    sample = json.loads((SAMPLES / "webhook-INITIAL_PURCHASE.json").read_text())["event"]
    body = payload_of_test_event("0b1e2c3d-0000-4000-8000-000000000001", 7, Environment.SANDBOX, NOW)
    assert set(body) == {"api_version", "event"} and body["api_version"] == "1.0"
    event = body["event"]
    per_type = {"is_trial_conversion", "cancel_reason", "expiration_reason", "new_product_id"}
    missing = set(sample) - set(event) - SAMPLE_ONLY - per_type
    assert not missing, f"fields of a purchase sample that TEST lacks: {sorted(missing)}"
    for key in set(event) & set(sample):
        if key != "type":
            assert compatible(event[key], sample[key]), (key, event[key], sample[key])
    assert event["type"] == "TEST" and event["id"] == "0b1e2c3d-0000-4000-8000-000000000001"
    assert event["environment"] == "SANDBOX" and event["event_timestamp_ms"] == int(NOW.timestamp() * 1000)
    assert event["app_user_id"].startswith("$RCAnonymousID:") and event["subscriber_attributes"] == {}
    json.dumps(body)
