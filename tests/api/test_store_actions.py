"""Refunds and cancellations that reach the store (DESIGN 4.7, 4.8): requests checked by
fake Google Play and Stripe servers on loopback, every store value, every error code."""

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from app.db.engine import Database
from app.domain.enums import ApiKeyRole
from app.main import create_app
from app.services import store_actions
from tests.api.helpers import configure_catalog, days, post_receipt, txn
from tests.conftest import ApiClient, Clock, make_settings, new_api_client
from tests.fake_stores import STRIPE_KEY, FakeGooglePlay, FakeStripe

NOW = datetime.now(UTC)
PACKAGE = "com.example.app"
PURCHASE_FIELDS = "id status willRenew refundedAt canRefund canCancel expiresAt"
REFUND = f"""mutation($id: ID!) {{ refundPurchase(input: {{purchaseId: $id, reason: "asked nicely"}}) {{
  purchase {{ {PURCHASE_FIELDS} }}
  customer {{ entitlements {{ entitlement {{ identifier }} isActive }} }}
  userErrors {{ code message field }} }} }}"""
CANCEL = f"""mutation($id: ID!) {{ cancelSubscription(input: {{purchaseId: $id}}) {{
  purchase {{ {PURCHASE_FIELDS} }}
  customer {{ entitlements {{ entitlement {{ identifier }} isActive }} }}
  userErrors {{ code message field }} }} }}"""
PURCHASES = f"""query($id: String!) {{ customer(appUserId: $id) {{
  purchases(sandbox: true) {{ {PURCHASE_FIELDS} store productId }}
  entitlements {{ entitlement {{ identifier }} isActive }}
  history {{ edges {{ node {{ type webhookEventType cancelReason actor reason priceUsd {{ amount }} payload }} }} }} }} }}"""


@pytest.fixture
async def google() -> AsyncIterator[FakeGooglePlay]:
    server = await FakeGooglePlay().start()
    yield server
    await server.stop()


@pytest.fixture
async def stripe_server() -> AsyncIterator[FakeStripe]:
    server = await FakeStripe().start()
    yield server
    await server.stop()


@pytest.fixture
async def stores_api(
    db: Database,
    database_urls: dict[str, str],
    backend: str,
    clock: Clock,
    google: FakeGooglePlay,
    stripe_server: FakeStripe,
) -> AsyncIterator[ApiClient]:
    """An API whose Google Play and Web Billing credentials point at the fake stores."""
    settings = make_settings(
        database_urls[backend],
        google_play_service_account=json.dumps(google.service_account()),
        google_play_api_base=google.url,
        stripe_api_key=STRIPE_KEY,
        stripe_api_base=stripe_server.url,
        store_timeout_seconds=0.5,
    )
    client = await new_api_client(db, create_app(settings, db, clock))
    await configure_catalog(client)
    yield client
    await client.http.aclose()


async def purchases(api: ApiClient, app_user_id: str) -> dict[str, Any]:
    return (await api.gql(PURCHASES, {"id": app_user_id}))["customer"]  # type: ignore[no-any-return]


async def play_subscription(api: ApiClient, user: str, trial: bool = False) -> str:
    extra = {"periodType": "TRIAL"} if trial else {"price": "8.99", "currency": "EUR"}
    result = await post_receipt(
        api, user,
        [txn("GPA.1-0", NOW - days(2), NOW + days(28), product_id="play_monthly", original="GPA.1",
             purchaseToken="token/with+chars", packageName=PACKAGE, **extra)],
        store="PLAY_STORE",
    )  # fmt: skip
    assert result["userErrors"] == []
    return str((await purchases(api, user))["purchases"][0]["id"])


async def web_subscription(api: ApiClient, user: str) -> str:
    await post_receipt(
        api, user,
        [txn("in_1", NOW - days(2), NOW + days(28), product_id="web_monthly", original="sub_web",
             price="7.99", currency="USD", stripeSubscriptionId="sub_123", stripePaymentId="pi_123")],
        store="RC_BILLING",
    )  # fmt: skip
    return str((await purchases(api, user))["purchases"][0]["id"])


