"""The one place where rows and domain state meet (Cosmic Python's `adapters/orm.py`
idea): stored transactions and purchases become `TransactionState`s and back, purchases
become the `Period` an event is about, and domain events become timeline rows."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from app.db.models import CustomerEvent, Purchase, StoreTransaction
from app.domain.events import (
    WEBHOOK_TYPES,
    Actor,
    AliasCreated,
    DomainEvent,
    Money,
    Period,
    PurchaseEvent,
    PurchasesTransferred,
    VirtualCurrencyAdjusted,
    describe,
)
from app.domain.prices import usd_rate_missing
from app.domain.receipts import TransactionState


def transaction_state(row: StoreTransaction, original_transaction_id: str) -> TransactionState:
    """A stored period as the diff engine reads it: the store's own price, not ours."""
    return TransactionState(
        transaction_id=row.transaction_id,
        original_transaction_id=original_transaction_id,
        product_id=row.product_id,
        purchased_at=row.purchased_at,
        expires_at=row.expires_at,
        period_type=row.period_type,
        price=row.store_price,
        currency=row.store_currency,
        will_renew=row.will_renew,
        cancel_reason=row.cancel_reason,
        renewal_product_id=row.renewal_product_id,
        billing_issue_detected_at=row.billing_issue_detected_at,
        grace_period_expires_at=row.grace_period_expires_at,
        refunded_at=row.refunded_at,
        country_code=row.country_code,
        is_family_share=row.is_family_share,
        offer_code=row.offer_code,
        presented_offering_id=row.presented_offering_id,
        paused_at=row.paused_at,
        auto_resume_at=row.auto_resume_at,
    )


def purchase_state(row: Purchase) -> TransactionState:
    """A purchase's current state (its latest period, kept on the purchase row)."""
    return TransactionState(
        transaction_id=row.original_transaction_id,
        original_transaction_id=row.original_transaction_id,
        product_id=row.product_id,
        purchased_at=row.purchased_at,
        expires_at=row.expires_at,
        period_type=row.period_type,
        will_renew=row.will_renew,
        cancel_reason=row.cancel_reason,
        renewal_product_id=row.renewal_product_id,
        billing_issue_detected_at=row.billing_issue_detected_at,
        grace_period_expires_at=row.grace_period_expires_at,
        refunded_at=row.refunded_at,
        paused_at=row.paused_at,
        auto_resume_at=row.auto_resume_at,
    )


def write_transaction_state(row: StoreTransaction, txn: TransactionState) -> None:
    """Copy the store's current view of a period onto its row (prices are set once, when
    the row is created: a later post never reprices a period)."""
    row.product_id = txn.product_id
    row.expires_at = txn.expires_at
    row.period_type = txn.period_type
    row.will_renew = txn.will_renew
    row.cancel_reason = txn.cancel_reason
    row.renewal_product_id = txn.renewal_product_id
    row.billing_issue_detected_at = txn.billing_issue_detected_at
    row.grace_period_expires_at = txn.grace_period_expires_at
    row.refunded_at = txn.refunded_at
    row.country_code = txn.country_code
    row.is_family_share = txn.is_family_share
    row.offer_code = txn.offer_code
    row.presented_offering_id = txn.presented_offering_id
    row.paused_at = txn.paused_at
    row.auto_resume_at = txn.auto_resume_at


def write_purchase_state(purchase: Purchase, latest: TransactionState) -> None:
    """The purchase row keeps its latest period's state, so lists need not read periods."""
    purchase.product_id = latest.product_id
    purchase.purchased_at = latest.purchased_at
    purchase.expires_at = latest.expires_at
    purchase.period_type = latest.period_type
    purchase.will_renew = latest.will_renew if latest.expires_at is not None else False
    purchase.cancel_reason = latest.cancel_reason
    purchase.billing_issue_detected_at = latest.billing_issue_detected_at
    purchase.grace_period_expires_at = latest.grace_period_expires_at
    purchase.refunded_at = latest.refunded_at
    purchase.renewal_product_id = latest.renewal_product_id
    purchase.paused_at = latest.paused_at
    purchase.auto_resume_at = latest.auto_resume_at


def period_money(row: StoreTransaction) -> Money:
    missing = usd_rate_missing(row.price, row.currency, row.price_usd)
    return Money(row.price, row.currency, row.price_usd, row.price_is_estimated, missing)


def period_of(
    purchase: Purchase,
    latest: StoreTransaction | None,
    entitlement_ids: list[str],
    *,
    expires_at: datetime | None = None,
) -> Period:
    """The period an event about a whole purchase is about: its latest one."""
    return Period(
        purchase_id=purchase.id,
        store=purchase.store,
        environment=purchase.environment,
        product_id=purchase.product_id,
        entitlement_ids=tuple(entitlement_ids),
        period_type=latest.period_type if latest else purchase.period_type,
        purchased_at=latest.purchased_at if latest else purchase.purchased_at,
        expires_at=expires_at,
        transaction_id=latest.transaction_id if latest else purchase.original_transaction_id,
        original_transaction_id=purchase.original_transaction_id,
        country_code=latest.country_code if latest else None,
        renewal_number=latest.renewal_number if latest else 1,
        is_family_share=latest.is_family_share if latest else False,
        offer_code=latest.offer_code if latest else None,
        presented_offering_id=latest.presented_offering_id if latest else None,
    )


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def event_row(
    event: DomainEvent, *, project_id: int, customer_id: int, now: datetime, actor: Actor
) -> CustomerEvent:
    """The timeline row of a domain event (its webhook body is built from this row)."""
    row = CustomerEvent(
        project_id=project_id,
        customer_id=customer_id,
        event_uuid=str(uuid.uuid4()),
        type=event.type,
        webhook_type=WEBHOOK_TYPES[event.type],
        description=describe(event.type),
        purchased_at=now,
        event_timestamp=now,
        actor=actor.name,
        reason=actor.reason,
        facts={
            key: _encode(value)
            for key, value in event.facts.items()
            if value is not None and value is not False
        },
    )
    if isinstance(event, PurchaseEvent):
        _purchase_columns(row, event)
    elif isinstance(event, PurchasesTransferred):
        row.store = event.store
        row.environment = event.environment
        row.transferred_from = list(event.transferred_from)
        row.transferred_to = list(event.transferred_to)
        row.related_customer_id = event.other_customer_id
    elif isinstance(event, VirtualCurrencyAdjusted):
        row.virtual_currency_code = event.code
        row.virtual_currency_amount = event.amount
        row.description = event.description
    else:
        assert isinstance(event, AliasCreated)
    return row


def _purchase_columns(row: CustomerEvent, event: PurchaseEvent) -> None:
    period = event.period
    row.purchase_id = period.purchase_id
    row.description = event.description or row.description
    row.purchased_at = event.occurred_at or period.purchased_at
    row.environment = period.environment
    row.store = period.store
    row.product_id = period.product_id
    row.new_product_id = event.new_product_id
    row.entitlement_ids = list(period.entitlement_ids)
    row.period_type = period.period_type
    row.transaction_id = period.transaction_id
    row.original_transaction_id = period.original_transaction_id
    row.cancel_reason = event.cancel_reason
    row.expiration_reason = event.expiration_reason
    if event.money is not None:
        row.price = event.money.amount
        row.currency = event.money.currency or "USD"
        row.price_usd = event.money.usd
        row.price_is_estimated = event.money.is_estimated
