"""App Store purchases from what Apple signed (DESIGN 4.10): recordStorePurchase with a
StoreKit 2 signed transaction, and App Store Server Notifications V2 through the inbox.

Everything is signed with the tests' own Apple-shaped chain (tests/store_pki.py) and
verified by Apple's real `SignedDataVerifier`, strict checks on."""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from app.db.models import StoreNotification
from app.domain.enums import ApiKeyRole, NotificationStatus
from app.services.expiration import expire_due_purchases
from tests.api.app_store_helpers import CONFIGURE_APP, AppStoreProject
from tests.store_pki import BUNDLE_ID, TestPKI, ms, notification_payload, renewal_claims, transaction_claims

T0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
MONTH = timedelta(days=30)
WEEK = timedelta(days=7)
USER = "apple-user"


def trial(transaction_id: str = "o-1", **extra: Any) -> dict[str, Any]:
    return transaction_claims(
        transaction_id,
        T0,
        T0 + WEEK,
        original_transaction_id="o-1",
        offerType=1,
        offerDiscountType="FREE_TRIAL",
        price=0,
        **extra,
    )


def paid(transaction_id: str, start: datetime, **extra: Any) -> dict[str, Any]:
    return transaction_claims(transaction_id, start, start + MONTH, original_transaction_id="o-1", **extra)


async def inbox(apple: AppStoreProject) -> list[StoreNotification]:
    async with apple.api.db.read() as session:
        statement = select(StoreNotification).where(StoreNotification.project_id == apple.api.project_id)
        return list((await session.exec(statement.order_by(StoreNotification.id))).all())


async def notify_and_apply(apple: AppStoreProject, notification_type: str, **kwargs: Any) -> list[str]:
    """The notification posted and applied; the event types it added, oldest first."""
    before = await apple.history(USER)
    response = await apple.notify(notification_type, **kwargs)
    assert response.status_code == 200, response.text
    await apple.apply_inbox()
    return (await apple.history(USER))[len(before) :]


# -- recordStorePurchase ------------------------------------------------------------------


async def test_a_signed_purchase_becomes_the_subscription_apple_signed(apple: AppStoreProject) -> None:
    apple.clock.set(T0 + timedelta(minutes=1))
    sdk = await apple.api.key(ApiKeyRole.SDK)
    signed = apple.pki.sign(paid("o-1", T0))

    result = await apple.purchase(USER, signed, key=sdk, presentedOfferingIdentifier="default")

    assert result["userErrors"] == []
    assert [(e["type"], e["webhookEventType"], e["environment"]) for e in result["events"]] == [
        ("STARTED_SUBSCRIPTION", "INITIAL_PURCHASE", "PRODUCTION")
    ]
    prices = await apple.api.gql(
        '{ customer(appUserId: "'
        + USER
        + '") { history(first: 5) { edges { node { price { amount currency } '
        "payload } } } } }"
    )
    node = prices["customer"]["history"]["edges"][0]["node"]
    assert node["price"] == {"amount": "9.99", "currency": "USD"}  # Apple's milliunits: 9990
    assert node["payload"]["event"]["presented_offering_id"] == "default"
    state = await apple.state(USER)
    assert state["totalSpent"] == {"amount": "9.99", "currency": "USD"}
    assert [(e["entitlement"]["identifier"], e["isActive"]) for e in state["entitlements"]] == [("pro", True)]
    assert state["purchases"][0]["expiresAt"].startswith((T0 + MONTH).date().isoformat())

    again = await apple.purchase(USER, signed, key=sdk)
    assert again["userErrors"] == [] and again["events"] == []  # idempotent


async def test_a_free_trial_and_a_sandbox_purchase(apple: AppStoreProject) -> None:
    apple.clock.set(T0 + timedelta(minutes=1))
    result = await apple.purchase(USER, apple.pki.sign(trial()))
    assert [(e["type"], e["periodType"]) for e in result["events"]] == [("STARTED_TRIAL", "TRIAL")]

    sandbox = transaction_claims("s-1", T0, T0 + MONTH, environment="Sandbox", product_id="yearly")
    result = await apple.purchase("tester", apple.pki.sign(sandbox))
    assert [(e["type"], e["environment"]) for e in result["events"]] == [("STARTED_SUBSCRIPTION", "SANDBOX")]
    assert (await apple.state("tester"))["purchases"][0]["environment"] == "SANDBOX"


