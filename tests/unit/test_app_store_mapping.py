"""App Store signed data as periods (app/domain/app_store.py), and the verifier and the
secret box around it, driven directly: no database, no HTTP."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app.domain.app_store import (
    RenewalState,
    country_code,
    environment_of,
    renewal_state,
    transaction_state,
    with_renewal,
)
from app.domain.enums import CancelReason, Environment, PeriodType
from app.security.secret_box import SecretBox, SecretKeyMissing, SecretUnreadable
from app.stores.app_store.config import AppStoreApp, certificate_der
from app.stores.app_store.verification import VerificationFailed, verify_notification, verify_transaction
from tests.store_pki import (
    APP_APPLE_ID,
    BUNDLE_ID,
    TestPKI,
    ms,
    notification_payload,
    renewal_claims,
    transaction_claims,
)

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def test_a_paid_period_maps_price_storefront_and_dates() -> None:
    claims = transaction_claims(
        "t1", T0, T0 + timedelta(days=30), price=9990, storefront="DEU", currency="EUR"
    )
    txn = transaction_state(claims)
    assert (txn.transaction_id, txn.original_transaction_id, txn.product_id) == ("t1", "t1", "monthly")
    assert (txn.purchased_at, txn.expires_at) == (T0, T0 + timedelta(days=30))
    assert (txn.price, txn.currency, txn.country_code) == (Decimal("9.99"), "EUR", "DE")
    assert txn.period_type is PeriodType.NORMAL and txn.refunded_at is None and not txn.is_family_share


@pytest.mark.parametrize(
    ("offer_type", "discount", "expected"),
    [
        (1, "FREE_TRIAL", PeriodType.TRIAL),
        (1, "PAY_AS_YOU_GO", PeriodType.INTRO),
        (1, "PAY_UP_FRONT", PeriodType.INTRO),
        (2, "PAY_AS_YOU_GO", PeriodType.PROMOTIONAL),
        (3, "FREE_TRIAL", PeriodType.TRIAL),
        (3, "PAY_UP_FRONT", PeriodType.PROMOTIONAL),
        (4, "ONE_TIME", PeriodType.PROMOTIONAL),
    ],
)
def test_offer_types_become_period_types(offer_type: int, discount: str, expected: PeriodType) -> None:
    claims = transaction_claims(
        "t1", T0, T0 + timedelta(days=7), offerType=offer_type, offerDiscountType=discount
    )
    assert transaction_state(claims).period_type is expected


def test_an_offer_code_is_kept_as_the_offer_code() -> None:
    claims = transaction_claims("t1", T0, T0 + timedelta(days=7), offerType=3, offerIdentifier="SPRING")
    assert transaction_state(claims).offer_code == "SPRING"
    promo = transaction_claims("t1", T0, T0 + timedelta(days=7), offerType=2, offerIdentifier="winback")
    assert transaction_state(promo).offer_code is None


def test_a_revocation_is_a_refund_except_for_family_sharing_and_upgrades() -> None:
    revoked = ms(T0 + timedelta(days=3))
    refund = transaction_claims(
        "t1", T0, T0 + timedelta(days=30), revocationDate=revoked, revocationType="REFUND_FULL"
    )
    assert transaction_state(refund).refunded_at == T0 + timedelta(days=3)

    family = transaction_claims(
        "t1", T0, T0 + timedelta(days=30), revocationDate=revoked, revocationType="FAMILY_REVOKE",
        inAppOwnershipType="FAMILY_SHARED",
    )  # fmt: skip
    txn = transaction_state(family)
    assert txn.refunded_at is None and txn.expires_at == T0 + timedelta(days=3) and txn.is_family_share

    upgraded = transaction_claims("t1", T0, T0 + timedelta(days=30), revocationDate=revoked, isUpgraded=True)
    txn = transaction_state(upgraded)
    assert txn.refunded_at is None and txn.expires_at == T0 + timedelta(days=3)


def test_one_time_purchases_have_no_expiry_and_no_renewal_state() -> None:
    lifetime = transaction_claims("t1", T0, None, product_id="lifetime")
    txn = transaction_state(lifetime)
    assert txn.expires_at is None
    assert with_renewal([txn], RenewalState(will_renew=False)) == [txn]


@pytest.mark.parametrize(
    ("intent", "reason"),
    [
        (1, CancelReason.UNSUBSCRIBE),
        (2, CancelReason.BILLING_ERROR),
        (3, CancelReason.PRICE_INCREASE),
        (4, CancelReason.UNKNOWN),
        (5, CancelReason.UNKNOWN),
        (None, CancelReason.UNSUBSCRIBE),
    ],
)
def test_expiration_intent_becomes_the_cancel_reason(intent: int | None, reason: CancelReason) -> None:
    latest = transaction_state(transaction_claims("t1", T0, T0 + timedelta(days=30)))
    state = renewal_state(renewal_claims("t1", T0, autoRenewStatus=0, expirationIntent=intent), latest)
    assert (state.will_renew, state.cancel_reason) == (False, reason)


def test_renewal_info_carries_preference_and_billing_trouble() -> None:
    latest = transaction_state(transaction_claims("t1", T0, T0 + timedelta(days=30)))
    grace = T0 + timedelta(days=46)
    state = renewal_state(
        renewal_claims(
            "t1",
            T0,
            autoRenewProductId="yearly",
            isInBillingRetryPeriod=True,
            gracePeriodExpiresDate=ms(grace),
        ),
        latest,
    )
    assert state.will_renew and state.renewal_product_id == "yearly"
    # When the renewal failed (the period's end): stable across Apple's repeats.
    assert state.billing_issue_detected_at == latest.expires_at
    assert state.grace_period_expires_at == grace
    same_product = renewal_state(renewal_claims("t1", T0), latest)
    assert same_product.renewal_product_id is None and same_product.billing_issue_detected_at is None


def test_renewal_state_goes_on_the_latest_period_only() -> None:
    first = transaction_state(
        transaction_claims("t1", T0, T0 + timedelta(days=30), original_transaction_id="o")
    )
    second = transaction_state(
        transaction_claims(
            "t2", T0 + timedelta(days=30), T0 + timedelta(days=60), original_transaction_id="o"
        )
    )
    out = with_renewal(
        [second, first], RenewalState(will_renew=False, cancel_reason=CancelReason.UNSUBSCRIBE)
    )
    assert [t.transaction_id for t in out] == ["t1", "t2"]
    assert out[0].will_renew and not out[1].will_renew and out[1].cancel_reason is CancelReason.UNSUBSCRIBE


def test_only_production_and_sandbox_are_environments() -> None:
    assert environment_of({"environment": "Production"}) is Environment.PRODUCTION
    assert environment_of({"environment": "Sandbox"}) is Environment.SANDBOX
    for unsigned in ("Xcode", "LocalTesting", None, "production"):
        assert environment_of({"environment": unsigned}) is None


def test_storefronts_are_alpha_3() -> None:
    assert [country_code(s) for s in ("USA", "GBR", "JPN", "deu", "XXX", None)] == [
        "US",
        "GB",
        "JP",
        "DE",
        None,
        None,
    ]


# -- the verifier around the mapping ---------------------------------------------------------


@pytest.fixture(scope="module")
def pki() -> TestPKI:
    return TestPKI()


def app_of(pki: TestPKI, **changes: object) -> AppStoreApp:
    values: dict[str, object] = {
        "store_app_id": 1, "project_id": 1, "bundle_id": BUNDLE_ID, "app_apple_id": APP_APPLE_ID,
        "root_certificates": (pki.root_der,), "online_checks": False,
    }  # fmt: skip
    values.update(changes)
    return AppStoreApp(**values)  # type: ignore[arg-type]


def test_the_verifier_accepts_only_its_apps_signed_data(pki: TestPKI) -> None:
    claims = transaction_claims("t1", T0, T0 + timedelta(days=30))
    environment, verified = verify_transaction(app_of(pki), pki.sign(claims))
    assert environment is Environment.PRODUCTION and verified["transactionId"] == "t1"

    with pytest.raises(VerificationFailed, match="another app"):
        verify_transaction(app_of(pki, bundle_id="com.other"), pki.sign(claims))
    with pytest.raises(VerificationFailed, match="does not verify"):
        verify_transaction(app_of(pki), TestPKI(name="Other").sign(claims))
    with pytest.raises(VerificationFailed, match="Apple ID"):
        verify_transaction(app_of(pki, app_apple_id=None, store_app_id=2), pki.sign(claims))
    with pytest.raises(VerificationFailed, match="root certificates"):
        verify_transaction(app_of(pki, root_certificates=(), store_app_id=3), pki.sign(claims))
    with pytest.raises(VerificationFailed, match="Production and Sandbox"):
        verify_transaction(app_of(pki), pki.sign(transaction_claims("t1", T0, None, environment="Xcode")))


def test_a_signed_date_after_the_chain_expired_is_refused_offline(pki: TestPKI) -> None:
    late = transaction_claims("t1", T0, T0 + timedelta(days=30), signed_at=datetime(2041, 1, 1, tzinfo=UTC))
    with pytest.raises(VerificationFailed):
        verify_transaction(app_of(pki), pki.sign(late))


def test_a_notification_is_verified_with_what_it_nests(pki: TestPKI) -> None:
    txn = transaction_claims("t1", T0, T0 + timedelta(days=30))
    signed = pki.sign(
        notification_payload(pki, "DID_RENEW", transaction=txn, renewal=renewal_claims("t1", T0))
    )
    verified = verify_notification(app_of(pki), signed)
    assert verified.transaction is not None and verified.transaction["transactionId"] == "t1"
    assert verified.renewal is not None and verified.renewal["autoRenewStatus"] == 1

    # A nested transaction from another environment than the notification's.
    mixed = notification_payload(
        pki, "DID_RENEW", transaction=transaction_claims("t1", T0, None, environment="Sandbox")
    )
    with pytest.raises(VerificationFailed):
        verify_notification(app_of(pki), pki.sign(mixed))


def test_the_secret_box_seals_with_the_secret_key_only() -> None:
    sealed = SecretBox("key one").seal({"private_key": "PEM"})
    assert "PEM" not in sealed
    assert SecretBox("key one").open(sealed) == {"private_key": "PEM"}
    with pytest.raises(SecretUnreadable):
        SecretBox("key two").open(sealed)
    with pytest.raises(SecretKeyMissing):
        SecretBox(None).seal({"private_key": "PEM"})


def test_root_certificates_load_from_der_or_pem(pki: TestPKI) -> None:
    assert certificate_der(pki.root_der) == pki.root_der
    assert certificate_der(pki.root_pem()) == pki.root_der
    with pytest.raises(ValueError):
        certificate_der(b"not a certificate")
