"""The App Store path's edges: replayed signed data against imported refunds, an Apple
account's history of several purchases, billing retry without a grace period, parked
notifications released by an import, and what the endpoint answers to bad bodies and
missing configuration."""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from app.db.engine import Database
from app.db.models import StoreNotification
from app.domain.enums import ApiKeyRole, NotificationStatus
from app.services.expiration import expire_due_purchases
from tests.api.app_store_helpers import CONFIGURE_APP, AppStoreProject, app_store_project
from tests.api.helpers import post_receipt, txn
from tests.conftest import Clock
from tests.store_pki import FakeAppStoreServerApi, TestPKI, ms, renewal_claims, transaction_claims

T0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
MONTH = timedelta(days=30)
USER = "edge-user"


def paid(transaction_id: str, start: datetime, original: str = "o-1", **extra: Any) -> dict[str, Any]:
    return transaction_claims(transaction_id, start, start + MONTH, original_transaction_id=original, **extra)


async def inbox(apple: AppStoreProject) -> list[StoreNotification]:
    async with apple.api.db.read() as session:
        statement = select(StoreNotification).where(StoreNotification.project_id == apple.api.project_id)
        return list((await session.exec(statement.order_by(StoreNotification.id))).all())


async def test_signed_data_from_before_an_imported_refund_cannot_undo_it(apple: AppStoreProject) -> None:
    apple.clock.set(T0 + timedelta(days=5))
    refunded = txn("o-1", T0, T0 + MONTH, original="o-1", refundedAt=T0 + timedelta(days=3))
    assert (await post_receipt(apple.api, USER, [refunded]))["userErrors"] == []  # an ADMIN import

    sdk = await apple.api.key(ApiKeyRole.SDK)
    replay = apple.pki.sign(paid("o-1", T0, signedDate=ms(T0 + timedelta(days=1))))  # saved before the refund
    result = await apple.purchase(USER, replay, key=sdk)
    assert result["userErrors"] == [] and result["events"] == []
    assert (await apple.state(USER))["purchases"][0]["refundedAt"] is not None


async def test_billing_retry_without_grace_and_a_grace_period_that_runs_out(apple: AppStoreProject) -> None:
    apple.clock.set(T0 + timedelta(minutes=1))
    await apple.purchase(USER, apple.pki.sign(paid("o-1", T0)))
    end = T0 + MONTH
    apple.clock.set(end + timedelta(hours=1))
    response = await apple.notify(
        "DID_FAIL_TO_RENEW",
        transaction=paid("o-1", T0, signedDate=ms(end + timedelta(hours=1))),
        renewal=renewal_claims("o-1", end + timedelta(hours=1), isInBillingRetryPeriod=True),
    )
    assert response.status_code == 200
    await apple.apply_inbox()
    assert (await apple.history(USER))[-2:] == ["HAD_BILLING_ISSUE", "CANCELLED_BILLING_ERROR"]
    assert (await apple.state(USER))["entitlements"][0]["isActive"] is False  # no grace: no access

    # Another subscription: a grace period, then GRACE_PERIOD_EXPIRED.
    apple.clock.set(T0 + timedelta(minutes=1))
    await apple.purchase("grace-user", apple.pki.sign(paid("g-1", T0, original="g-1")))
    grace_end = end + timedelta(days=6)
    apple.clock.set(end + timedelta(hours=1))
    await apple.notify(
        "DID_FAIL_TO_RENEW", subtype="GRACE_PERIOD",
        transaction=paid("g-1", T0, original="g-1", signedDate=ms(end + timedelta(hours=1))),
        renewal=renewal_claims("g-1", end + timedelta(hours=1), isInBillingRetryPeriod=True,
                               gracePeriodExpiresDate=ms(grace_end)),
    )  # fmt: skip
    await apple.apply_inbox()
    assert (await apple.state("grace-user"))["entitlements"][0]["isActive"] is True
    apple.clock.set(grace_end + timedelta(hours=1))
    await apple.notify(
        "GRACE_PERIOD_EXPIRED",
        transaction=paid("g-1", T0, original="g-1", signedDate=ms(grace_end + timedelta(hours=1))),
        renewal=renewal_claims("g-1", grace_end + timedelta(hours=1), isInBillingRetryPeriod=True,
                               gracePeriodExpiresDate=ms(grace_end)),
    )  # fmt: skip
    await apple.apply_inbox()
    while await expire_due_purchases(apple.api.db, grace_end + timedelta(hours=1)):
        pass
    state = await apple.state("grace-user")
    assert state["entitlements"][0]["isActive"] is False
    assert state["history"]["edges"][0]["node"]["type"] == "EXPIRED"