async def test_play_subscription_refund_revokes_at_google_and_ends_access_at_once(
    stores_api: ApiClient, google: FakeGooglePlay
) -> None:
    purchase_id = await play_subscription(stores_api, "play-user")
    before = await purchases(stores_api, "play-user")
    assert before["purchases"][0]["canRefund"] is True and before["purchases"][0]["canCancel"] is False
    result = (await stores_api.gql(REFUND, {"id": purchase_id}))["refundPurchase"]
    assert result["userErrors"] == []
    assert result["purchase"]["status"] == "REFUNDED" and result["purchase"]["canRefund"] is False
    assert result["customer"]["entitlements"] == [{"entitlement": {"identifier": "pro"}, "isActive": False}]

    [call] = google.calls(":revoke")
    assert call.method == "POST"
    assert (
        call.path
        == f"/androidpublisher/v3/applications/{PACKAGE}/purchases/subscriptionsv2/tokens/token%2Fwith%2Bchars:revoke"
    )
    assert call.headers["authorization"] == "Bearer ya29.fake-access-token"
    assert call.json() == {"revocationContext": {"fullRefund": {}}}
    assert len([r for r in google.requests if r.path == "/token"]) == 1

    after = await purchases(stores_api, "play-user")
    assert after["entitlements"] == [{"entitlement": {"identifier": "pro"}, "isActive": False}]
    refund = after["history"]["edges"][0]["node"]
    assert (refund["type"], refund["webhookEventType"], refund["cancelReason"]) == (
        "REFUNDED",
        "CANCELLATION",
        "CUSTOMER_SUPPORT",
    )
    assert float(refund["priceUsd"]["amount"]) < 0 and refund["payload"]["event"]["price"] < 0
    assert (refund["actor"], refund["reason"]) == ("admin", "asked nicely")
    again = (await stores_api.gql(REFUND, {"id": purchase_id}))["refundPurchase"]
    assert [e["code"] for e in again["userErrors"]] == ["ALREADY_REFUNDED"]
    assert len(google.calls(":revoke")) == 1


async def test_play_one_time_purchase_refund_uses_orders_refund(
    stores_api: ApiClient, google: FakeGooglePlay
) -> None:
    await stores_api.gql(
        'mutation { createProduct(input: {identifier: "play_gems", store: PLAY_STORE, type: CONSUMABLE}) { userErrors { code } } }'
    )
    await post_receipt(
        stores_api, "gem-buyer",
        [txn("GPA.9-9", NOW - days(1), None, product_id="play_gems", original=None, price="1.99", currency="EUR",
             purchaseToken="tok", packageName=PACKAGE)],
        store="PLAY_STORE",
    )  # fmt: skip
    purchase_id = (await purchases(stores_api, "gem-buyer"))["purchases"][0]["id"]
    result = (await stores_api.gql(REFUND, {"id": purchase_id}))["refundPurchase"]
    assert result["userErrors"] == [] and result["purchase"]["status"] == "REFUNDED"
    [call] = google.calls(":refund")
    assert call.path == f"/androidpublisher/v3/applications/{PACKAGE}/orders/GPA.9-9:refund"
    assert call.query == {"revoke": ["true"]} and call.body == b""


async def test_play_trial_cancel_keeps_access_to_the_end(
    stores_api: ApiClient, google: FakeGooglePlay
) -> None:
    purchase_id = await play_subscription(stores_api, "trialist", trial=True)
    result = (await stores_api.gql(CANCEL, {"id": purchase_id}))["cancelSubscription"]
    assert result["userErrors"] == []
    assert result["purchase"]["willRenew"] is False and result["purchase"]["status"] == "WILL_NOT_RENEW"
    assert result["purchase"]["canCancel"] is False
    assert result["customer"]["entitlements"] == [{"entitlement": {"identifier": "pro"}, "isActive": True}]
    [call] = google.calls(":cancel")
    assert call.json() == {"cancellationContext": {"cancellationType": "DEVELOPER_REQUESTED_STOP_PAYMENTS"}}
    event = (await purchases(stores_api, "trialist"))["history"]["edges"][0]["node"]
    assert (event["type"], event["cancelReason"]) == ("OPTED_OUT_OF_RENEWAL", "DEVELOPER_INITIATED")
    assert event["payload"]["event"]["cancel_reason"] == "DEVELOPER_INITIATED"
    again = (await stores_api.gql(CANCEL, {"id": purchase_id}))["cancelSubscription"]
    assert [e["code"] for e in again["userErrors"]] == ["ALREADY_CANCELLED"]


