"""RevenueCat's documented flows through recordReceipt (DESIGN 4.2, the rules it
gained): the exact events, their webhook types and fields, entitlement status and
totalSpent, on SQLite and PostgreSQL."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from app.services.expiration import expire_due_purchases
from tests.api.helpers import configure_catalog, customer_state, days, post_receipt, txn
from tests.conftest import ApiClient, Clock

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def kinds(result: dict[str, Any]) -> list[tuple[str, str]]:
    assert result["userErrors"] == [], result["userErrors"]
    return [(e["type"], e["webhookEventType"]) for e in result["events"]]


async def outbox_types(api: ApiClient) -> list[str]:
    """The webhook types written to the outbox, oldest first (an endpoint catches all)."""
    from sqlmodel import col, select

    from app.db.models import CustomerEvent, WebhookDelivery

    async with api.db.read() as session:
        rows = (
            await session.exec(
                select(CustomerEvent.webhook_type)
                .join(WebhookDelivery, col(WebhookDelivery.event_id) == col(CustomerEvent.id))
                .where(CustomerEvent.project_id == api.project_id)
                .order_by(col(CustomerEvent.id))
            )
        ).all()
    return [str(row) for row in rows]


@pytest.fixture(autouse=True)
async def no_delivery_left_for_other_tests(api: ApiClient) -> AsyncIterator[None]:
    """These tests read the outbox only: their rows must not wait for another test's
    dispatcher (tests share a database)."""
    yield
    async with api.db.transaction() as session:
        await session.exec(  # type: ignore[call-overload]
            text("UPDATE webhook_delivery SET status = 'FAILED' WHERE project_id = :p"),
            params={"p": api.project_id},
        )


async def add_catch_all_endpoint(api: ApiClient) -> None:
    data = await api.gql(
        'mutation { createWebhookEndpoint(input: {url: "http://127.0.0.1:9/hook"}) { userErrors { code } } }'
    )
    assert data["createWebhookEndpoint"]["userErrors"] == []


async def test_an_earlier_periods_refund_is_timeline_only_and_keeps_access(
    api: ApiClient, clock: Clock
) -> None:
    await configure_catalog(api)
    await add_catch_all_endpoint(api)
    clock.set(NOW)
    first = txn("e-1", NOW - days(40), NOW - days(10), original="e", price="9.99", currency="USD")
    second = txn("e-2", NOW - days(10), NOW + days(20), original="e", price="9.99", currency="USD")
    await post_receipt(api, "early", [first, second])
    before = await outbox_types(api)
    result = await post_receipt(api, "early", [first | {"refundedAt": (NOW - days(1)).isoformat()}, second])
    assert kinds(result) == [("REFUNDED", "CANCELLATION")]
    [refund] = result["events"]
    assert refund["priceUsd"] == {"amount": "-9.99", "currency": "USD"}
    assert await outbox_types(api) == before  # no CANCELLATION reaches a receiver
    state = await customer_state(api, "early")
    assert state["totalSpent"]["amount"] == "9.99"  # the refunded month came back
    assert state["purchases"][0]["status"] == "ACTIVE"
    assert next(e for e in state["entitlements"] if e["entitlement"]["identifier"] == "pro")["isActive"]


async def test_the_latest_periods_refund_cancels_and_a_reversal_brings_access_back(
    api: ApiClient, clock: Clock
) -> None:
    await configure_catalog(api)
    await add_catch_all_endpoint(api)
    clock.set(NOW)
    period = txn("r-1", NOW - days(5), NOW + days(25), original="r", price="9.99", currency="USD")
    await post_receipt(api, "rev", [period])
    refunded = period | {"refundedAt": (NOW - days(1)).isoformat()}
    assert kinds(await post_receipt(api, "rev", [refunded])) == [("REFUNDED", "CANCELLATION")]
    state = await customer_state(api, "rev")
    assert state["purchases"][0]["status"] == "REFUNDED" and state["totalSpent"]["amount"] == "0.00"

    # The store reverses the refund: its mark disappears from the store's state.
    result = await post_receipt(api, "rev", [period])
    assert kinds(result) == [("REFUND_REVERSED", "REFUND_REVERSED")]
    body = result["events"][0]["payload"]["event"]
    assert body["type"] == "REFUND_REVERSED" and body["price"] == 9.99
    state = await customer_state(api, "rev")
    assert state["purchases"][0]["status"] == "ACTIVE" and state["totalSpent"]["amount"] == "9.99"
    assert next(e for e in state["entitlements"] if e["entitlement"]["identifier"] == "pro")["isActive"]
    assert (await outbox_types(api))[-2:] == ["CANCELLATION", "REFUND_REVERSED"]
    # Posting it again changes nothing.
    assert kinds(await post_receipt(api, "rev", [period])) == []


async def test_an_immediate_upgrade_is_a_product_change_then_a_renewal_of_the_new_product(
    api: ApiClient, clock: Clock
) -> None:
    await configure_catalog(api)
    clock.set(NOW)
    monthly = txn("u-1", NOW - days(10), NOW + days(20), original="u", price="9.99", currency="USD")
    await post_receipt(api, "upgrader", [monthly])
    yearly = txn("u-2", NOW - days(1), NOW + days(364), "yearly", original="u", price="79.99", currency="USD")
    result = await post_receipt(api, "upgrader", [monthly, yearly])
    assert kinds(result) == [("CHANGED_RENEWAL_PREFERENCE", "PRODUCT_CHANGE"), ("RENEWED", "RENEWAL")]
    change, renewal = result["events"]
    assert change["payload"]["event"]["product_id"] == "monthly"
    assert change["payload"]["event"]["new_product_id"] == "yearly" and change["newProductId"] == "yearly"
    assert renewal["productId"] == "yearly" and sorted(renewal["entitlementIds"]) == ["premium", "pro"]
    assert renewal["payload"]["event"]["renewal_number"] == 2
    state = await customer_state(api, "upgrader")
    assert next(e for e in state["entitlements"] if e["entitlement"]["identifier"] == "premium")["isActive"]


async def test_an_extension_moves_the_expiry_and_says_so(api: ApiClient, clock: Clock) -> None:
    await configure_catalog(api)
    clock.set(NOW)
    period = txn("x-1", NOW - days(5), NOW + days(25), original="x", price="9.99", currency="USD")
    await post_receipt(api, "extended", [period])
    later = NOW + days(55)
    result = await post_receipt(api, "extended", [period | {"expiresAt": later.isoformat()}])
    assert kinds(result) == [("EXTENDED", "SUBSCRIPTION_EXTENDED")]
    body = result["events"][0]["payload"]["event"]
    assert body["expiration_at_ms"] == ms(later) and body["price"] == 0
    state = await customer_state(api, "extended")
    pro = next(e for e in state["entitlements"] if e["entitlement"]["identifier"] == "pro")
    assert datetime.fromisoformat(pro["expiresAt"]) == later


async def test_a_pause_then_its_end_then_the_resume(api: ApiClient, clock: Clock) -> None:
    await configure_catalog(api)
    clock.set(NOW)
    end = NOW + days(2)
    period = txn("p-1", NOW - days(28), end, "play_monthly", original="p", price="8.99", currency="EUR")
    await post_receipt(api, "pauser", [period], store="PLAY_STORE")
    resume = end + days(30)
    paused = period | {"pausedAt": end.isoformat(), "autoResumeAt": resume.isoformat()}
    result = await post_receipt(api, "pauser", [paused], store="PLAY_STORE")
    assert kinds(result) == [("PAUSED", "SUBSCRIPTION_PAUSED")]
    assert result["events"][0]["payload"]["event"]["auto_resume_at_ms"] == ms(resume)

    # The paused period ends: EXPIRED for SUBSCRIPTION_PAUSED.
    while await expire_due_purchases(api.db, end + timedelta(minutes=1)):
        pass
    state = await customer_state(api, "pauser")
    [expired] = [e for e in [edge["node"] for edge in state["history"]["edges"]] if e["type"] == "EXPIRED"]
    assert expired["webhookEventType"] == "EXPIRATION"
    async with api.db.read() as session:
        from sqlmodel import select

        from app.db.models import CustomerEvent

        row = (
            await session.exec(
                select(CustomerEvent).where(
                    CustomerEvent.project_id == api.project_id, CustomerEvent.type == "EXPIRED"
                )
            )
        ).one()
    assert row.payload["event"]["expiration_reason"] == "SUBSCRIPTION_PAUSED"

    # Resuming is a renewal.
    clock.set(resume + timedelta(minutes=1))
    resumed = txn(
        "p-2", resume, resume + days(30), "play_monthly", original="p", price="8.99", currency="EUR"
    )
    assert kinds(await post_receipt(api, "pauser", [paused, resumed], store="PLAY_STORE")) == [
        ("RENEWED", "RENEWAL")
    ]


async def test_family_sharing_offer_code_and_offering_reach_the_webhook_and_family_access_costs_nothing(
    api: ApiClient, clock: Clock
) -> None:
    await configure_catalog(api)
    clock.set(NOW)
    shared = txn(
        "f-1", NOW - days(1), NOW + days(29), original="f", price="9.99", currency="USD",
        isFamilyShare=True, offerCode="SPRING", presentedOfferingIdentifier="default",
    )  # fmt: skip
    result = await post_receipt(api, "family", [shared])
    body = result["events"][0]["payload"]["event"]
    assert body["is_family_share"] is True and body["offer_code"] == "SPRING"
    assert body["presented_offering_id"] == "default" and body["renewal_number"] == 1
    assert body["price"] == 0
    state = await customer_state(api, "family")
    assert state["totalSpent"]["amount"] == "0.00"
    assert next(e for e in state["entitlements"] if e["entitlement"]["identifier"] == "pro")["isActive"]
