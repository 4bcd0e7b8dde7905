"""Webhook bodies, built in one place from a timeline event, with RevenueCat's field
names and value types (reference section 1; samples in reference/webhooks/).

The body is built when the event is written and stored with it, so every delivery
attempt sends the same bytes and `CustomerEvent.payload` shows exactly what was sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.domain.enums import Store, WebhookEventType

API_VERSION = "1.0"

# Store commission estimates (reference 6, "Taxes and commission"): the App Store and
# Amazon take 30% (15% under Apple's Small Business Program, which the service cannot
# know), Google Play 15% on a developer's first $1M a year. Other stores' fees are not
# documented as a fixed share: null, as RevenueCat sends for unknown values. Tax is not
# estimated (null).
COMMISSION_BY_STORE: dict[Store, float] = {
    Store.APP_STORE: 0.3,
    Store.MAC_APP_STORE: 0.3,
    Store.AMAZON: 0.3,
    Store.PLAY_STORE: 0.15,
    Store.PROMOTIONAL: 0.0,
}


@dataclass(frozen=True, slots=True)
class CustomerSnapshot:
    """Who the event is about, as webhook consumers identify them."""

    app_user_id: str
    original_app_user_id: str
    aliases: list[str]
    attributes: dict[str, tuple[str, datetime]]
    country_code: str | None = None


@dataclass(frozen=True, slots=True)
class PayloadFields:
    event_id: str
    type: WebhookEventType
    event_timestamp: datetime
    project_id: int
    store: Store | None
    environment: str
    product_id: str | None = None
    entitlement_ids: list[str] = field(default_factory=list)
    period_type: str | None = None
    purchased_at: datetime | None = None
    expires_at: datetime | None = None
    transaction_id: str | None = None
    original_transaction_id: str | None = None
    price_usd: Decimal | None = None
    price: Decimal | None = None
    currency: str | None = None
    country_code: str | None = None
    # Per type:
    is_trial_conversion: bool = False
    cancel_reason: str | None = None
    expiration_reason: str | None = None
    grace_period_expires_at: datetime | None = None
    new_product_id: str | None = None
    transferred_from: list[str] = field(default_factory=list)
    transferred_to: list[str] = field(default_factory=list)
    virtual_currency_code: str | None = None
    virtual_currency_amount: int | None = None
    virtual_currency_transaction_id: str | None = None


def ms(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def app_id(project_id: int, store: Store | None) -> str:
    """One app per store in a project (RevenueCat's app within the project)."""
    return f"app_{project_id}_{(store.value if store else 'none').lower()}"


def subscriber_attributes(customer: CustomerSnapshot) -> dict[str, dict[str, Any]]:
    return {
        key: {"value": value, "updated_at_ms": ms(updated_at)}
        for key, (value, updated_at) in sorted(customer.attributes.items())
    }


def build_payload(fields: PayloadFields, customer: CustomerSnapshot) -> dict[str, Any]:
    if fields.type is WebhookEventType.TRANSFER:
        event = _transfer_event(fields)
    elif fields.type is WebhookEventType.VIRTUAL_CURRENCY_TRANSACTION:
        event = _virtual_currency_event(fields, customer)
    elif fields.type is WebhookEventType.SUBSCRIBER_ALIAS:
        event = _identity_fields(fields, customer)
    else:
        event = _lifecycle_event(fields, customer)
    event["type"] = fields.type.value
    event["id"] = fields.event_id
    if fields.store is not Store.PROMOTIONAL and fields.type is not WebhookEventType.SUBSCRIBER_ALIAS:
        event["app_id"] = app_id(fields.project_id, fields.store)
    return {"api_version": API_VERSION, "event": event}


def _identity_fields(fields: PayloadFields, customer: CustomerSnapshot) -> dict[str, Any]:
    return {
        "event_timestamp_ms": ms(fields.event_timestamp),
        "app_user_id": customer.app_user_id,
        "original_app_user_id": customer.original_app_user_id,
        "aliases": list(customer.aliases),
        "subscriber_attributes": subscriber_attributes(customer),
    }


def _lifecycle_event(fields: PayloadFields, customer: CustomerSnapshot) -> dict[str, Any]:
    event = _identity_fields(fields, customer)
    event.update(
        {
            "product_id": fields.product_id,
            "entitlement_ids": list(fields.entitlement_ids) or None,
            "entitlement_id": fields.entitlement_ids[0] if len(fields.entitlement_ids) == 1 else None,
            "period_type": fields.period_type,
            "purchased_at_ms": ms(fields.purchased_at),
            "expiration_at_ms": ms(fields.expires_at),
            "store": fields.store.value if fields.store else None,
            "environment": fields.environment,
            "presented_offering_id": None,
            "transaction_id": fields.transaction_id,
            "original_transaction_id": fields.original_transaction_id,
            "is_family_share": False,
            "country_code": fields.country_code or customer.country_code,
            "currency": fields.currency,
            "price": _number(fields.price_usd),
            "price_in_purchased_currency": _number(fields.price),
            "offer_code": None,
            "experiments": [],
        }
    )
    commission = COMMISSION_BY_STORE.get(fields.store) if fields.store else None
    event["commission_percentage"] = commission
    event["tax_percentage"] = None
    event["takehome_percentage"] = None if commission is None else round(1 - commission, 4)
    if fields.type is WebhookEventType.RENEWAL:
        event["is_trial_conversion"] = fields.is_trial_conversion
    if fields.type is WebhookEventType.CANCELLATION:
        event["cancel_reason"] = fields.cancel_reason
    if fields.type is WebhookEventType.EXPIRATION:
        event["expiration_reason"] = fields.expiration_reason
    if fields.type is WebhookEventType.BILLING_ISSUE:
        event["grace_period_expiration_at_ms"] = ms(fields.grace_period_expires_at)
    if fields.type is WebhookEventType.PRODUCT_CHANGE:
        event["new_product_id"] = fields.new_product_id
    return event


def _transfer_event(fields: PayloadFields) -> dict[str, Any]:
    # RevenueCat's TRANSFER carries no app_user_id: only who lost and who received.
    return {
        "event_timestamp_ms": ms(fields.event_timestamp),
        "store": fields.store.value if fields.store else None,
        "environment": fields.environment,
        "transferred_from": list(fields.transferred_from),
        "transferred_to": list(fields.transferred_to),
    }


def _virtual_currency_event(fields: PayloadFields, customer: CustomerSnapshot) -> dict[str, Any]:
    event = _identity_fields(fields, customer)
    code = fields.virtual_currency_code or ""
    event.update(
        {
            "adjustments": [
                {
                    "amount": fields.virtual_currency_amount or 0,
                    "currency": {"code": code, "name": code, "description": None},
                }
            ],
            "country_code": customer.country_code,
            "product_display_name": None,
            "product_id": fields.product_id,
            "purchase_environment": fields.environment,
            "source": "admin_api",
            "store": fields.store.value if fields.store else None,
            "transaction_id": fields.transaction_id,
            "virtual_currency_transaction_id": fields.virtual_currency_transaction_id,
            "experiments": [],
        }
    )
    return event