async def test_play_subscription_out_of_trial_cannot_be_cancelled(
    stores_api: ApiClient, google: FakeGooglePlay
) -> None:
    purchase_id = await play_subscription(stores_api, "paying")
    result = (await stores_api.gql(CANCEL, {"id": purchase_id}))["cancelSubscription"]
    assert [e["code"] for e in result["userErrors"]] == ["CANCEL_NOT_SUPPORTED"]
    assert google.calls(":cancel") == []


async def test_web_billing_refund_and_cancel_reach_stripe(
    stores_api: ApiClient, stripe_server: FakeStripe
) -> None:
    purchase_id = await web_subscription(stores_api, "web-user")
    state = (await purchases(stores_api, "web-user"))["purchases"][0]
    assert state["canRefund"] is True and state["canCancel"] is True
    cancelled = (await stores_api.gql(CANCEL, {"id": purchase_id}))["cancelSubscription"]
    assert cancelled["userErrors"] == [] and cancelled["purchase"]["willRenew"] is False
    [cancel_call] = stripe_server.calls("/v1/subscriptions/")
    assert cancel_call.path == "/v1/subscriptions/sub_123" and cancel_call.form() == {
        "cancel_at_period_end": ["true"]
    }
    assert (
        cancel_call.headers["authorization"] == f"Bearer {STRIPE_KEY}"
        and cancel_call.headers["idempotency-key"]
    )

    refunded = (await stores_api.gql(REFUND, {"id": purchase_id}))["refundPurchase"]
    assert refunded["userErrors"] == [] and refunded["purchase"]["status"] == "REFUNDED"
    [refund_call] = stripe_server.calls("/v1/refunds")
    assert refund_call.form()["payment_intent"] == ["pi_123"]
    assert refund_call.headers["idempotency-key"] != cancel_call.headers["idempotency-key"]


STORES = ["APP_STORE", "MAC_APP_STORE", "PLAY_STORE", "AMAZON", "STRIPE", "RC_BILLING", "PADDLE", "ROKU"]


async def test_every_store_can_refund_and_can_cancel_agree_with_the_mutations(stores_api: ApiClient) -> None:
    for store in STORES:
        await stores_api.gql(
            f'mutation {{ createProduct(input: {{identifier: "sub_{store}", store: {store}, type: SUBSCRIPTION, entitlementIdentifiers: ["pro"]}}) {{ userErrors {{ code }} }} }}'
        )
        await post_receipt(
            stores_api, f"user-{store}",
            [txn(f"t-{store}", NOW - days(1), NOW + days(29), product_id=f"sub_{store}", original=f"o-{store}",
                 purchaseToken="tok", packageName=PACKAGE, stripeSubscriptionId="sub_1", stripePaymentId="pi_1")],
            store=store,
        )  # fmt: skip
    await stores_api.gql(
        'mutation { grantEntitlement(input: {appUserId: "user-APP_STORE", entitlementIdentifier: "pro", duration: WEEKLY}) { userErrors { code } } }'
    )
    for store in [*STORES, "PROMOTIONAL"]:
        owner = "user-APP_STORE" if store == "PROMOTIONAL" else f"user-{store}"
        purchase = next(p for p in (await purchases(stores_api, owner))["purchases"] if p["store"] == store)
        cancel = (await stores_api.gql(CANCEL, {"id": purchase["id"]}))["cancelSubscription"]
        refund = (await stores_api.gql(REFUND, {"id": purchase["id"]}))["refundPurchase"]
        assert (cancel["userErrors"] == []) == purchase["canCancel"], store
        assert (refund["userErrors"] == []) == purchase["canRefund"], store
        expected_refund = store in ("PLAY_STORE", "RC_BILLING")
        assert purchase["canRefund"] is expected_refund, store
        assert purchase["canCancel"] is (store == "RC_BILLING"), store
        if not expected_refund:
            assert [e["code"] for e in refund["userErrors"]] == ["REFUND_NOT_SUPPORTED"], store
        if store == "APP_STORE":
            assert "Apple support" in refund["userErrors"][0]["message"]
        if store != "RC_BILLING":
            assert [e["code"] for e in cancel["userErrors"]] == ["CANCEL_NOT_SUPPORTED"], store


