"""Domain events (app/domain/events.py): every event type is complete, so a missing
description, webhook type or body builder fails here rather than in a request; and the
rules for the prices events carry (DESIGN 4.2 "Prices")."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app.db.mapping import event_row
from app.domain.enums import CustomerEventType, Environment, PeriodType, Store
from app.domain.events import (
    APP,
    DESCRIPTIONS,
    REVENUE_EVENTS,
    WEBHOOK_TYPES,
    AliasCreated,
    DomainEvent,
    Money,
    Period,
    PurchaseEvent,
    PurchasesTransferred,
    VirtualCurrencyAdjusted,
    event_money,
)
from app.webhooks.payloads import BODY_BUILDERS, CustomerSnapshot, build_payload

NOW = datetime(2026, 3, 1, tzinfo=UTC)
PERIOD = Period(
    purchase_id=1,
    store=Store.PLAY_STORE,
    environment=Environment.PRODUCTION,
    product_id="monthly",
    entitlement_ids=("pro",),
    period_type=PeriodType.NORMAL,
    purchased_at=NOW - timedelta(days=3),
    expires_at=NOW + timedelta(days=27),
    transaction_id="t-2",
    original_transaction_id="t-1",
)
CUSTOMER = CustomerSnapshot("ana", "ana", ["ana"], {})


def an_event_of(event_type: CustomerEventType) -> DomainEvent:
    if event_type is CustomerEventType.CREATED_ALIAS:
        return AliasCreated()
    if event_type is CustomerEventType.TRANSFERRED:
        return PurchasesTransferred(
            store=Store.PLAY_STORE,
            environment=Environment.PRODUCTION,
            transferred_from=("a",),
            transferred_to=("b",),
            other_customer_id=2,
            sends_webhook=True,
        )
    if event_type is CustomerEventType.GRANTED_VIRTUAL_CURRENCY:
        return VirtualCurrencyAdjusted(code="GEMS", amount=5, transaction_id="vctx_1")
    if event_type is CustomerEventType.SPENT_VIRTUAL_CURRENCY:
        return VirtualCurrencyAdjusted(code="GEMS", amount=-5, transaction_id="vctx_2")
    return PurchaseEvent(type=event_type, period=PERIOD)


@pytest.mark.parametrize("event_type", list(CustomerEventType))
def test_every_event_type_has_a_description_a_webhook_type_and_a_body(event_type: CustomerEventType) -> None:
    assert DESCRIPTIONS[event_type]
    assert WEBHOOK_TYPES[event_type] in BODY_BUILDERS
    event = an_event_of(event_type)
    assert event.type is event_type
    row = event_row(event, project_id=1, customer_id=1, now=NOW, actor=APP)
    body = build_payload(row, CUSTOMER)["event"]
    assert body["type"] == WEBHOOK_TYPES[event_type].value and body["id"] == row.event_uuid


def test_revenue_events_carry_the_period_price_and_a_refund_its_negative() -> None:
    paid = Money(Decimal("9.99"), "EUR", Decimal("10.80"), is_estimated=True)
    assert event_money(CustomerEventType.RENEWED, paid) == paid
    assert event_money(CustomerEventType.REFUNDED, paid) == Money(
        Decimal("-9.99"), "EUR", Decimal("-10.80"), is_estimated=True
    )
    # A price nobody knows stays unknown: never a made-up 0.
    assert event_money(CustomerEventType.STARTED_SUBSCRIPTION, None) == Money(None, None, None)


@pytest.mark.parametrize("event_type", sorted(set(CustomerEventType) - REVENUE_EVENTS))
def test_other_events_show_no_price_and_send_zero(event_type: CustomerEventType) -> None:
    assert event_money(event_type, Money(Decimal("9.99"), "EUR", Decimal("10.80"))) is None
    if isinstance(event := an_event_of(event_type), PurchaseEvent):
        row = event_row(event, project_id=1, customer_id=1, now=NOW, actor=APP)
        assert row.price is None and row.currency is None
        body = build_payload(row, CUSTOMER)["event"]
        assert (body["price"], body["price_in_purchased_currency"], body["currency"]) == (0, 0, "USD")


def test_a_revenue_event_with_an_unknown_price_sends_null() -> None:
    event = PurchaseEvent(type=CustomerEventType.RENEWED, period=PERIOD, money=Money(None, None, None))
    body = build_payload(event_row(event, project_id=1, customer_id=1, now=NOW, actor=APP), CUSTOMER)["event"]
    assert body["price"] is None and body["price_in_purchased_currency"] is None


def test_the_webhook_is_built_from_the_stored_row_and_its_facts() -> None:
    event = PurchaseEvent(
        type=CustomerEventType.HAD_BILLING_ISSUE,
        period=PERIOD,
        grace_period_expires_at=NOW + timedelta(days=16),
    )
    row = event_row(event, project_id=1, customer_id=1, now=NOW, actor=APP)
    # Facts are plain JSON in the row: what a later reader (or a rebuilt body) sees.
    assert row.facts == {
        "expires_at": PERIOD.expires_at.isoformat(),  # type: ignore[union-attr]
        "grace_period_expires_at": (NOW + timedelta(days=16)).isoformat(),
        "renewal_number": 1,
    }
    body = build_payload(row, CUSTOMER)["event"]
    assert body["grace_period_expiration_at_ms"] == int((NOW + timedelta(days=16)).timestamp() * 1000)
    assert body["expiration_at_ms"] == int(PERIOD.expires_at.timestamp() * 1000)  # type: ignore[union-attr]
    assert body["purchased_at_ms"] == int(PERIOD.purchased_at.timestamp() * 1000)


def test_an_event_placed_at_another_moment_keeps_its_period_purchase_time_in_the_webhook() -> None:
    event = PurchaseEvent(type=CustomerEventType.REMOVED_GRANTED_ENTITLEMENT, period=PERIOD, occurred_at=NOW)
    row = event_row(event, project_id=1, customer_id=1, now=NOW, actor=APP)
    assert row.purchased_at == NOW  # the timeline shows it today
    body = build_payload(row, CUSTOMER)["event"]
    assert body["purchased_at_ms"] == int(PERIOD.purchased_at.timestamp() * 1000)
