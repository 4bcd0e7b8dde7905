"""Google Play purchases from the Play Developer API (DESIGN 4.10): recordStorePurchase
with a purchase token, looked up in a fake Google on loopback with a real service-account
token exchange (google-auth), as subscriptionsv2, orders and products answer."""

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.db.engine import Database
from app.main import create_app
from tests.conftest import ApiClient, Clock, make_settings, new_api_client
from tests.fake_stores import FakeGooglePlay

PACKAGE = "com.example.app"
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=20)
USER = "play-user"
PURCHASE = """mutation($token: String!, $product: String, $user: String!) {
  recordStorePurchase(input: {appUserId: $user, store: PLAY_STORE, purchaseToken: $token, productId: $product}) {
    events { type periodType price { amount currency } environment } userErrors { code message } } }"""
STATE = """query($id: String!) { customer(appUserId: $id) {
  purchases(sandbox: true) { id productId status willRenew refundedAt environment canRefund }
  entitlements(sandbox: true) { isActive billingIssueDetectedAt }
  history(first: 50, sandbox: true) { edges { node { type } } } } }"""


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def order(order_id: str, start: datetime, days: int, units: int, nanos: int = 0, trial: bool = False,
          **changes: Any) -> dict[str, Any]:  # fmt: skip
    phase = {"freeTrial": {}} if trial else {"basePrice": {}}
    body: dict[str, Any] = {
        "orderId": order_id, "state": "PROCESSED", "purchaseToken": "tok-1",
        "total": {"currencyCode": "EUR", "units": str(units), "nanos": nanos},
        "lineItems": [{"productId": "play_monthly", "subscriptionDetails": {
            "basePlanId": "monthly", "servicePeriodStartTime": iso(start),
            "servicePeriodEndTime": iso(start + timedelta(days=days)), "offerPhaseDetails": phase}}],
    }  # fmt: skip
    body.update(changes)
    return body


def subscription(latest_order: str, expiry: datetime, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "androidpublisher#subscriptionPurchaseV2", "regionCode": "DE", "startTime": iso(T0),
        "subscriptionState": "SUBSCRIPTION_STATE_ACTIVE", "acknowledgementState": "ACKNOWLEDGEMENT_STATE_PENDING",
        "lineItems": [{"productId": "play_monthly", "expiryTime": iso(expiry),
                       "autoRenewingPlan": {"autoRenewEnabled": True}, "offerDetails": {"basePlanId": "monthly"},
                       "latestSuccessfulOrderId": latest_order}],
    }  # fmt: skip
    body.update(changes)
    return body


class Play:
    def __init__(self, api: ApiClient, google: FakeGooglePlay, clock: Clock) -> None:
        self.api, self.google, self.clock = api, google, clock

    async def purchase(
        self, token: str = "tok-1", product: str | None = None, user: str = USER
    ) -> dict[str, Any]:
        data = await self.api.gql(PURCHASE, {"token": token, "product": product, "user": user})
        return data["recordStorePurchase"]  # type: ignore[no-any-return]

    async def state(self, user: str = USER) -> dict[str, Any]:
        return (await self.api.gql(STATE, {"id": user}))["customer"]  # type: ignore[no-any-return]

    async def history(self, user: str = USER) -> list[str]:
        return [e["node"]["type"] for e in reversed((await self.state(user))["history"]["edges"])]


@pytest.fixture
async def google_fake() -> AsyncIterator[FakeGooglePlay]:
    server = await FakeGooglePlay().start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def play(
    db: Database, database_urls: dict[str, str], backend: str, clock: Clock, google_fake: FakeGooglePlay
) -> AsyncIterator[Play]:
    settings = make_settings(
        database_urls[backend], google_play_api_base=google_fake.url, store_timeout_seconds=2
    )
    api = await new_api_client(db, create_app(settings, db, clock))
    await api.gql(
        'mutation { e: createEntitlement(input: {identifier: "pro"}) { userErrors { code } } '
        'p: createProduct(input: {identifier: "play_monthly:monthly", store: PLAY_STORE, type: SUBSCRIPTION, '
        'entitlementIdentifiers: ["pro"]}) { userErrors { code } } '
        'c: createProduct(input: {identifier: "coins_100", store: PLAY_STORE, type: CONSUMABLE}) { userErrors { code } } }'
    )
    data = await api.gql(
        "mutation($sa: String!, $pkg: String!) { configurePlayStoreApp(input: {packageName: $pkg, "
        'pushServiceAccountEmail: "push@example.iam.gserviceaccount.com", serviceAccountJson: $sa}) '
        "{ storeApp { notificationPath hasApiCredentials } userErrors { code field } } }",
        {"sa": json.dumps(google_fake.service_account()), "pkg": PACKAGE},
    )
    assert data["configurePlayStoreApp"]["userErrors"] == []
    assert data["configurePlayStoreApp"]["storeApp"]["hasApiCredentials"] is True
    try:
        yield Play(api, google_fake, clock)
    finally:
        await api.http.aclose()