async def test_a_parked_notification_is_released_by_an_admin_import(apple: AppStoreProject) -> None:
    apple.clock.set(T0 + timedelta(days=3))
    refunded = paid(
        "o-1", T0, signedDate=ms(T0 + timedelta(days=3)), revocationDate=ms(T0 + timedelta(days=3))
    )
    assert (await apple.notify("REFUND", transaction=refunded)).status_code == 200
    await apple.apply_inbox()
    assert [r.status for r in await inbox(apple)] == [NotificationStatus.PARKED]

    assert (await post_receipt(apple.api, USER, [txn("o-1", T0, T0 + MONTH, original="o-1")]))[
        "userErrors"
    ] == []
    await apple.apply_inbox()
    assert [r.status for r in await inbox(apple)] == [NotificationStatus.APPLIED]
    assert (await apple.history(USER)) == ["STARTED_SUBSCRIPTION", "REFUNDED"]


async def test_the_endpoint_answers_bad_bodies_and_unsigned_types(apple: AppStoreProject) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    response = await apple.api.http.post(apple.notification_path, content=deep)
    assert response.status_code == 400
    token = apple.pki.sign(
        {"notificationType": "EXTERNAL_PURCHASE_TOKEN", "notificationUUID": "ext-1", "version": "2.0",
         "signedDate": ms(datetime.now(UTC)),
         "externalPurchaseToken": {"externalPurchaseId": "SANDBOX_1", "bundleId": "com.example.app",
                                   "appAppleId": 1234567890}}
    )  # fmt: skip
    # The store app's verifier is for Production and Sandbox alike: a sandbox token verifies.
    response = await apple.post_notification(token)
    assert response.status_code == 200, response.text
    assert [(r.notification_type, r.status) for r in await inbox(apple)] == [
        ("EXTERNAL_PURCHASE_TOKEN", NotificationStatus.IGNORED)
    ]


async def test_a_long_offering_identifier_is_refused(apple: AppStoreProject) -> None:
    result = await apple.purchase(
        USER, apple.pki.sign(paid("o-1", T0)), presentedOfferingIdentifier="x" * 300
    )
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("INVALID_INPUT", ["input", "presentedOfferingIdentifier"])
    ]


async def test_missing_configuration_is_503_not_a_refusal(
    db: Database, database_urls: dict[str, str], backend: str, clock: Clock, pki: TestPKI
) -> None:
    project, stores = await app_store_project(db, database_urls[backend], clock, pki)
    try:
        data = await project.api.gql(
            CONFIGURE_APP, {"input": {"bundleId": "com.example.app", "rootCertificates": [pki.root_base64]}}
        )  # the app Apple ID is gone: production data cannot be verified yet
        assert data["configureAppStoreApp"]["userErrors"] == []
        response = await project.notify("DID_RENEW", transaction=paid("o-1", T0))
        assert response.status_code == 503 and response.headers["retry-after"]
        assert await inbox(project) == []
        result = await project.purchase(USER, pki.sign(paid("o-1", T0)))
        assert [e["code"] for e in result["userErrors"]] == ["STORE_NOT_CONFIGURED"]
    finally:
        await project.api.http.aclose()
        await stores.close()


# -- the App Store Server API: an Apple account with several purchases --------------------


