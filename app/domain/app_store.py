"""App Store data, once Apple's signature is verified, as the periods the diff works on.

The input is the decoded claims of a JWSTransaction and a JWSRenewalInfo, with Apple's
documented field names (https://developer.apple.com/documentation/appstoreserverapi/
jwstransactiondecodedpayload and .../jwsrenewalinfodecodedpayload). Pure code: no I/O.

Renewal state (will it renew, why not, into which product, billing trouble) lives in
the renewal info, not in a transaction; without fresh renewal info the caller passes
what it already holds, so a transaction alone never turns renewal back on.
"""

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from importlib.resources import files
from typing import Any

from app.domain.enums import CancelReason, Environment, PeriodType
from app.domain.periods import TransactionState, sort_transactions

Claims = Mapping[str, Any]

AUTO_RENEWABLE = "Auto-Renewable Subscription"
FAMILY_SHARED = "FAMILY_SHARED"
FAMILY_REVOKE = "FAMILY_REVOKE"
FREE_TRIAL = "FREE_TRIAL"
OFFER_INTRODUCTORY, OFFER_PROMOTIONAL, OFFER_CODE, OFFER_WIN_BACK = 1, 2, 3, 4

# Only the two environments Apple signs. Xcode and LocalTesting data is unsigned, so
# nothing here may ever accept them.
ENVIRONMENTS = {"Production": Environment.PRODUCTION, "Sandbox": Environment.SANDBOX}

# expirationIntent: 1 the customer cancelled, 2 billing error, 3 no consent to a price
# increase, 4 product not available, 5 other.
CANCEL_REASONS = {
    1: CancelReason.UNSUBSCRIBE,
    2: CancelReason.BILLING_ERROR,
    3: CancelReason.PRICE_INCREASE,
    4: CancelReason.UNKNOWN,
    5: CancelReason.UNKNOWN,
}


@dataclass(frozen=True, slots=True)
class RenewalState:
    """What the latest period says about the next one."""

    will_renew: bool = True
    cancel_reason: CancelReason | None = None
    renewal_product_id: str | None = None
    billing_issue_detected_at: datetime | None = None
    grace_period_expires_at: datetime | None = None

    @classmethod
    def of(cls, txn: TransactionState) -> "RenewalState":
        return cls(
            will_renew=txn.will_renew,
            cancel_reason=txn.cancel_reason,
            renewal_product_id=txn.renewal_product_id,
            billing_issue_detected_at=txn.billing_issue_detected_at,
            grace_period_expires_at=txn.grace_period_expires_at,
        )


def moment(milliseconds: int | None) -> datetime | None:
    return None if milliseconds is None else datetime.fromtimestamp(milliseconds / 1000, tz=UTC)


def signed_at(claims: Claims) -> datetime:
    signed = moment(claims.get("signedDate"))
    if signed is None:
        raise ValueError("signed data without signedDate")
    return signed


def environment_of(claims: Claims) -> Environment | None:
    """The environment Apple signed, or None for one this service never accepts."""
    return ENVIRONMENTS.get(str(claims.get("environment")))


@cache
def _alpha2_by_alpha3() -> dict[str, str]:
    text = files("app.data").joinpath("iso3166_alpha3.csv").read_text()
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {row["alpha_3"]: row["alpha_2"] for row in rows}


def country_code(storefront: str | None) -> str | None:
    """App Store storefronts are ISO 3166-1 alpha-3 ("USA"); profiles use alpha-2."""
    return _alpha2_by_alpha3().get(storefront.upper()) if storefront else None


def period_type(txn: Claims) -> PeriodType:
    offer = txn.get("offerType")
    if offer is None:
        return PeriodType.NORMAL
    if txn.get("offerDiscountType") == FREE_TRIAL:
        return PeriodType.TRIAL
    if offer == OFFER_INTRODUCTORY:
        return PeriodType.INTRO
    return PeriodType.PROMOTIONAL


def renewal_state(renewal: Claims, txn: TransactionState) -> RenewalState:
    """The renewal info of a subscription, for its latest period `txn`."""
    will_renew = renewal.get("autoRenewStatus") == 1
    reason = None
    if not will_renew:
        reason = CANCEL_REASONS.get(renewal.get("expirationIntent") or 1, CancelReason.UNKNOWN)
    next_product = renewal.get("autoRenewProductId")
    billing_issue = None
    if renewal.get("isInBillingRetryPeriod") or renewal.get("gracePeriodExpiresDate"):
        # When the renewal failed: the end of the period it could not renew. Stable
        # across Apple's repeats of one notification, so one episode is one event.
        billing_issue = txn.expires_at
    return RenewalState(
        will_renew=will_renew,
        cancel_reason=reason,
        renewal_product_id=next_product if next_product and next_product != txn.product_id else None,
        billing_issue_detected_at=billing_issue,
        grace_period_expires_at=moment(renewal.get("gracePeriodExpiresDate")),
    )


def transaction_state(txn: Claims) -> TransactionState:
    """One signed transaction as a period, with no renewal state of its own."""
    purchased_at = moment(txn.get("purchaseDate"))
    transaction_id = txn.get("transactionId")
    product_id = txn.get("productId")
    if purchased_at is None or not transaction_id or not product_id:
        raise ValueError("signed transaction without transactionId, productId or purchaseDate")
    expires_at = moment(txn.get("expiresDate")) if txn.get("type") == AUTO_RENEWABLE else None
    revoked_at = moment(txn.get("revocationDate"))
    refunded_at = None
    if revoked_at is not None:
        if txn.get("revocationType") == FAMILY_REVOKE or txn.get("isUpgraded"):
            # Not a refund: family sharing stopped, or the period gave way to an upgrade.
            # Access through this period ends there.
            expires_at = revoked_at if expires_at is None else min(expires_at, revoked_at)
        else:
            refunded_at = revoked_at
    price = txn.get("price")
    return TransactionState(
        transaction_id=str(transaction_id),
        original_transaction_id=str(txn.get("originalTransactionId") or transaction_id),
        product_id=str(product_id),
        purchased_at=purchased_at,
        expires_at=expires_at,
        period_type=period_type(txn),
        # Apple's prices are in milliunits: 9990 is 9.99.
        price=None if price is None else Decimal(int(price)) / 1000,
        currency=txn.get("currency"),
        refunded_at=refunded_at,
        country_code=country_code(txn.get("storefront")),
        is_family_share=txn.get("inAppOwnershipType") == FAMILY_SHARED,
        offer_code=txn.get("offerIdentifier") if txn.get("offerType") == OFFER_CODE else None,
    )


def with_renewal(txns: Iterable[TransactionState], renewal: RenewalState) -> list[TransactionState]:
    """The periods oldest first, the renewal state on the latest (where the diff reads it).
    One-time purchases have no renewal state."""
    ordered = sort_transactions(txns)
    if not ordered or ordered[-1].expires_at is None:
        return ordered
    latest = ordered[-1]
    state = renewal
    latest = replace(
        latest,
        will_renew=state.will_renew,
        cancel_reason=state.cancel_reason,
        renewal_product_id=state.renewal_product_id,
        billing_issue_detected_at=state.billing_issue_detected_at,
        grace_period_expires_at=state.grace_period_expires_at,
    )
    return [*ordered[:-1], latest]
