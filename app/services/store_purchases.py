"""recordStorePurchase: the app hands in what the store signed; the store decides.

The SDK key is public, so nothing the app says about dates, prices, refunds or
cancellations is taken: only what verifies against the store (DESIGN 4.10). The
app chooses the App User ID to attach the purchase to; the restore behaviour (4.6)
still decides who owns it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import anyio.to_thread
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import Database
from app.db.models import StoreApp
from app.domain.enums import Store
from app.domain.errors import DomainError, ErrorCode
from app.domain.identity import validate_app_user_id
from app.domain.prices import RateTable
from app.security.secret_box import SecretKeyMissing, SecretUnreadable
from app.services.app_store_purchases import AppStoreState, ingest_app_store_state, original_id_of
from app.services.parked_notifications import release_parked
from app.services.play_purchases import record_play_purchase
from app.services.receipts import ReceiptResult
from app.services.store_apps import app_store_config, project_store_apps
from app.services.unit_of_work import in_transaction
from app.services.web_billing_purchases import record_web_billing_purchase
from app.settings import Settings
from app.stores.app_store.api_client import AppStoreServerApi
from app.stores.app_store.config import AppStoreApp
from app.stores.app_store.verification import (
    ConfigurationMissing,
    VerificationFailed,
    unverified_claims,
    verify_transaction,
)
from app.stores.base import StoreError

# A StoreKit 2 JWS with its three certificates is about 4 KB.
MAX_SIGNED_TRANSACTION_CHARS = 16_384
FIELD = ("input", "signedTransaction")


@dataclass(frozen=True, slots=True)
class StorePurchaseRequest:
    app_user_id: str
    store: Store
    signed_transaction: str | None = None
    purchase_token: str | None = None
    product_id: str | None = None
    package_name: str | None = None
    stripe_id: str | None = None
    presented_offering_id: str | None = None


def verification_failed(reason: str, field: tuple[str, ...] = FIELD) -> DomainError:
    return DomainError(
        ErrorCode.VERIFICATION_FAILED, f"The store did not confirm this purchase: {reason}.", field
    )


def store_error(error: StoreError | VerificationFailed) -> DomainError:
    message = (
        error.describe()
        if isinstance(error, StoreError)
        else f"The store could not be asked: {error.reason}."
    )
    return DomainError(ErrorCode.STORE_ERROR, message)


async def record_store_purchase(
    db: Database,
    settings: Settings,
    apple_api: AppStoreServerApi,
    project_id: int,
    request: StorePurchaseRequest,
    rates: RateTable,
    now: datetime,
) -> ReceiptResult:
    validate_app_user_id(request.app_user_id)
    if request.store is Store.RC_BILLING:
        stripe_id = request.stripe_id
        if not stripe_id or len(stripe_id) > 255:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                "Web Billing needs stripeId (sub_... or pi_...).",
                ("input", "stripeId"),
            )
        return await record_web_billing_purchase(
            db, settings, project_id, request.app_user_id, stripe_id, rates, now
        )
    if request.store is Store.PLAY_STORE:
        return await record_play_purchase(
            db, settings, project_id, request.app_user_id, request.purchase_token or "", request.product_id,
            request.package_name, rates, now,
        )  # fmt: skip
    if request.store is not Store.APP_STORE:
        raise DomainError(
            ErrorCode.STORE_NOT_CONFIGURED,
            f"recordStorePurchase verifies App Store, Play Store and Web Billing purchases, not {request.store.value}.",
            ("input", "store"),
        )
    signed = request.signed_transaction
    if not signed:
        raise DomainError(ErrorCode.INVALID_INPUT, "The App Store needs signedTransaction.", FIELD)
    if request.presented_offering_id is not None and len(request.presented_offering_id) > 255:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "presentedOfferingIdentifier is at most 255 characters.",
            ("input", "presentedOfferingIdentifier"),
        )
    if len(signed) > MAX_SIGNED_TRANSACTION_CHARS:
        raise DomainError(
            ErrorCode.TOO_LARGE, "signedTransaction is too long to be a StoreKit transaction.", FIELD
        )
    app = await _app_for(db, settings, project_id, signed)
    try:
        environment, claims = await anyio.to_thread.run_sync(verify_transaction, app, signed)
    except ConfigurationMissing as error:
        raise DomainError(
            ErrorCode.STORE_NOT_CONFIGURED, f"The App Store app cannot verify: {error.reason}."
        ) from error
    except VerificationFailed as error:
        raise (store_error(error) if error.retryable else verification_failed(error.reason)) from error
    reported = str(claims["transactionId"])
    state = AppStoreState(
        environment,
        [claims],
        presented_offering_id=request.presented_offering_id,
        reported_transaction_id=reported,
    )
    if app.credentials is not None:
        try:
            history = await apple_api.purchase_history(app, environment, reported, original_id_of(claims))
        except VerificationFailed as error:
            raise (store_error(error) if error.retryable else verification_failed(error.reason)) from error
        except StoreError as error:
            raise store_error(error) from error
        if history.transactions:
            state = AppStoreState(
                environment, history.transactions, history.renewal, request.presented_offering_id, reported
            )

    async def work(session: AsyncSession) -> ReceiptResult:
        result = await ingest_app_store_state(session, project_id, request.app_user_id, state, rates, now)
        await release_parked(session, project_id, Store.APP_STORE, state.original_transaction_id, now)
        return result

    return await in_transaction(db, work)


async def _app_for(db: Database, settings: Settings, project_id: int, signed: str) -> AppStoreApp:
    """The project's App Store app whose bundle id the transaction names."""
    try:
        bundle_id = unverified_claims(signed).get("bundleId")
    except VerificationFailed as error:
        raise verification_failed(error.reason) from error
    async with db.read() as session:
        apps = await project_store_apps(session, project_id, Store.APP_STORE)
    if not apps:
        raise DomainError(
            ErrorCode.STORE_NOT_CONFIGURED,
            "This project has no App Store app: configureAppStoreApp first.",
            ("input", "store"),
        )
    chosen: StoreApp | None = next((a for a in apps if a.app_identifier == bundle_id), None)
    if chosen is None:
        raise verification_failed("it is not signed for an App Store app of this project")
    try:
        return app_store_config(chosen, settings)
    except (SecretKeyMissing, SecretUnreadable) as error:
        raise DomainError(
            ErrorCode.STORE_NOT_CONFIGURED,
            "The App Store app's API key cannot be opened with this server's SECRET_KEY.",
        ) from error