async def test_what_apple_did_not_sign_is_refused_and_changes_nothing(apple: AppStoreProject) -> None:
    apple.clock.set(T0 + timedelta(minutes=1))
    genuine = apple.pki.sign(paid("o-1", T0))
    header, _payload, signature = genuine.split(".")
    forged_claims = apple.pki.sign(paid("o-1", T0, expiresDate=ms(T0 + timedelta(days=3650))))
    tampered = ".".join([header, forged_claims.split(".")[1], signature])
    foreign = TestPKI(name="Attacker").sign(paid("o-1", T0))
    other_app = apple.pki.sign(paid("o-1", T0, bundleId="com.attacker.app"))
    xcode = apple.pki.sign(paid("o-1", T0, environment="Xcode"))

    for signed in (tampered, foreign, other_app, xcode, "not-a-jws"):
        result = await apple.purchase(USER, signed)
        assert [e["code"] for e in result["userErrors"]] == ["VERIFICATION_FAILED"], signed[:40]
        assert result["events"] == []
    assert await apple.state(USER) is None


async def test_no_app_store_app_means_store_not_configured(apple: AppStoreProject) -> None:
    await apple.api.gql(
        "mutation($id: ID!) { deleteStoreApp(input: {storeAppId: $id}) { userErrors { code } } }",
        {"id": apple.store_app_id},
    )
    result = await apple.purchase(USER, apple.pki.sign(paid("o-1", T0)))
    assert [e["code"] for e in result["userErrors"]] == ["STORE_NOT_CONFIGURED"]


# -- notifications: the endpoint -------------------------------------------------------------


async def test_a_verified_notification_is_kept_once_and_answered_200(apple: AppStoreProject) -> None:
    apple.clock.set(T0)
    uuid = "11111111-2222-3333-4444-555555555555"
    kwargs: dict[str, Any] = {"transaction": paid("o-1", T0), "notification_uuid": uuid, "signed_at": T0}
    first = await apple.notify("SUBSCRIBED", subtype="INITIAL_BUY", **kwargs)
    repeat = await apple.notify("SUBSCRIBED", subtype="INITIAL_BUY", **kwargs)

    assert (first.status_code, repeat.status_code) == (200, 200)
    rows = await inbox(apple)
    assert [(r.external_id, r.notification_type, r.status) for r in rows] == [
        (uuid, "SUBSCRIBED", NotificationStatus.PENDING)
    ]
    apps = await apple.api.gql("{ project { storeApps { lastNotificationAt notifications { status } } } }")
    assert apps["project"]["storeApps"][0]["lastNotificationAt"] is not None


async def test_a_bad_signature_is_401_and_writes_nothing(apple: AppStoreProject) -> None:
    claims_pki = TestPKI(name="Attacker")
    forged = claims_pki.sign(notification_payload(claims_pki, "REFUND", transaction=paid("o-1", T0)))
    other_bundle = apple.pki.sign(
        notification_payload(apple.pki, "REFUND", transaction=paid("o-1", T0), bundle_id="com.other")
    )
    wrong_apple_id = apple.pki.sign(
        notification_payload(apple.pki, "REFUND", transaction=paid("o-1", T0), app_apple_id=42)
    )
    for signed in (forged, other_bundle, wrong_apple_id, "garbage"):
        response = await apple.post_notification(signed)
        assert response.status_code == 401, response.text
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await inbox(apple) == []
    assert (await apple.api.http.post(apple.notification_path, content=b"{")).status_code == 400
    unknown = await apple.api.http.post("/stores/app-store/nobody", json={"signedPayload": "x"})
    assert unknown.status_code == 404
    assert await inbox(apple) == []


# -- notifications: each type, in a subscription's life (DESIGN 4.2) -------------------------


