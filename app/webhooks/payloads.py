"""Webhook bodies, built in one place from a stored timeline event, with RevenueCat's
field names and value types (reference section 1; samples in tests/data/webhooks/).

The body is built when the event is written and stored with it, so every delivery
attempt sends the same bytes and `CustomerEvent.payload` shows exactly what was sent.
Its input is the stored row (columns plus `facts`) and the customer as receivers know
them; nothing else, so a body can always be explained from what the timeline holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from app.db.models import CustomerEvent
from app.domain.enums import Environment, Store, WebhookEventType
from app.domain.events import REVENUE_EVENTS

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


def ms(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)


def _fact_ms(row: CustomerEvent, key: str) -> int | None:
    value = row.facts.get(key)
    return None if value is None else ms(datetime.fromisoformat(value))


def _plain(value: StrEnum | None) -> str | None:
    """An enum as the plain JSON string receivers get."""
    return None if value is None else value.value


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


def build_payload(row: CustomerEvent, customer: CustomerSnapshot) -> dict[str, Any]:
    """The webhook body of a stored event."""
    webhook_type = row.webhook_type
    event = BODY_BUILDERS[webhook_type](row, customer)
    event["type"] = webhook_type.value
    event["id"] = row.event_uuid
    store = row.store
    if store is not Store.PROMOTIONAL and webhook_type is not WebhookEventType.SUBSCRIBER_ALIAS:
        event["app_id"] = app_id(row.project_id, store)
    return {"api_version": API_VERSION, "event": event}


def _identity_fields(row: CustomerEvent, customer: CustomerSnapshot) -> dict[str, Any]:
    return {
        "event_timestamp_ms": ms(row.event_timestamp),
        "app_user_id": customer.app_user_id,
        "original_app_user_id": customer.original_app_user_id,
        "aliases": list(customer.aliases),
        "subscriber_attributes": subscriber_attributes(customer),
    }


def _prices(row: CustomerEvent) -> tuple[float | None, float | None, str]:
    """(price in USD, price in the purchased currency, currency): where no money moved,
    0 USD, as RevenueCat's bodies carry."""
    if row.currency is None and row.type not in REVENUE_EVENTS:
        return 0.0, 0.0, "USD"
    return _number(row.price_usd), _number(row.price), row.currency or "USD"


def _lifecycle_event(row: CustomerEvent, customer: CustomerSnapshot) -> dict[str, Any]:
    event = _identity_fields(row, customer)
    store = row.store
    price_usd, price, currency = _prices(row)
    event.update(
        {
            "product_id": row.product_id,
            "entitlement_ids": list(row.entitlement_ids) or None,
            "entitlement_id": row.entitlement_ids[0] if len(row.entitlement_ids) == 1 else None,
            "period_type": _plain(row.period_type),
            "purchased_at_ms": _fact_ms(row, "purchased_at") or ms(row.purchased_at),
            "expiration_at_ms": _fact_ms(row, "expires_at"),
            "store": _plain(row.store),
            "environment": _plain(row.environment),
            "presented_offering_id": row.facts.get("presented_offering_id"),
            "transaction_id": row.transaction_id,
            "original_transaction_id": row.original_transaction_id,
            "is_family_share": bool(row.facts.get("is_family_share")),
            "country_code": row.facts.get("country_code") or customer.country_code,
            "currency": currency,
            "price": price_usd,
            "price_in_purchased_currency": price,
            "offer_code": row.facts.get("offer_code"),
            "metadata": None,  # Web Billing custom metadata: none is kept
            "renewal_number": row.facts.get("renewal_number", 1),
            "experiments": [],
        }
    )
    commission = COMMISSION_BY_STORE.get(store) if store else None
    event["commission_percentage"] = commission
    event["tax_percentage"] = None
    event["takehome_percentage"] = None if commission is None else round(1 - commission, 4)
    return event


def _renewal_event(row: CustomerEvent, customer: CustomerSnapshot) -> dict[str, Any]:
    return _lifecycle_event(row, customer) | {
        "is_trial_conversion": bool(row.facts.get("is_trial_conversion"))
    }


def _cancellation_event(row: CustomerEvent, customer: CustomerSnapshot) -> dict[str, Any]:
    return _lifecycle_event(row, customer) | {"cancel_reason": _plain(row.cancel_reason)}


def _expiration_event(row: CustomerEvent, customer: CustomerSnapshot) -> dict[str, Any]:
    return _lifecycle_event(row, customer) | {"expiration_reason": _plain(row.expiration_reason)}


def _billing_issue_event(row: CustomerEvent, customer: CustomerSnapshot) -> dict[str, Any]:
    grace = _fact_ms(row, "grace_period_expires_at")
    return _lifecycle_event(row, customer) | {"grace_period_expiration_at_ms": grace}