async def test_unknown_and_foreign_purchases_are_not_found(stores_api: ApiClient) -> None:
    purchase_id = await play_subscription(stores_api, "mine")
    other = await new_api_client(stores_api.db, stores_api.http._transport.app, "other")  # type: ignore[attr-defined]
    for client, ident in ((stores_api, "bm90LWEtcHVyY2hhc2U"), (other, purchase_id)):
        result = (await client.gql(REFUND, {"id": ident}))["refundPurchase"]
        assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
            ("PURCHASE_NOT_FOUND", ["input", "purchaseId"])
        ]
    await other.http.aclose()


async def test_a_store_without_credentials_refuses_and_nothing_changes(api: ApiClient) -> None:
    await configure_catalog(api)
    purchase_id = await play_subscription(api, "unconfigured")
    result = (await api.gql(REFUND, {"id": purchase_id}))["refundPurchase"]
    assert [e["code"] for e in result["userErrors"]] == ["STORE_NOT_CONFIGURED"]
    state = await purchases(api, "unconfigured")
    assert state["purchases"][0]["status"] == "ACTIVE" and len(state["history"]["edges"]) == 1


@pytest.mark.parametrize(("answer", "shown"), [(400, "HTTP 400"), (500, "HTTP 500"), ("hang", "no answer")])
async def test_store_errors_are_user_errors_and_nothing_is_recorded(
    stores_api: ApiClient, google: FakeGooglePlay, answer: int | str, shown: str
) -> None:
    purchase_id = await play_subscription(stores_api, "unlucky")
    google.answer = answer
    result = (await stores_api.gql(REFUND, {"id": purchase_id}))["refundPurchase"]
    [error] = result["userErrors"]
    assert error["code"] == "STORE_ERROR" and "PLAY_STORE" in error["message"] and shown in error["message"]
    if isinstance(answer, int):
        assert f"Google says {answer}" in error["message"]
    state = await purchases(stores_api, "unlucky")
    assert state["purchases"][0]["status"] == "ACTIVE" and len(state["history"]["edges"]) == 1
    google.answer = "ok"  # a failed attempt does not block the next one
    retried = (await stores_api.gql(REFUND, {"id": purchase_id}))["refundPurchase"]
    assert retried["userErrors"] == [] and retried["purchase"]["status"] == "REFUNDED"


async def test_missing_store_ids_are_a_clear_error(stores_api: ApiClient, google: FakeGooglePlay) -> None:
    await post_receipt(
        stores_api,
        "no-token",
        [txn("GPA.5", NOW - days(1), NOW + days(29), product_id="play_monthly", original="GPA.5")],
        store="PLAY_STORE",
    )
    purchase_id = (await purchases(stores_api, "no-token"))["purchases"][0]["id"]
    result = (await stores_api.gql(REFUND, {"id": purchase_id}))["refundPurchase"]
    assert [e["code"] for e in result["userErrors"]] == ["INVALID_INPUT"]
    assert (
        "purchase token" in result["userErrors"][0]["message"]
        or "package name" in result["userErrors"][0]["message"]
    )
    assert google.calls(":revoke") == []


