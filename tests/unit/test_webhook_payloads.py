"""Webhook bodies carry RevenueCat's field names and value types: compared, type by
type, with the documented sample bodies kept in tests/data/webhooks/ (sources in its
SOURCES.md)."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.domain.enums import Store, WebhookEventType
from app.webhooks.payloads import CustomerSnapshot, PayloadFields, build_payload

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "webhooks"
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
CUSTOMER = CustomerSnapshot(
    app_user_id="user-1",
    original_app_user_id="$RCAnonymousID:8069238d6049ce87cc529853916d624c",
    aliases=["$RCAnonymousID:8069238d6049ce87cc529853916d624c", "user-1"],
    attributes={"$email": ("firstlast@gmail.com", NOW)},
    country_code="DE",
)


def fields(type_: WebhookEventType, **extra: Any) -> PayloadFields:
    base: dict[str, Any] = {
        "event_id": "12345678-1234-1234-1234-123456789012",
        "type": type_,
        "event_timestamp": NOW,
        "project_id": 1,
        "store": Store.APP_STORE,
        "environment": "PRODUCTION",
        "product_id": "com.subscription.weekly",
        "entitlement_ids": ["pro"],
        "period_type": "NORMAL",
        "purchased_at": NOW - timedelta(days=7),
        "expires_at": NOW,
        "transaction_id": "123456789012345",
        "original_transaction_id": "123456789012345",
        "price_usd": Decimal("8.14"),
        "price": Decimal("7.99"),
        "currency": "EUR",
    }
    base.update(extra)
    return PayloadFields(**base)


CASES = {
    "INITIAL_PURCHASE": fields(WebhookEventType.INITIAL_PURCHASE),
    "INITIAL_PURCHASE-trial-started": fields(WebhookEventType.INITIAL_PURCHASE, period_type="TRIAL", price=Decimal(0), price_usd=Decimal(0)),
    "RENEWAL": fields(WebhookEventType.RENEWAL, is_trial_conversion=True),
    "CANCELLATION": fields(WebhookEventType.CANCELLATION, cancel_reason="UNSUBSCRIBE"),
    "CANCELLATION-refund": fields(WebhookEventType.CANCELLATION, cancel_reason="CUSTOMER_SUPPORT", price=Decimal("-7.99"), price_usd=Decimal("-8.14")),
    "CANCELLATION-trial-cancelled": fields(WebhookEventType.CANCELLATION, cancel_reason="UNSUBSCRIBE", period_type="TRIAL"),
    "UNCANCELLATION": fields(WebhookEventType.UNCANCELLATION),
    "NON_RENEWING_PURCHASE": fields(WebhookEventType.NON_RENEWING_PURCHASE, expires_at=None),
    "BILLING_ISSUE": fields(WebhookEventType.BILLING_ISSUE, grace_period_expires_at=NOW + timedelta(days=16)),
    "EXPIRATION": fields(WebhookEventType.EXPIRATION, expiration_reason="UNSUBSCRIBE"),
    "PRODUCT_CHANGE": fields(WebhookEventType.PRODUCT_CHANGE, new_product_id="com.subscription.yearly"),
    "TRANSFER": fields(WebhookEventType.TRANSFER, transferred_from=["a"], transferred_to=["b"]),
    "VIRTUAL_CURRENCY_TRANSACTION": fields(
        WebhookEventType.VIRTUAL_CURRENCY_TRANSACTION, virtual_currency_code="CRD", virtual_currency_amount=100,
        virtual_currency_transaction_id="vctx_1",
    ),
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
        "transferred_from": "TRANSFER",
        "adjustments": "VIRTUAL_CURRENCY_TRANSACTION",
    }
    for case in CASES.values():
        event = build_payload(case, CUSTOMER)["event"]
        for key, owner in only_on.items():
            assert (key in event) == (case.type.value == owner), (case.type, key)


def test_promotional_events_have_no_app_id_and_transfer_no_app_user_id() -> None:
    promo = build_payload(fields(WebhookEventType.NON_RENEWING_PURCHASE, store=Store.PROMOTIONAL), CUSTOMER)[
        "event"
    ]
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