def _product_change_event(row: CustomerEvent, customer: CustomerSnapshot) -> dict[str, Any]:
    return _lifecycle_event(row, customer) | {"new_product_id": row.new_product_id}


def _paused_event(row: CustomerEvent, customer: CustomerSnapshot) -> dict[str, Any]:
    return _lifecycle_event(row, customer) | {"auto_resume_at_ms": _fact_ms(row, "auto_resume_at")}


def _transfer_event(row: CustomerEvent, customer: CustomerSnapshot) -> dict[str, Any]:
    # RevenueCat's TRANSFER carries no app_user_id: only who lost and who received.
    return {
        "event_timestamp_ms": ms(row.event_timestamp),
        "store": _plain(row.store),
        "environment": _plain(row.environment),
        "transferred_from": list(row.transferred_from or []),
        "transferred_to": list(row.transferred_to or []),
    }


def _virtual_currency_event(row: CustomerEvent, customer: CustomerSnapshot) -> dict[str, Any]:
    event = _identity_fields(row, customer)
    code = row.virtual_currency_code or ""
    event.update(
        {
            "adjustments": [
                {
                    "amount": row.virtual_currency_amount or 0,
                    "currency": {"code": code, "name": code, "description": None},
                }
            ],
            "country_code": customer.country_code,
            "product_display_name": None,
            "product_id": row.product_id,
            "purchase_environment": _plain(row.environment),
            "source": "admin_api",
            "store": _plain(row.store),
            "transaction_id": row.transaction_id,
            "virtual_currency_transaction_id": row.facts.get("virtual_currency_transaction_id"),
            "experiments": [],
        }
    )
    return event


# What a TEST delivery says about its made-up purchase: RevenueCat documents no TEST
# body, so it is shaped as a purchase event is (the same field names and value types),
# with values that cannot be mistaken for a real customer's.
TEST_APP_USER_ID = "$RCAnonymousID:00000000000000000000000000000000"
TEST_PRODUCT_ID = "test_product"


def payload_of_test_event(
    event_uuid: str, project_id: int, environment: Environment, now: datetime
) -> dict[str, Any]:
    """The body of a TEST event (sendTestWebhook): no customer and no purchase behind it."""
    at = ms(now)
    event: dict[str, Any] = {
        "event_timestamp_ms": at,
        "app_user_id": TEST_APP_USER_ID,
        "original_app_user_id": TEST_APP_USER_ID,
        "aliases": [TEST_APP_USER_ID],
        "subscriber_attributes": {},
        "product_id": TEST_PRODUCT_ID,
        "entitlement_ids": None,
        "entitlement_id": None,
        "period_type": "NORMAL",
        "purchased_at_ms": at,
        "expiration_at_ms": None if at is None else at + 30 * 24 * 3600 * 1000,
        "store": Store.APP_STORE.value,
        "environment": environment.value,
        "presented_offering_id": None,
        "transaction_id": None,
        "original_transaction_id": None,
        "is_family_share": False,
        "country_code": None,
        "currency": "USD",
        "price": 0.0,
        "price_in_purchased_currency": 0.0,
        "offer_code": None,
        "metadata": None,
        "renewal_number": None,
        "experiments": [],
        "commission_percentage": None,
        "tax_percentage": None,
        "takehome_percentage": None,
        "type": WebhookEventType.TEST.value,
        "id": event_uuid,
        "app_id": app_id(project_id, Store.APP_STORE),
    }
    return {"api_version": API_VERSION, "event": event}


# Every webhook type an event can send has its builder here (a unit test checks it).
BODY_BUILDERS: dict[WebhookEventType, Callable[[CustomerEvent, CustomerSnapshot], dict[str, Any]]] = {
    WebhookEventType.INITIAL_PURCHASE: _lifecycle_event,
    WebhookEventType.NON_RENEWING_PURCHASE: _lifecycle_event,
    WebhookEventType.UNCANCELLATION: _lifecycle_event,
    WebhookEventType.RENEWAL: _renewal_event,
    WebhookEventType.CANCELLATION: _cancellation_event,
    WebhookEventType.EXPIRATION: _expiration_event,
    WebhookEventType.BILLING_ISSUE: _billing_issue_event,
    WebhookEventType.PRODUCT_CHANGE: _product_change_event,
    WebhookEventType.TRANSFER: _transfer_event,
    WebhookEventType.SUBSCRIBER_ALIAS: _identity_fields,
    WebhookEventType.VIRTUAL_CURRENCY_TRANSACTION: _virtual_currency_event,
    WebhookEventType.SUBSCRIPTION_EXTENDED: _lifecycle_event,
    WebhookEventType.SUBSCRIPTION_PAUSED: _paused_event,
    WebhookEventType.REFUND_REVERSED: _lifecycle_event,
}