async def test_each_notification_type_makes_the_events_of_its_change(apple: AppStoreProject) -> None:
    apple.clock.set(T0 + timedelta(minutes=1))
    assert [e["type"] for e in (await apple.purchase(USER, apple.pki.sign(trial())))["events"]] == [
        "STARTED_TRIAL"
    ]
    t1 = T0 + WEEK

    def renewal(day: float, **extra: Any) -> dict[str, Any]:
        return renewal_claims("o-1", T0 + timedelta(days=day), **extra)

    def step(day: float) -> datetime:
        moment = T0 + timedelta(days=day)
        apple.clock.set(moment)
        return moment

    step(7)
    assert await notify_and_apply(
        apple, "DID_RENEW", transaction=paid("t-2", t1, signedDate=ms(t1)), renewal=renewal(7)
    ) == ["CONVERTED_FROM_TRIAL"]

    step(8)
    assert await notify_and_apply(
        apple,
        "DID_CHANGE_RENEWAL_PREF",
        subtype="DOWNGRADE",
        transaction=paid("t-2", t1, signedDate=ms(step(8))),
        renewal=renewal(8, autoRenewProductId="yearly"),
    ) == ["CHANGED_RENEWAL_PREFERENCE"]

    step(9)
    assert await notify_and_apply(
        apple,
        "DID_CHANGE_RENEWAL_STATUS",
        subtype="AUTO_RENEW_DISABLED",
        transaction=paid("t-2", t1, signedDate=ms(step(9))),
        renewal=renewal(9, autoRenewStatus=0, expirationIntent=1),
    ) == ["OPTED_OUT_OF_RENEWAL"]

    step(10)
    assert await notify_and_apply(
        apple,
        "DID_CHANGE_RENEWAL_STATUS",
        subtype="AUTO_RENEW_ENABLED",
        transaction=paid("t-2", t1, signedDate=ms(step(10))),
        renewal=renewal(10),
    ) == ["RESUBSCRIBED"]

    step(11)
    assert (
        await notify_and_apply(
            apple,
            "PRICE_INCREASE",
            subtype="PENDING",
            transaction=paid("t-2", t1, signedDate=ms(step(11))),
            renewal=renewal(11, priceIncreaseStatus=0),
        )
        == []
    )

    t2 = t1 + MONTH
    step(37)
    grace_end = t2 + timedelta(days=16)
    assert await notify_and_apply(
        apple,
        "DID_FAIL_TO_RENEW",
        subtype="GRACE_PERIOD",
        transaction=paid("t-2", t1, signedDate=ms(step(37))),
        renewal=renewal(37, isInBillingRetryPeriod=True, gracePeriodExpiresDate=ms(grace_end)),
    ) == ["HAD_BILLING_ISSUE", "CANCELLED_BILLING_ERROR"]
    state = await apple.state(USER)
    assert state["entitlements"][0]["isActive"] is True  # access through the grace period

    step(39)
    assert await notify_and_apply(
        apple,
        "DID_RENEW",
        subtype="BILLING_RECOVERY",
        transaction=paid("t-3", t2 + timedelta(days=2), signedDate=ms(step(39))),
        renewal=renewal(39),
    ) == ["RENEWED"]

    step(40)
    refunded = paid("t-3", t2 + timedelta(days=2), signedDate=ms(step(40)), revocationDate=ms(step(40)))
    refunded |= {"revocationReason": 1, "revocationType": "REFUND_FULL"}
    assert await notify_and_apply(apple, "REFUND", transaction=refunded, renewal=renewal(40)) == ["REFUNDED"]
    assert (await apple.state(USER))["entitlements"][0]["isActive"] is False

    step(41)
    assert await notify_and_apply(
        apple,
        "REFUND_REVERSED",
        transaction=paid("t-3", t2 + timedelta(days=2), signedDate=ms(step(41))),
        renewal=renewal(41),
    ) == ["REFUND_REVERSED"]
    assert (await apple.state(USER))["entitlements"][0]["isActive"] is True

    step(42)
    extended = paid("t-3", t2 + timedelta(days=2), signedDate=ms(step(42)))
    extended["expiresDate"] = ms(t2 + timedelta(days=2) + MONTH + WEEK)
    assert await notify_and_apply(apple, "RENEWAL_EXTENDED", transaction=extended, renewal=renewal(42)) == [
        "EXTENDED"
    ]

    step(43)
    assert await notify_and_apply(
        apple,
        "DID_CHANGE_RENEWAL_STATUS",
        subtype="AUTO_RENEW_DISABLED",
        transaction=extended | {"signedDate": ms(step(43))},
        renewal=renewal(43, autoRenewStatus=0, expirationIntent=1),
    ) == ["OPTED_OUT_OF_RENEWAL"]

    end = datetime.fromtimestamp(extended["expiresDate"] / 1000, tz=UTC)
    apple.clock.set(end + timedelta(hours=1))
    assert (
        await notify_and_apply(
            apple,
            "EXPIRED",
            subtype="VOLUNTARY",
            transaction=extended | {"signedDate": ms(end + timedelta(hours=1))},
            renewal=renewal_claims("o-1", end + timedelta(hours=1), autoRenewStatus=0, expirationIntent=1),
        )
        == []
    )
    while await expire_due_purchases(apple.api.db, end + timedelta(hours=1)):
        pass
    assert (await apple.history(USER))[-1] == "EXPIRED"

    test = await apple.notify("TEST")
    assert test.status_code == 200
    assert (await inbox(apple))[-1].status is NotificationStatus.IGNORED