def trial_then_paid(google: FakeGooglePlay) -> None:
    google.orders = {
        "GPA.1": order("GPA.1", T0, 7, 0, trial=True),
        "GPA.1..0": order("GPA.1..0", T0 + timedelta(days=7), 30, 8, 990000000),
    }
    google.subscriptions["tok-1"] = subscription("GPA.1..0", T0 + timedelta(days=37))


async def test_a_token_becomes_the_subscription_google_holds(play: Play) -> None:
    trial_then_paid(play.google)
    result = await play.purchase()
    assert result["userErrors"] == []
    assert [(e["type"], e["periodType"], e["environment"]) for e in result["events"]] == [
        ("STARTED_TRIAL", "TRIAL", "PRODUCTION"), ("CONVERTED_FROM_TRIAL", "NORMAL", "PRODUCTION"),
    ]  # fmt: skip
    assert result["events"][1]["price"] == {"amount": "8.99", "currency": "EUR"}
    assert play.google.acknowledged == ["tok-1"]  # acknowledged within Google's three days
    [purchase] = (await play.state())["purchases"]
    assert (purchase["productId"], purchase["status"], purchase["canRefund"]) == (
        "play_monthly:monthly",
        "ACTIVE",
        True,
    )
    assert (await play.purchase())["events"] == []  # idempotent

    refund = await play.api.gql(
        "mutation($id: ID!) { refundPurchase(input: {purchaseId: $id}) { userErrors { code } } }",
        {"id": purchase["id"]},
    )
    assert refund["refundPurchase"]["userErrors"] == []
    [call] = play.google.calls(":revoke")
    assert "/applications/com.example.app/purchases/subscriptionsv2/tokens/tok-1:revoke" in call.path


async def test_cancel_grace_refund_and_pause_follow_google(play: Play) -> None:
    trial_then_paid(play.google)
    await play.purchase()
    line = play.google.subscriptions["tok-1"]["lineItems"][0]

    line["autoRenewingPlan"] = {"autoRenewEnabled": False}
    play.google.subscriptions["tok-1"]["canceledStateContext"] = {"userInitiatedCancellation": {}}
    await play.purchase()
    assert (await play.history())[-1] == "OPTED_OUT_OF_RENEWAL"

    line["autoRenewingPlan"] = {"autoRenewEnabled": True}
    del play.google.subscriptions["tok-1"]["canceledStateContext"]
    play.google.subscriptions["tok-1"]["subscriptionState"] = "SUBSCRIPTION_STATE_IN_GRACE_PERIOD"
    line["expiryTime"] = iso(T0 + timedelta(days=44))
    await play.purchase()
    # Renewal is back on, and the charge failed: a billing issue, access through the grace period.
    assert sorted((await play.history())[-3:]) == [
        "CANCELLED_BILLING_ERROR",
        "HAD_BILLING_ISSUE",
        "RESUBSCRIBED",
    ]
    assert (await play.state())["entitlements"][0]["isActive"] is True  # through the grace period

    play.google.subscriptions["tok-1"]["subscriptionState"] = "SUBSCRIPTION_STATE_ACTIVE"
    play.google.orders["GPA.1..0"] |= {"state": "REFUNDED",
                                       "orderHistory": {"refundEvent": {"eventTime": iso(datetime.now(UTC))}}}  # fmt: skip
    await play.purchase()
    assert (await play.history())[-1] == "REFUNDED"


async def test_what_google_does_not_know_is_refused(play: Play) -> None:
    trial_then_paid(play.google)
    unknown = await play.purchase(token="tok-unknown")
    assert [e["code"] for e in unknown["userErrors"]] == ["VERIFICATION_FAILED"]
    play.google.package = "com.other.app"  # the token belongs to another app
    assert [e["code"] for e in (await play.purchase())["userErrors"]] == ["VERIFICATION_FAILED"]
    play.google.package = PACKAGE
    play.google.answer = 500
    assert [e["code"] for e in (await play.purchase())["userErrors"]] == ["STORE_ERROR"]
    assert await play.state() is None


async def test_a_test_purchase_is_sandbox_and_a_one_time_product_is_one_order(play: Play) -> None:
    trial_then_paid(play.google)
    play.google.subscriptions["tok-1"]["testPurchase"] = {}
    result = await play.purchase()
    assert {e["environment"] for e in result["events"]} == {"SANDBOX"}

    play.google.products["tok-coins"] = {"orderId": "GPA.9", "purchaseTimeMillis": str(int(T0.timestamp() * 1000)),
                                         "purchaseState": 0, "acknowledgementState": 0, "regionCode": "DE"}  # fmt: skip
    play.google.orders["GPA.9"] = {"orderId": "GPA.9", "state": "PROCESSED",
                                   "total": {"currencyCode": "EUR", "units": "1", "nanos": 490000000}}  # fmt: skip
    coins = await play.purchase(token="tok-coins", product="coins_100", user="coin-user")
    assert [(e["type"], e["price"]) for e in coins["events"]] == [
        ("MADE_PURCHASE", {"amount": "1.49", "currency": "EUR"})
    ]
    assert "tok-coins" in play.google.acknowledged