async def test_only_the_reported_purchase_is_taken_from_the_accounts_history(
    with_api: AppStoreProject, history_api: FakeAppStoreServerApi
) -> None:
    with_api.clock.set(T0 + timedelta(days=31))
    lifetime = transaction_claims("l-1", T0 - timedelta(days=100), None, product_id="lifetime")
    history_api.transactions = [lifetime, paid("o-1", T0), paid("o-2", T0 + MONTH)]
    history_api.renewal = renewal_claims("o-1", T0 + MONTH, autoRenewStatus=0, expirationIntent=1)

    result = await with_api.purchase(USER, with_api.pki.sign(paid("o-2", T0 + MONTH)),
                                     presentedOfferingIdentifier="spring")  # fmt: skip
    assert result["userErrors"] == []
    assert [e["type"] for e in result["events"]] == [
        "STARTED_SUBSCRIPTION",
        "RENEWED",
        "OPTED_OUT_OF_RENEWAL",
    ]
    [purchase] = (await with_api.state(USER))["purchases"]
    assert (purchase["productId"], purchase["willRenew"]) == ("monthly", False)  # not the lifetime purchase
    offers = await with_api.api.gql(
        '{ customer(appUserId: "'
        + USER
        + '") { history(first: 10) { edges { node { transactionId payload } } } } }'
    )
    by_txn = {
        e["node"]["transactionId"]: e["node"]["payload"] for e in offers["customer"]["history"]["edges"]
    }
    assert by_txn["o-2"]["event"]["presented_offering_id"] == "spring"
    assert by_txn["o-1"]["event"].get("presented_offering_id") is None  # only the period the app reported


async def test_the_worker_reads_the_history_and_falls_back_when_apple_is_down(
    with_api: AppStoreProject, history_api: FakeAppStoreServerApi
) -> None:
    with_api.clock.set(T0 + timedelta(minutes=1))
    history_api.transactions = [paid("o-1", T0)]
    await with_api.purchase(USER, with_api.pki.sign(paid("o-1", T0)))

    with_api.clock.set(T0 + MONTH + timedelta(hours=1))
    history_api.transactions = [paid("o-1", T0), paid("o-2", T0 + MONTH), paid("o-3", T0 + 2 * MONTH)]
    # The notification names only the second period; Apple's history holds a third.
    await with_api.notify("DID_RENEW", transaction=paid("o-2", T0 + MONTH, signedDate=ms(T0 + MONTH)))
    await with_api.apply_inbox()
    assert await with_api.history(USER) == ["STARTED_SUBSCRIPTION", "RENEWED", "RENEWED"]

    history_api.answer = 500
    refunded = paid("o-3", T0 + 2 * MONTH, signedDate=ms(T0 + 2 * MONTH + timedelta(days=1)),
                    revocationDate=ms(T0 + 2 * MONTH + timedelta(days=1)))  # fmt: skip
    await with_api.notify("REFUND", transaction=refunded)
    await with_api.apply_inbox()
    assert (await with_api.history(USER))[-1] == "REFUNDED"
    assert [r.status for r in await inbox(with_api)] == [NotificationStatus.APPLIED] * 2


async def test_an_account_token_still_reaches_the_customer_after_a_merge(apple: AppStoreProject) -> None:
    sdk = await apple.api.key(ApiKeyRole.SDK)
    anonymous = "$RCAnonymousID:0123456789abcdef0123456789abcdef"
    opened = await apple.api.gql(
        "mutation($id: String!) { recordAppOpen(input: {appUserId: $id}) { customer { appAccountToken } } }",
        {"id": anonymous},
        key=sdk,
    )
    token = opened["recordAppOpen"]["customer"]["appAccountToken"]
    # The known user exists too: logging in merges the anonymous customer into it.
    await apple.api.gql(
        'mutation { recordAppOpen(input: {appUserId: "known-user"}) { userErrors { code } } }', key=sdk
    )
    await apple.api.gql(
        'mutation($a: String!) { identifyCustomer(input: {appUserId: $a, newAppUserId: "known-user"}) '
        "{ userErrors { code } } }",
        {"a": anonymous},
        key=sdk,
    )
    apple.clock.set(T0 + timedelta(minutes=1))
    response = await apple.notify(
        "SUBSCRIBED", subtype="INITIAL_BUY", transaction=paid("o-1", T0, appAccountToken=token)
    )
    assert response.status_code == 200
    await apple.apply_inbox()
    assert [r.status for r in await inbox(apple)] == [NotificationStatus.APPLIED]
    assert "STARTED_SUBSCRIPTION" in await apple.history("known-user")
    merged = await apple.api.gql('{ customer(appUserId: "known-user") { appUserId aliases { appUserId } } }')
    assert anonymous in [a["appUserId"] for a in merged["customer"]["aliases"]]  # it was a merge