async def test_an_upgrade_and_an_offer_and_a_family_revocation(apple: AppStoreProject) -> None:
    apple.clock.set(T0 + timedelta(minutes=1))
    await apple.purchase(USER, apple.pki.sign(paid("o-1", T0)))
    upgrade_at = T0 + timedelta(days=10)
    apple.clock.set(upgrade_at)
    old = paid("o-1", T0, signedDate=ms(upgrade_at), revocationDate=ms(upgrade_at), isUpgraded=True)
    new = transaction_claims(
        "u-2",
        upgrade_at,
        upgrade_at + timedelta(days=365),
        original_transaction_id="o-1",
        product_id="yearly",
    )
    added = await notify_and_apply(
        apple, "DID_CHANGE_RENEWAL_PREF", subtype="UPGRADE", transaction=new,
        renewal=renewal_claims("o-1", upgrade_at, product_id="yearly"),
    )  # fmt: skip
    assert added == ["CHANGED_RENEWAL_PREFERENCE", "RENEWED"]
    await notify_and_apply(apple, "DID_RENEW", transaction=old)  # the old period's upgrade mark
    assert "REFUNDED" not in await apple.history(USER)  # an upgrade is not a refund

    offer_at = upgrade_at + timedelta(days=365)
    apple.clock.set(offer_at)
    offer = transaction_claims(
        "u-3", offer_at, offer_at + MONTH, original_transaction_id="o-1", product_id="yearly",
        offerType=2, offerIdentifier="winback", offerDiscountType="PAY_AS_YOU_GO",
    )  # fmt: skip
    assert await notify_and_apply(
        apple,
        "OFFER_REDEEMED",
        transaction=offer,
        renewal=renewal_claims("o-1", offer_at, product_id="yearly"),
    ) == ["RENEWED"]

    shared = transaction_claims("f-1", T0, T0 + timedelta(days=365), product_id="yearly")
    shared["inAppOwnershipType"] = "FAMILY_SHARED"
    apple.clock.set(T0 + timedelta(minutes=1))
    await apple.purchase("family-member", apple.pki.sign(shared))
    assert (await apple.state("family-member"))["totalSpent"]["amount"] == "0.00"
    revoked_at = T0 + timedelta(days=20)
    apple.clock.set(revoked_at)
    revoked = shared | {
        "revocationDate": ms(revoked_at),
        "revocationType": "FAMILY_REVOKE",
        "revocationReason": 0,
    }
    revoked["signedDate"] = ms(revoked_at)
    response = await apple.notify("REVOKE", transaction=revoked)
    assert response.status_code == 200
    await apple.apply_inbox()
    member = await apple.state("family-member")
    history = [edge["node"]["type"] for edge in member["history"]["edges"]]
    assert "REFUNDED" not in history
    assert member["purchases"][0]["refundedAt"] is None
    assert member["entitlements"] == [] or not any(e["isActive"] for e in member["entitlements"])


# -- order: late, repeated, parked ---------------------------------------------------------