async def test_viewer_may_not_refund_or_cancel(stores_api: ApiClient, google: FakeGooglePlay) -> None:
    purchase_id = await play_subscription(stores_api, "protected")
    viewer = await stores_api.key(ApiKeyRole.VIEWER)
    for mutation in (REFUND, CANCEL):
        response = await stores_api.post(mutation, {"id": purchase_id}, key=viewer)
        body = response.json()
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    support = await stores_api.key(ApiKeyRole.SUPPORT)
    result = (await stores_api.gql(REFUND, {"id": purchase_id}, key=support))["refundPurchase"]
    assert result["userErrors"] == []
    assert len(google.calls(":revoke")) == 1


async def test_two_simultaneous_refunds_make_one_store_call_and_one_event(
    stores_api: ApiClient, google: FakeGooglePlay
) -> None:
    purchase_id = await play_subscription(stores_api, "double")
    google.delay = 0.2  # both requests are in flight together
    results = await asyncio.gather(*(stores_api.gql(REFUND, {"id": purchase_id}) for _ in range(2)))
    outcomes = sorted(tuple(e["code"] for e in r["refundPurchase"]["userErrors"]) for r in results)
    assert outcomes == [(), ("ALREADY_REFUNDED",)]
    assert len(google.calls(":revoke")) == 1
    events = [e["node"]["type"] for e in (await purchases(stores_api, "double"))["history"]["edges"]]
    assert events.count("REFUNDED") == 1


