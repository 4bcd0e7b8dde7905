"""Verifying App Store signed data with Apple's own library.

`SignedDataVerifier` checks the certificate chain up to the configured Apple roots
(with the chain's Apple OIDs, strict X.509 checks, and OCSP when online checks are on),
the ES256 signature, the bundle id, the environment, and in production the app Apple
ID. One verifier per app and environment is kept, so its OCSP cache is reused.

The environment comes from the signed data and can only be Production or Sandbox: the
library's Xcode and LocalTesting environments skip the signature check entirely.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock
from typing import Any

import jwt
from appstoreserverlibrary.models.Environment import Environment as AppleEnvironment
from appstoreserverlibrary.signed_data_verifier import (
    SignedDataVerifier,
    VerificationException,
    VerificationStatus,
)

from app.domain.app_store import environment_of
from app.domain.enums import Environment
from app.stores.app_store.config import AppStoreApp

APPLE_ENVIRONMENTS = {
    Environment.PRODUCTION: AppleEnvironment.PRODUCTION,
    Environment.SANDBOX: AppleEnvironment.SANDBOX,
}
_CACHE_SIZE = 64


class VerificationFailed(Exception):
    """Apple did not sign this for this app, or it cannot be checked now (`retryable`)."""

    def __init__(self, reason: str, retryable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class ConfigurationMissing(VerificationFailed):
    """This server or app cannot verify yet (no app Apple ID, no root certificates): not
    the data's fault, so a notification is answered 503 and Apple retries."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, retryable=True)


@dataclass(frozen=True, slots=True)
class VerifiedNotification:
    environment: Environment
    notification: dict[str, Any]
    transaction: dict[str, Any] | None
    renewal: dict[str, Any] | None


def unverified_claims(signed: str) -> dict[str, Any]:
    """The claims of a JWS before verification: only to pick which app verifies it."""
    try:
        claims: dict[str, Any] = jwt.decode(signed, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise VerificationFailed("not a signed JWS") from error
    if not isinstance(claims, dict):
        raise VerificationFailed("not a signed JWS")
    return claims


_verifiers: OrderedDict[tuple[str, Environment], SignedDataVerifier] = OrderedDict()
_verifiers_lock = Lock()


def verifier_for(app: AppStoreApp, environment: Environment) -> SignedDataVerifier:
    key = (app.fingerprint, environment)
    with _verifiers_lock:
        verifier = _verifiers.get(key)
        if verifier is not None:
            _verifiers.move_to_end(key)
            return verifier
    if environment is Environment.PRODUCTION and app.app_apple_id is None:
        raise ConfigurationMissing("production data needs the app's Apple ID (appAppleId) configured")
    if not app.root_certificates:
        raise ConfigurationMissing("no Apple root certificates are configured")
    verifier = SignedDataVerifier(
        list(app.root_certificates),
        app.online_checks,
        APPLE_ENVIRONMENTS[environment],
        app.bundle_id,
        app.app_apple_id,
    )
    with _verifiers_lock:
        _verifiers[key] = verifier
        while len(_verifiers) > _CACHE_SIZE:
            _verifiers.popitem(last=False)
    return verifier


def _failure(error: VerificationException) -> VerificationFailed:
    status = error.status
    retryable = status is VerificationStatus.RETRYABLE_VERIFICATION_FAILURE
    reasons = {
        VerificationStatus.INVALID_APP_IDENTIFIER: "signed for another app (bundle id or app Apple ID)",
        VerificationStatus.INVALID_ENVIRONMENT: "signed for another environment",
        VerificationStatus.INVALID_CHAIN_LENGTH: "the certificate chain is not Apple's",
        VerificationStatus.INVALID_CERTIFICATE: "the certificate chain is not Apple's",
        VerificationStatus.RETRYABLE_VERIFICATION_FAILURE: "certificate revocation could not be checked",
    }
    return VerificationFailed(reasons.get(status, "the signature does not verify"), retryable=retryable)


def _environment(claims: dict[str, Any]) -> Environment:
    environment = environment_of(claims)
    if environment is None:
        raise VerificationFailed("only Production and Sandbox data is accepted")
    return environment


def verify_transaction(app: AppStoreApp, signed: str) -> tuple[Environment, dict[str, Any]]:
    """A StoreKit 2 signed transaction (Transaction.jwsRepresentation): blocking, since
    online checks call Apple's OCSP responders; run it in a thread."""
    environment = _environment(unverified_claims(signed))
    try:
        verifier_for(app, environment).verify_and_decode_signed_transaction(signed)
    except VerificationException as error:
        raise _failure(error) from error
    return environment, unverified_claims(signed)


def verify_renewal_info(app: AppStoreApp, signed: str, environment: Environment) -> dict[str, Any]:
    try:
        verifier_for(app, environment).verify_and_decode_renewal_info(signed)
    except VerificationException as error:
        raise _failure(error) from error
    return unverified_claims(signed)


def verify_notification(app: AppStoreApp, signed_payload: str) -> VerifiedNotification:
    """An App Store Server Notification V2 and the signed data nested in it."""
    claims = unverified_claims(signed_payload)
    scope = claims.get("data") or claims.get("summary") or claims.get("appData") or {}
    if not isinstance(scope, dict):
        raise VerificationFailed("not an App Store notification")
    token = claims.get("externalPurchaseToken")
    if not scope and isinstance(token, dict):
        # As the library decides it: a sandbox token's id starts with SANDBOX.
        sandbox = str(token.get("externalPurchaseId") or "").startswith("SANDBOX")
        scope = {"environment": "Sandbox" if sandbox else "Production"}
    environment = _environment(scope)
    try:
        verifier_for(app, environment).verify_and_decode_notification(signed_payload)
    except VerificationException as error:
        raise _failure(error) from error
    data = claims.get("data") or {}
    transaction = renewal = None
    if data.get("signedTransactionInfo"):
        verified_env, transaction = verify_transaction(app, data["signedTransactionInfo"])
        if verified_env is not environment:
            raise VerificationFailed("signed for another environment")
    if data.get("signedRenewalInfo"):
        renewal = verify_renewal_info(app, data["signedRenewalInfo"], environment)
    return VerifiedNotification(environment, claims, transaction, renewal)