async def test_late_and_repeated_notifications_never_flip_state_back(apple: AppStoreProject) -> None:
    apple.clock.set(T0 + timedelta(minutes=1))
    await apple.purchase(USER, apple.pki.sign(paid("o-1", T0)))
    day = T0 + timedelta(days=12)
    apple.clock.set(day)
    enabled = renewal_claims("o-1", day)
    disabled_earlier = renewal_claims("o-1", day - timedelta(days=1), autoRenewStatus=0, expirationIntent=1)
    txn = paid("o-1", T0, signedDate=ms(day))

    assert await notify_and_apply(apple, "DID_CHANGE_RENEWAL_STATUS", transaction=txn, renewal=enabled) == []
    # The opt-out signed a day earlier arrives late: it is older than what is held.
    late = await notify_and_apply(
        apple, "DID_CHANGE_RENEWAL_STATUS", subtype="AUTO_RENEW_DISABLED",
        transaction=paid("o-1", T0, signedDate=ms(day - timedelta(days=1))), renewal=disabled_earlier,
    )  # fmt: skip
    assert late == []
    assert (await apple.state(USER))["purchases"][0]["willRenew"] is True

    refund_at = day + timedelta(days=1)
    apple.clock.set(refund_at)
    refunded = paid("o-1", T0, signedDate=ms(refund_at), revocationDate=ms(refund_at))
    assert await notify_and_apply(apple, "REFUND", transaction=refunded) == ["REFUNDED"]
    # A DID_RENEW Apple retries from before the refund does not undo it.
    assert await notify_and_apply(apple, "DID_RENEW", transaction=txn) == []
    assert (await apple.state(USER))["purchases"][0]["refundedAt"] is not None


async def test_a_notification_before_the_app_reports_is_parked_then_applied_once(
    apple: AppStoreProject,
) -> None:
    apple.clock.set(T0 + timedelta(days=8))
    renewal = paid("t-2", T0 + WEEK, signedDate=ms(T0 + WEEK))
    response = await apple.notify("DID_RENEW", transaction=renewal, renewal=renewal_claims("o-1", T0 + WEEK))
    assert response.status_code == 200
    await apple.apply_inbox()
    assert [r.status for r in await inbox(apple)] == [NotificationStatus.PARKED]
    assert await apple.state(USER) is None  # nobody owns it yet

    result = await apple.purchase(USER, apple.pki.sign(trial()))
    assert [e["type"] for e in result["events"]] == ["STARTED_TRIAL"]
    assert await apple.apply_inbox() == 1
    assert [r.status for r in await inbox(apple)] == [NotificationStatus.APPLIED]
    assert await apple.history(USER) == ["STARTED_TRIAL", "CONVERTED_FROM_TRIAL"]
    assert await apple.apply_inbox() == 0
    assert await apple.history(USER) == ["STARTED_TRIAL", "CONVERTED_FROM_TRIAL"]


async def test_the_app_account_token_attaches_a_purchase_the_app_never_reported(
    apple: AppStoreProject,
) -> None:
    apple.clock.set(T0)
    sdk = await apple.api.key(ApiKeyRole.SDK)
    await apple.api.gql(
        'mutation { recordAppOpen(input: {appUserId: "' + USER + '"}) { userErrors { code } } }', key=sdk
    )
    token = (await apple.api.gql('{ customer(appUserId: "' + USER + '") { appAccountToken } }', key=sdk))[
        "customer"
    ]["appAccountToken"]
    apple.clock.set(T0 + timedelta(minutes=1))
    bought = paid("o-1", T0, appAccountToken=token)
    assert await notify_and_apply(apple, "SUBSCRIBED", subtype="INITIAL_BUY", transaction=bought) == [
        "STARTED_SUBSCRIPTION"
    ]
    assert [r.status for r in await inbox(apple)] == [NotificationStatus.APPLIED]


async def test_configuring_an_app_checks_its_input_and_never_returns_secrets(apple: AppStoreProject) -> None:
    bad = await apple.api.gql(
        CONFIGURE_APP,
        {"input": {"bundleId": "bad id!", "appAppleId": "12x", "rootCertificates": ["bm90IGEgY2VydA=="],
                   "issuerId": "issuer", "privateKey": "not a key"}},
    )  # fmt: skip
    fields = sorted(e["field"][-1] for e in bad["configureAppStoreApp"]["userErrors"])
    assert fields == ["appAppleId", "bundleId", "privateKey", "rootCertificates"]
    apps = (await apple.api.gql("{ project { storeApps { appIdentifier hasApiCredentials } } }"))["project"]
    assert apps["storeApps"] == [{"appIdentifier": BUNDLE_ID, "hasApiCredentials": False}]