async def test_a_confirmed_refund_that_could_not_be_recorded_is_finished_later(
    stores_api: ApiClient, google: FakeGooglePlay, monkeypatch: pytest.MonkeyPatch
) -> None:
    purchase_id = await play_subscription(stores_api, "durable")
    real_record = store_actions._record

    async def broken_record(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database went away")

    monkeypatch.setattr(store_actions, "_record", broken_record)
    response = await stores_api.post(REFUND, {"id": purchase_id})
    assert response.status_code == 200 and response.json()["errors"][0]["message"] == "Internal server error."
    assert (await purchases(stores_api, "durable"))["purchases"][0]["status"] == "ACTIVE"
    async with stores_api.db.read() as session:
        rows = (
            await session.exec(
                text("SELECT status FROM store_action WHERE project_id = :p").bindparams(
                    p=stores_api.project_id
                )
            )
        ).all()  # type: ignore[call-overload]
    assert [r[0] for r in rows] == ["CONFIRMED"]

    monkeypatch.setattr(store_actions, "_record", real_record)
    assert await store_actions.finish_confirmed_actions(stores_api.db, datetime.now(UTC)) >= 1
    state = await purchases(stores_api, "durable")
    assert state["purchases"][0]["status"] == "REFUNDED"
    assert [e["node"]["type"] for e in state["history"]["edges"]].count("REFUNDED") == 1
    assert len(google.calls(":revoke")) == 1


DELETE = "mutation($id: String!) { deleteCustomer(input: {appUserId: $id}) { deletedAppUserIds userErrors { code message } } }"


async def test_deletion_cancels_web_billing_subscriptions_first(
    stores_api: ApiClient, stripe_server: FakeStripe
) -> None:
    await web_subscription(stores_api, "leaving")
    stripe_server.answer = 500
    refused = (await stores_api.gql(DELETE, {"id": "leaving"}))["deleteCustomer"]
    assert [e["code"] for e in refused["userErrors"]] == ["STORE_ERROR"] and refused[
        "deletedAppUserIds"
    ] == []
    assert await purchases(stores_api, "leaving") is not None
    stripe_server.answer = "ok"
    deleted = (await stores_api.gql(DELETE, {"id": "leaving"}))["deleteCustomer"]
    assert deleted["deletedAppUserIds"] == ["leaving"]
    calls = stripe_server.calls("/v1/subscriptions/sub_123")
    assert len(calls) == 2 and calls[-1].form() == {"cancel_at_period_end": ["true"]}
    assert (await stores_api.gql('{ customer(appUserId: "leaving") { id } }'))["customer"] is None


async def test_an_action_left_pending_by_a_crash_is_resumed_with_the_same_key(
    stores_api: ApiClient, google: FakeGooglePlay, stripe_server: FakeStripe
) -> None:
    purchase_id = await web_subscription(stores_api, "crashed")
    stores = stores_api.http._transport.app.state.stores  # type: ignore[attr-defined]
    from app.graphql.ids import decode_id_of

    # The process reserved the refund and died before (or while) calling Stripe.
    reservation = await store_actions._reserve(
        stores_api.db, stores, stores_api.project_id, decode_id_of(purchase_id, "Purchase"),
        store_actions.REFUND, "admin", None, datetime.now(UTC),
    )  # fmt: skip
    blocked = (await stores_api.gql(REFUND, {"id": purchase_id}))["refundPurchase"]
    assert [e["code"] for e in blocked["userErrors"]] == ["ALREADY_REFUNDED"]  # in progress
    assert (
        await store_actions.resume_stale_actions(stores_api.db, stores, datetime.now(UTC)) == 0
    )  # not stale yet
    later = datetime.now(UTC) + store_actions.STALE_AFTER + timedelta(minutes=1)
    assert await store_actions.resume_stale_actions(stores_api.db, stores, later) >= 1
    [call] = stripe_server.calls("/v1/refunds")
    assert call.headers["idempotency-key"] == f"refund-{reservation.key}"
    state = await purchases(stores_api, "crashed")
    assert state["purchases"][0]["status"] == "REFUNDED"
    assert [e["node"]["type"] for e in state["history"]["edges"]].count("REFUNDED") == 1


async def test_two_workers_finishing_one_confirmed_refund_record_it_once(
    stores_api: ApiClient, google: FakeGooglePlay, monkeypatch: pytest.MonkeyPatch
) -> None:
    purchase_id = await play_subscription(stores_api, "twice-finished")
    real_record = store_actions._record

    async def broken_record(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database went away")

    monkeypatch.setattr(store_actions, "_record", broken_record)
    await stores_api.post(REFUND, {"id": purchase_id})
    monkeypatch.setattr(store_actions, "_record", real_record)
    now = datetime.now(UTC)
    await asyncio.gather(*(store_actions.finish_confirmed_actions(stores_api.db, now) for _ in range(3)))
    events = [e["node"]["type"] for e in (await purchases(stores_api, "twice-finished"))["history"]["edges"]]
    assert events.count("REFUNDED") == 1


async def test_store_ids_the_sdk_posted_never_reach_the_store(
    stores_api: ApiClient, stripe_server: FakeStripe
) -> None:
    """Even where the project trusts the SDK's raw receipts, a Stripe id it posts (here a
    stranger's subscription) is not kept: refunds, cancels and deletion cannot act on it."""
    await stores_api.gql(
        "mutation { setReceiptTrust(input: {receiptTrust: TRUST_SDK}) { userErrors { code } } }"
    )
    sdk = await stores_api.key(ApiKeyRole.SDK)
    posted = await stores_api.gql(
        "mutation($input: RecordReceiptInput!) { recordReceipt(input: $input) { userErrors { code } } }",
        {"input": {"appUserId": "attacker", "store": "RC_BILLING", "transactions": [
            txn("in_x", NOW - days(2), NOW + days(28), product_id="web_monthly", original="sub_mine",
                price="7.99", currency="USD", stripeSubscriptionId="sub_victim", stripePaymentId="pi_victim")]}},
        key=sdk,
    )  # fmt: skip
    assert posted["recordReceipt"]["userErrors"] == []
    purchase_id = (await purchases(stores_api, "attacker"))["purchases"][0]["id"]

    cancelled = (await stores_api.gql(CANCEL, {"id": purchase_id}))["cancelSubscription"]
    refunded = (await stores_api.gql(REFUND, {"id": purchase_id}))["refundPurchase"]
    deleted = await stores_api.gql(
        'mutation { deleteCustomer(input: {appUserId: "attacker"}) { userErrors { code } } }'
    )

    assert cancelled["userErrors"] and refunded["userErrors"]
    assert deleted["deleteCustomer"]["userErrors"] == []
    assert stripe_server.requests == []  # Stripe never heard of sub_victim or pi_victim
