"""Google Play purchases read from the Play Developer API with the app's service account:
what the app calls with a purchase token. The subscription (subscriptionsv2) and its
orders are the whole state of the purchase; the token and package name refunds and
cancellations act on come from it (DESIGN 4.10)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import Database
from app.domain.enums import Environment, Store
from app.domain.errors import DomainError, ErrorCode
from app.domain.google_play import base_order_id, environment, order_ids, product_period, subscription_periods
from app.domain.periods import TransactionState
from app.domain.prices import RateTable
from app.domain.receipt_validation import StoreRefs
from app.logging import log
from app.security.secret_box import SecretKeyMissing, SecretUnreadable
from app.services.parked_notifications import release_parked
from app.services.receipts import ReceiptResult, ingest_store_state
from app.services.store_apps import PlayStoreApp, play_store_config, project_store_apps
from app.services.unit_of_work import in_transaction
from app.settings import Settings
from app.stores.base import StoreError
from app.stores.google_play import GooglePlayAdapter, NotAtGoogle

FIELD = ("input", "purchaseToken")
MAX_TOKEN_CHARS = 1000


@dataclass(frozen=True, slots=True)
class PlayState:
    purchase_key: str  # the first order's id: the purchase's original transaction id
    environment: Environment
    transactions: list[TransactionState]
    store_refs: dict[str, StoreRefs]
    # The purchase an upgrade or re-signup replaced (its token), and the app's own id.
    linked_purchase_token: str | None
    obfuscated_account_id: str | None


_clients: dict[tuple[int, str, str], GooglePlayAdapter] = {}


def client_for(app: PlayStoreApp, settings: Settings) -> GooglePlayAdapter:
    """One API client per store app and service account (it keeps its access token)."""
    if app.service_account is None:
        raise DomainError(
            ErrorCode.STORE_NOT_CONFIGURED,
            "The Play Store app has no service account and the server has no GOOGLE_PLAY_SERVICE_ACCOUNT.",
        )
    # Anything the client was built from is in the key: a changed key or API base gets a new one.
    key = (
        app.store_app_id,
        settings.google_play_api_base,
        hashlib.sha256(json.dumps(app.service_account, sort_keys=True).encode()).hexdigest(),
    )
    client = _clients.get(key)
    if client is None:
        client = _clients[key] = GooglePlayAdapter(
            app.service_account, settings.google_play_api_base, settings.store_timeout_seconds
        )
    return client


async def read_play_state(
    client: GooglePlayAdapter, package: str, token: str, product_id: str | None
) -> PlayState:
    """The purchase the token names: a subscription, else (with its product id) a one-time
    product. NotAtGoogle when Google knows neither; StoreError when it does not answer."""
    refs = StoreRefs(package_name=package, purchase_token=token)
    try:
        purchase = await client.subscription(package, token)
    except NotAtGoogle:
        if not product_id:
            raise
        return await _read_product(client, package, token, product_id, refs)
    items = purchase.get("lineItems") or []
    latest = (items[0].get("latestSuccessfulOrderId") if items else None) or ""
    orders = await client.orders(package, order_ids(latest)) if latest else []
    periods = subscription_periods(purchase, orders)
    if purchase.get("acknowledgementState") == "ACKNOWLEDGEMENT_STATE_PENDING" and items:
        await _acknowledge(client, package, str(items[0].get("productId")), token, subscription=True)
    accounts = purchase.get("externalAccountIdentifiers") or {}
    return PlayState(
        purchase_key=base_order_id(latest) if latest else token,
        environment=environment(purchase),
        transactions=periods,
        store_refs={t.transaction_id: refs for t in periods},
        linked_purchase_token=purchase.get("linkedPurchaseToken"),
        obfuscated_account_id=accounts.get("obfuscatedExternalAccountId"),
    )


async def _read_product(
    client: GooglePlayAdapter, package: str, token: str, product_id: str, refs: StoreRefs
) -> PlayState:
    purchase = await client.product(package, product_id, token)
    order_id = purchase.get("orderId")
    orders = await client.orders(package, [str(order_id)]) if order_id else []
    period = product_period(product_id, purchase, orders[0] if orders else None)
    if purchase.get("acknowledgementState") == 0:
        await _acknowledge(client, package, product_id, token, subscription=False)
    return PlayState(
        purchase_key=str(order_id or token),
        environment=environment(purchase),
        transactions=[period] if period else [],
        store_refs={period.transaction_id: refs} if period else {},
        linked_purchase_token=None,
        obfuscated_account_id=purchase.get("obfuscatedExternalAccountId"),
    )


async def _acknowledge(
    client: GooglePlayAdapter, package: str, product_id: str, token: str, subscription: bool
) -> None:
    """Google refunds what is not acknowledged within three days, as RevenueCat's
    backend acknowledges for its apps. A failure is retried on the next read."""
    try:
        await client.acknowledge(package, product_id, token, subscription)
    except StoreError as error:
        log.warning("play_acknowledge_failed", error=error.describe()[:200])


async def replaced_purchase(client: GooglePlayAdapter, package: str, state: PlayState) -> PlayState | None:
    """An upgrade, downgrade or re-signup names the purchase it replaced: read it again
    too, so it ends as Google ended it (the new one is the same customer's)."""
    if not state.linked_purchase_token:
        return None
    try:
        return await read_play_state(client, package, state.linked_purchase_token, None)
    except NotAtGoogle:
        return None  # long gone at Google


async def record_play_purchase(
    db: Database,
    settings: Settings,
    project_id: int,
    app_user_id: str,
    token: str,
    product_id: str | None,
    package_name: str | None,
    rates: RateTable,
    now: datetime,
) -> ReceiptResult:
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise DomainError(
            ErrorCode.INVALID_INPUT, "The Play Store needs purchaseToken (at most 1000 characters).", FIELD
        )
    app = await _the_app(db, settings, project_id, package_name)
    try:
        state = await read_play_state(client_for(app, settings), app.package_name, token, product_id)
    except NotAtGoogle as error:
        raise DomainError(
            ErrorCode.VERIFICATION_FAILED,
            "Google Play does not know this purchase token for this app.",
            FIELD,
        ) from error
    except StoreError as error:
        raise DomainError(ErrorCode.STORE_ERROR, error.describe(), FIELD) from error
    if not state.transactions:
        raise DomainError(
            ErrorCode.VERIFICATION_FAILED, "Google Play holds no paid period of this purchase.", FIELD
        )
    try:
        replaced = await replaced_purchase(client_for(app, settings), app.package_name, state)
    except StoreError as error:
        raise DomainError(ErrorCode.STORE_ERROR, error.describe(), FIELD) from error

    async def work(session: AsyncSession) -> ReceiptResult:
        if replaced is not None and replaced.transactions:
            await ingest_store_state(session, project_id, app_user_id, Store.PLAY_STORE, replaced, rates, now)
        result = await ingest_store_state(
            session, project_id, app_user_id, Store.PLAY_STORE, state, rates, now
        )
        # Notifications are kept by purchase token (all Google tells before the lookup).
        await release_parked(session, project_id, Store.PLAY_STORE, token, now)
        return result

    return await in_transaction(db, work)


async def _the_app(
    db: Database, settings: Settings, project_id: int, package_name: str | None
) -> PlayStoreApp:
    async with db.read() as session:
        apps = await project_store_apps(session, project_id, Store.PLAY_STORE)
    if not apps:
        raise DomainError(
            ErrorCode.STORE_NOT_CONFIGURED,
            "This project has no Play Store app: configurePlayStoreApp first.",
            ("input", "store"),
        )
    if package_name is not None:
        chosen = next((a for a in apps if a.app_identifier == package_name), None)
        if chosen is None:
            raise DomainError(
                ErrorCode.VERIFICATION_FAILED, "No Play Store app of this project has that package name.",
                ("input", "packageName"),
            )  # fmt: skip
    elif len(apps) > 1:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "The project has several Play Store apps: give packageName.",
            ("input", "packageName"),
        )
    else:
        chosen = apps[0]
    try:
        return play_store_config(chosen, settings)
    except (SecretKeyMissing, SecretUnreadable) as error:
        raise DomainError(
            ErrorCode.STORE_NOT_CONFIGURED,
            "The Play Store app's service account cannot be opened with this SECRET_KEY.",
        ) from error
