"""Granted entitlements (DESIGN 4.5): grantEntitlement and revokeGrantedEntitlement.

Rules checked: each GrantDuration's exact length (DAILY 24 h ... YEARLY 365 d, LIFETIME no
expiry and 200 years in payloads); endsAt in the future (product `_custom`); exactly one
of duration and endsAt (INVALID_INPUT); ENTITLEMENT_NOT_FOUND, CUSTOMER_NOT_FOUND; a grant
is a PROMOTIONAL, production, price-0 purchase with a GRANTED_ENTITLEMENT event and a
NON_RENEWING_PURCHASE webhook without app_id; it ends by itself; it never touches or
stacks onto store purchases nor totalSpent; it is production even for a sandbox-only
customer; revoke expires every active grant now (REMOVED_GRANTED_ENTITLEMENT,
CANCELLATION, DEVELOPER_INITIATED), then NO_GRANTED_ENTITLEMENT; a store purchase keeps
giving access after a revoke; the events and audit records name the actor and reason.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app.domain.enums import ApiKeyRole
from tests.api.helpers import configure_catalog, iso, post_receipt, txn
from tests.api.test_support_common import (
    audit_rows,
    codes,
    customer,
    entitlement,
    event_of,
    grant,
    history,
    mutate,
    open_app,
    profile,
)
from tests.conftest import ApiClient, Clock

T0 = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

DURATIONS = [
    ("DAILY", timedelta(hours=24)),
    ("THREE_DAY", timedelta(hours=72)),
    ("WEEKLY", timedelta(days=7)),
    ("TWO_WEEK", timedelta(days=14)),
    ("MONTHLY", timedelta(days=31)),
    ("TWO_MONTH", timedelta(days=61)),
    ("THREE_MONTH", timedelta(days=92)),
    ("SIX_MONTH", timedelta(days=183)),
    ("YEARLY", timedelta(days=365)),
    ("LIFETIME", None),
]


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


async def revoke(
    api: ApiClient,
    app_user_id: str,
    entitlement_identifier: str = "pro",
    reason: str | None = None,
    key: str | None = None,
) -> dict:
    return await mutate(
        api,
        "revokeGrantedEntitlement",
        {"appUserId": app_user_id, "entitlementIdentifier": entitlement_identifier, "reason": reason},
        "customer { id }",
        key,
    )


@pytest.fixture
async def shop(api: ApiClient, clock: Clock) -> ApiClient:
    """A project with entitlements pro and premium, the clock at T0, customer `gina`."""
    clock.set(T0)
    await configure_catalog(api)
    await open_app(api, "gina")
    return api


async def store_subscription(api: ApiClient, app_user_id: str, environment: str = "PRODUCTION") -> None:
    """An App Store monthly subscription (gives pro) bought a day ago, 29 days left."""
    result = await post_receipt(
        api,
        app_user_id,
        [txn("store-1", T0 - timedelta(days=1), T0 + timedelta(days=29), price="9.99", currency="USD")],
        environment=environment,
    )
    assert result["userErrors"] == []


# -- durations ------------------------------------------------------------------------------


@pytest.mark.parametrize(("duration", "length"), DURATIONS, ids=[d for d, _ in DURATIONS])
async def test_each_duration_has_its_exact_length(
    shop: ApiClient, clock: Clock, duration: str, length: timedelta | None
) -> None:
    result = await grant(shop, "gina", duration=duration)
    assert result["userErrors"] == []
    state = await profile(shop, "gina")
    pro = entitlement(state, "pro")
    assert pro["productId"] == f"rc_promo_pro_{duration.lower()}"
    assert pro["purchasedAt"] == iso(T0)
    assert pro["isActive"] is True
    payload = event_of(state, "GRANTED_ENTITLEMENT")["payload"]["event"]
    assert payload["purchased_at_ms"] == ms(T0)

    if length is None:
        assert pro["expiresAt"] is None
        assert state["purchases"][0]["expiresAt"] is None
        # Payloads need a date: 200 years ahead.
        two_days_ms = 2 * 86_400_000
        assert abs(payload["expiration_at_ms"] - ms(T0.replace(year=T0.year + 200))) <= two_days_ms
        clock.set(T0 + timedelta(days=365 * 150))
        assert entitlement(await profile(shop, "gina"), "pro")["isActive"] is True
        return

    assert pro["expiresAt"] == iso(T0 + length)
    assert state["purchases"][0]["expiresAt"] == iso(T0 + length)
    assert payload["expiration_at_ms"] == ms(T0 + length)
    # It ends by itself: active up to its expiry, inactive from then on.
    clock.set(T0 + length - timedelta(seconds=1))
    assert entitlement(await profile(shop, "gina"), "pro")["isActive"] is True
    clock.set(T0 + length)
    after = await profile(shop, "gina")
    assert entitlement(after, "pro")["isActive"] is False
    assert [p["status"] for p in after["purchases"]] == ["EXPIRED"]


async def test_ends_at_in_the_future_makes_a_custom_grant(shop: ApiClient) -> None:
    result = await grant(shop, "gina", duration=None, ends_at="2026-01-25T14:30:00+02:00")
    assert result["userErrors"] == []
    pro = entitlement(await profile(shop, "gina"), "pro")
    assert pro["productId"] == "rc_promo_pro_custom"
    assert pro["expiresAt"] == "2026-01-25T12:30:00Z"
    assert pro["isActive"] is True


@pytest.mark.parametrize(
    ("duration", "ends_at", "field"),
    [
        ("WEEKLY", iso(T0 + timedelta(days=3)), ["input", "duration"]),  # both
        (None, None, ["input", "duration"]),  # neither
        (None, iso(T0 - timedelta(seconds=1)), ["input", "endsAt"]),  # in the past
        (None, iso(T0), ["input", "endsAt"]),  # now: over before it starts
    ],
    ids=["both", "neither", "past", "now"],
)
async def test_exactly_one_of_duration_and_future_ends_at(
    shop: ApiClient, duration: str | None, ends_at: str | None, field: list[str]
) -> None:
    result = await grant(shop, "gina", duration=duration, ends_at=ends_at)
    assert codes(result) == [("INVALID_INPUT", field)]
    assert result["customer"] is None
    state = await profile(shop, "gina")
    assert state["purchases"] == [] and state["entitlements"] == []


async def test_unknown_entitlement_and_unknown_customer(shop: ApiClient) -> None:
    unknown_entitlement = await grant(shop, "gina", entitlement_identifier="gold")
    assert codes(unknown_entitlement) == [("ENTITLEMENT_NOT_FOUND", ["input", "entitlementIdentifier"])]
    unknown_customer = await grant(shop, "not-a-customer")
    assert codes(unknown_customer) == [("CUSTOMER_NOT_FOUND", ["input", "appUserId"])]
    assert (await customer(shop, "not-a-customer")) is None
    assert (await profile(shop, "gina"))["purchases"] == []


# -- what a grant is ------------------------------------------------------------------------


async def test_a_grant_is_a_promotional_production_purchase_with_its_event(shop: ApiClient) -> None:
    support = await shop.key(ApiKeyRole.SUPPORT)
    result = await grant(shop, "gina", duration="MONTHLY", reason="Outage compensation", key=support)
    assert result["userErrors"] == []
    state = await profile(shop, "gina")

    assert state["entitlements"] == [
        {
            "entitlement": {"identifier": "pro"},
            "isActive": True,
            "source": "GRANTED",
            "productId": "rc_promo_pro_monthly",
            "store": "PROMOTIONAL",
            "environment": "PRODUCTION",
            "periodType": "PROMOTIONAL",
            "purchasedAt": iso(T0),
            "expiresAt": iso(T0 + timedelta(days=31)),
            "willRenew": False,
            "purchase": None,
        }
    ]
    [purchase] = state["purchases"]
    assert {k: purchase[k] for k in ("store", "environment", "productId", "periodType", "willRenew")} == {
        "store": "PROMOTIONAL",
        "environment": "PRODUCTION",
        "productId": "rc_promo_pro_monthly",
        "periodType": "PROMOTIONAL",
        "willRenew": False,
    }
    assert Decimal(purchase["price"]["amount"]) == 0 and purchase["price"]["currency"] == "USD"
    assert Decimal(purchase["priceUsd"]["amount"]) == 0
    assert Decimal(state["totalSpent"]["amount"]) == 0

    event = event_of(state, "GRANTED_ENTITLEMENT")
    assert event["description"] == "Was granted the pro Entitlement"
    assert event["webhookEventType"] == "NON_RENEWING_PURCHASE"
    assert (event["store"], event["environment"], event["periodType"]) == (
        "PROMOTIONAL",
        "PRODUCTION",
        "PROMOTIONAL",
    )
    assert event["productId"] == "rc_promo_pro_monthly" and event["entitlementIds"] == ["pro"]
    assert (event["actor"], event["reason"]) == ("support key", "Outage compensation")
    payload = event["payload"]["event"]
    assert "app_id" not in payload
    assert payload["type"] == "NON_RENEWING_PURCHASE"
    assert (payload["store"], payload["period_type"], payload["environment"]) == (
        "PROMOTIONAL",
        "PROMOTIONAL",
        "PRODUCTION",
    )
    assert payload["price"] == 0 and payload["price_in_purchased_currency"] == 0
    assert payload["product_id"] == "rc_promo_pro_monthly"
    assert payload["entitlement_ids"] == ["pro"]
    assert payload["app_user_id"] == "gina"
    assert payload["expiration_at_ms"] == ms(T0 + timedelta(days=31))

    [record] = await audit_rows(shop, "grantEntitlement")
    assert (record["actor"], record["reason"]) == ("support key", "Outage compensation")


async def test_a_grant_never_touches_store_purchases_nor_total_spent(shop: ApiClient) -> None:
    await store_subscription(shop, "gina")
    before = await profile(shop, "gina")
    [store_purchase] = before["purchases"]
    assert store_purchase["status"] == "ACTIVE"
    assert before["totalSpent"] == {"amount": "9.99", "currency": "USD"}

    assert (await grant(shop, "gina", duration="MONTHLY"))["userErrors"] == []
    assert (await grant(shop, "gina", entitlement_identifier="premium", duration="LIFETIME"))[
        "userErrors"
    ] == []
    after = await profile(shop, "gina")
    assert [p for p in after["purchases"] if p["store"] != "PROMOTIONAL"] == [store_purchase]
    assert after["totalSpent"] == {"amount": "9.99", "currency": "USD"}
    # No stacking: the grant's own 31 days from now, not added after the store's 29.
    pro = entitlement(after, "pro")
    assert (pro["source"], pro["expiresAt"]) == ("GRANTED", iso(T0 + timedelta(days=31)))
    assert len([p for p in after["purchases"] if p["store"] == "PROMOTIONAL"]) == 2


async def test_grants_are_production_for_a_sandbox_only_customer(shop: ApiClient) -> None:
    await store_subscription(shop, "sandy", environment="SANDBOX")
    assert (await profile(shop, "sandy"))["entitlements"] == []
    assert (await grant(shop, "sandy", duration="WEEKLY"))["userErrors"] == []
    production = await profile(shop, "sandy")
    assert [
        (e["entitlement"]["identifier"], e["source"], e["environment"]) for e in production["entitlements"]
    ] == [("pro", "GRANTED", "PRODUCTION")]
    assert [(p["store"], p["environment"]) for p in production["purchases"]] == [
        ("PROMOTIONAL", "PRODUCTION")
    ]
    assert [e["type"] for e in history(production)] == ["GRANTED_ENTITLEMENT"]
    assert event_of(production, "GRANTED_ENTITLEMENT")["payload"]["event"]["environment"] == "PRODUCTION"


# -- revoke ---------------------------------------------------------------------------------


async def test_revoke_expires_the_grant_now(shop: ApiClient, clock: Clock) -> None:
    assert (await grant(shop, "gina", duration="YEARLY"))["userErrors"] == []
    revoked_at = T0 + timedelta(days=3)
    clock.set(revoked_at)
    support = await shop.key(ApiKeyRole.SUPPORT)
    result = await revoke(shop, "gina", reason="Granted by mistake", key=support)
    assert result["userErrors"] == []

    state = await profile(shop, "gina")
    pro = entitlement(state, "pro")
    assert (pro["isActive"], pro["source"], pro["expiresAt"]) == (False, "GRANTED", iso(revoked_at))
    assert [(p["status"], p["expiresAt"]) for p in state["purchases"]] == [("EXPIRED", iso(revoked_at))]
    event = event_of(state, "REMOVED_GRANTED_ENTITLEMENT")
    assert event["webhookEventType"] == "CANCELLATION"
    assert event["cancelReason"] == "DEVELOPER_INITIATED"
    assert (event["actor"], event["reason"]) == ("support key", "Granted by mistake")
    payload = event["payload"]["event"]
    assert payload["type"] == "CANCELLATION"
    assert payload["cancel_reason"] == "DEVELOPER_INITIATED"
    assert payload["store"] == "PROMOTIONAL" and "app_id" not in payload
    assert payload["expiration_at_ms"] == ms(revoked_at)
    [record] = await audit_rows(shop, "revokeGrantedEntitlement")
    assert (record["actor"], record["reason"]) == ("support key", "Granted by mistake")

    again = await revoke(shop, "gina")
    assert codes(again) == [("NO_GRANTED_ENTITLEMENT", ["input", "entitlementIdentifier"])]


async def test_revoke_expires_every_active_grant_of_that_entitlement_only(shop: ApiClient) -> None:
    for duration in ("WEEKLY", "LIFETIME"):
        assert (await grant(shop, "gina", duration=duration))["userErrors"] == []
    assert (await grant(shop, "gina", entitlement_identifier="premium", duration="MONTHLY"))[
        "userErrors"
    ] == []
    assert (await revoke(shop, "gina", "pro"))["userErrors"] == []
    state = await profile(shop, "gina")
    assert entitlement(state, "pro")["isActive"] is False
    assert entitlement(state, "premium")["isActive"] is True
    ends = sorted((p["productId"], p["status"] == "EXPIRED", p["expiresAt"]) for p in state["purchases"])
    assert ends == [
        ("rc_promo_premium_monthly", False, iso(T0 + timedelta(days=31))),
        ("rc_promo_pro_lifetime", True, iso(T0)),
        ("rc_promo_pro_weekly", True, iso(T0)),
    ]
    assert [e["type"] for e in history(state)].count("REMOVED_GRANTED_ENTITLEMENT") == 2


async def test_revoke_without_an_active_grant(shop: ApiClient, clock: Clock) -> None:
    await store_subscription(shop, "gina")
    # Access from a store purchase is not a grant.
    assert codes(await revoke(shop, "gina")) == [
        ("NO_GRANTED_ENTITLEMENT", ["input", "entitlementIdentifier"])
    ]
    # A grant that already ended by itself is not active either.
    assert (await grant(shop, "gina", entitlement_identifier="premium", duration="DAILY"))["userErrors"] == []
    clock.set(T0 + timedelta(days=2))
    assert codes(await revoke(shop, "gina", "premium")) == [
        ("NO_GRANTED_ENTITLEMENT", ["input", "entitlementIdentifier"])
    ]
    assert codes(await revoke(shop, "nobody-known")) == [("CUSTOMER_NOT_FOUND", ["input", "appUserId"])]


async def test_after_a_revoke_the_store_purchase_still_gives_access(shop: ApiClient, clock: Clock) -> None:
    await store_subscription(shop, "gina")
    assert (await grant(shop, "gina", duration="MONTHLY"))["userErrors"] == []
    assert entitlement(await profile(shop, "gina"), "pro")["source"] == "GRANTED"
    clock.set(T0 + timedelta(hours=1))
    assert (await revoke(shop, "gina"))["userErrors"] == []
    state = await profile(shop, "gina")
    pro = entitlement(state, "pro")
    assert (pro["isActive"], pro["source"], pro["productId"], pro["store"]) == (
        True,
        "PURCHASE",
        "monthly",
        "APP_STORE",
    )
    assert pro["expiresAt"] == iso(T0 + timedelta(days=29))
    assert pro["purchase"] is not None
    store_purchase = next(p for p in state["purchases"] if p["store"] == "APP_STORE")
    assert store_purchase["status"] == "ACTIVE"
