"""The store-notification inbox: verified notifications in, purchases updated out.

Receiving only writes a row (unique per store app and notification id, so a store's
retry is a no-op) and answers; the worker applies rows per purchase in order, claimed
with FOR UPDATE SKIP LOCKED on PostgreSQL like the webhook outbox, so several workers
never apply one row twice and a crash loses nothing (DESIGN 4.10).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import tuple_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import Database, on_postgres
from app.db.models import AppUserId, Customer, Purchase, StoreApp, StoreNotification, StoreTransaction
from app.domain.app_store import signed_at
from app.domain.enums import Environment, NotificationStatus, Store
from app.domain.errors import DomainError, DomainErrors
from app.domain.prices import RateTable
from app.domain.web_billing import environment as web_billing_environment
from app.domain.web_billing import invoice_subscription
from app.logging import log
from app.observability import metrics
from app.security.secret_box import SecretKeyMissing, SecretUnreadable
from app.services.app_store_purchases import (
    AppStoreState,
    ingest_app_store_state,
    owner_app_user_id,
    stored_purchase,
)
from app.services.play_purchases import (
    PlayState,
    client_for,
    read_play_state,
    replaced_purchase,
)
from app.services.receipts import ingest_store_state
from app.services.store_apps import app_store_config, play_store_config, web_billing_config
from app.services.unit_of_work import in_transaction
from app.services.web_billing_purchases import (
    read_state,
    reader_for,
    stored_web_purchase,
)
from app.settings import Settings
from app.stores.app_store.api_client import AppStoreServerApi
from app.stores.app_store.verification import VerificationFailed, VerifiedNotification
from app.stores.base import StoreError
from app.stores.google_play import NotAtGoogle
from app.stores.web_billing_reader import NotAtStripe

# Notification types that carry no purchase state to apply.
NOTHING_TO_APPLY = {
    "TEST",
    "CONSUMPTION_REQUEST",
    "REFUND_DECLINED",
    "RENEWAL_EXTENSION",
    "EXTERNAL_PURCHASE_TOKEN",
}
BATCH = 20


def inbox_row(app: StoreApp, verified: VerifiedNotification, now: datetime) -> dict[str, Any]:
    """The inbox row of a verified App Store notification (its decoded content)."""
    claims = verified.notification
    transaction = verified.transaction
    notification_type = str(claims.get("notificationType") or "UNKNOWN")
    nothing = notification_type in NOTHING_TO_APPLY or transaction is None
    return {
        "project_id": app.project_id,
        "store_app_id": app.id,
        "store": Store.APP_STORE.value,
        "external_id": str(claims.get("notificationUUID")),
        "notification_type": notification_type[:64],
        "subtype": (str(claims["subtype"])[:64] if claims.get("subtype") else None),
        "environment": verified.environment.value,
        "purchase_key": (
            str(transaction.get("originalTransactionId") or transaction.get("transactionId"))
            if transaction
            else None
        ),
        "app_account_token": (
            str(transaction["appAccountToken"])[:64]
            if transaction and transaction.get("appAccountToken")
            else None
        ),
        "signed_at": signed_at(claims),
        "received_at": now,
        "payload": json.dumps({"transaction": transaction, "renewal": verified.renewal}),
        "status": (NotificationStatus.IGNORED if nothing else NotificationStatus.PENDING).value,
        "attempts": 0,
        "next_attempt_at": now,
        "applied_at": now if nothing else None,
    }


# Stripe events that change a purchase; the rest are kept as IGNORED.
WEB_BILLING_EVENTS = (
    "customer.subscription.",
    "invoice.paid",
    "invoice.payment_failed",
    "charge.refunded",
    "charge.dispute.",
)


def web_billing_inbox_row(app: StoreApp, event: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The inbox row of a verified Stripe event: which purchase it is about (a
    subscription id, or `pi:<payment intent>` for a charge), not what it says."""
    event_type = str(event.get("type") or "unknown")
    obj = (event.get("data") or {}).get("object") or {}
    key: str | None = None
    if event_type.startswith("customer.subscription."):
        key = obj.get("id")
    elif event_type.startswith("invoice."):
        key = invoice_subscription(obj)
    elif event_type.startswith("charge."):
        intent = obj.get("payment_intent")
        key = f"pi:{intent}" if intent else None
    relevant = key is not None and event_type.startswith(WEB_BILLING_EVENTS)
    created = event.get("created")
    return {
        "project_id": app.project_id,
        "store_app_id": app.id,
        "store": Store.RC_BILLING.value,
        "external_id": str(event["id"]),
        "notification_type": event_type[:64],
        "subtype": None,
        "environment": web_billing_environment(event).value,
        "purchase_key": str(key)[:255] if key else None,
        "app_account_token": None,
        "signed_at": datetime.fromtimestamp(int(created), tz=UTC) if created else now,
        "received_at": now,
        "payload": json.dumps({"type": event_type, "object_id": obj.get("id")}),
        "status": (NotificationStatus.PENDING if relevant else NotificationStatus.IGNORED).value,
        "attempts": 0,
        "next_attempt_at": now,
        "applied_at": None if relevant else now,
    }


def play_inbox_row(
    app: StoreApp, message_id: str, notification: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The inbox row of a verified real-time developer notification: which purchase token
    it is about; what it says is re-read from Google when it is applied."""
    kind, token, product = "test", None, None
    if isinstance(notification.get("subscriptionNotification"), dict):
        item = notification["subscriptionNotification"]
        kind, token, product = (
            f"subscription:{item.get('notificationType')}",
            item.get("purchaseToken"),
            item.get("subscriptionId"),
        )
    elif isinstance(notification.get("oneTimeProductNotification"), dict):
        item = notification["oneTimeProductNotification"]
        kind, token, product = (
            f"one_time:{item.get('notificationType')}",
            item.get("purchaseToken"),
            item.get("sku"),
        )
    elif isinstance(notification.get("voidedPurchaseNotification"), dict):
        item = notification["voidedPurchaseNotification"]
        kind, token = f"voided:{item.get('productType')}", item.get("purchaseToken")
    event_time = notification.get("eventTimeMillis")
    relevant = isinstance(token, str) and bool(token)
    return {
        "project_id": app.project_id,
        "store_app_id": app.id,
        "store": Store.PLAY_STORE.value,
        "external_id": message_id[:255],
        "notification_type": kind[:64],
        "subtype": None,
        "environment": Environment.PRODUCTION.value,  # Google's answer decides when applied
        "purchase_key": str(token)[:255] if relevant else None,
        "app_account_token": None,
        "signed_at": datetime.fromtimestamp(int(str(event_time)) / 1000, tz=UTC)
        if str(event_time or "").isdigit()
        else now,
        "received_at": now,
        "payload": json.dumps({"kind": kind, "product_id": product}),
        "status": (NotificationStatus.PENDING if relevant else NotificationStatus.IGNORED).value,
        "attempts": 0,
        "next_attempt_at": now,
        "applied_at": None if relevant else now,
    }


async def receive(db: Database, app: StoreApp, verified: VerifiedNotification, now: datetime) -> bool:
    """Writes an App Store notification to the inbox; False when it was there already."""
    if not verified.notification.get("notificationUUID"):
        raise VerificationFailed("a notification without notificationUUID")
    return await receive_row(db, app, inbox_row(app, verified, now), now)


async def receive_row(db: Database, app: StoreApp, row: dict[str, Any], now: datetime) -> bool:
    """Writes one verified notification's row (unique per store app and store id)."""

    async def work(session: AsyncSession) -> bool:
        insert = postgresql_insert if on_postgres(session) else sqlite_insert
        statement = (
            insert(StoreNotification)
            .values(**row)
            .on_conflict_do_nothing(index_elements=["store_app_id", "external_id"])
        )
        result = await session.exec(statement)
        await session.exec(
            update(StoreApp).where(col(StoreApp.id) == app.id).values(last_notification_at=now)
        )
        return bool(result.rowcount)

    created = await in_transaction(db, work)
    metrics.count_store_notification(app.store.value, "verified" if created else "repeated")
    return created


@dataclass
class InboxWorker:
    """Applies due inbox rows, oldest signed first, one purchase's rows in order."""

    db: Database
    settings: Settings
    apple_api: AppStoreServerApi
    rates: RateTable
    clock: Callable[[], datetime]

    @property
    def lease(self) -> timedelta:
        """How long a claimed row is this worker's: the store calls applying it may take,
        plus a margin. A worker that died lets its row go after that."""
        # Paging Apple's history and two OCSP checks (30 s each at most, in Apple's library).
        seconds = 3 * self.settings.store_timeout_seconds + self.settings.webhook_lease_margin_seconds
        return timedelta(seconds=seconds)

    async def run_once(self) -> int:
        applied = 0
        for _ in range(BATCH):
            row = await self._claim()
            if row is None:
                break
            await self._apply(row)
            applied += 1
        return applied

    async def _claim(self) -> StoreNotification | None:
        now = self.clock()
        earlier = aliased(StoreNotification)
        earlier_open = (
            select(earlier.id)
            .where(
                earlier.store_app_id == StoreNotification.store_app_id,
                earlier.purchase_key == StoreNotification.purchase_key,
                col(earlier.status) == NotificationStatus.PENDING,
                tuple_(col(earlier.signed_at), col(earlier.id))
                < tuple_(col(StoreNotification.signed_at), col(StoreNotification.id)),
            )
            .exists()
        )
        statement = (
            select(StoreNotification)
            .where(
                col(StoreNotification.status) == NotificationStatus.PENDING,
                col(StoreNotification.next_attempt_at) <= now,
                (col(StoreNotification.leased_until).is_(None)) | (col(StoreNotification.leased_until) < now),
                ~earlier_open,
            )
            .order_by(col(StoreNotification.signed_at), col(StoreNotification.id))
            .limit(1)
        )
        if not await self._anything_due(now):
            return None
        async with self.db.transaction() as session:
            if on_postgres(session):
                statement = statement.with_for_update(of=StoreNotification, skip_locked=True)
            row = (await session.exec(statement)).first()
            if row is None:
                return None
            row.leased_until = now + self.lease
            row.attempts += 1
            session.add(row)
        return row

    async def _anything_due(self, now: datetime) -> bool:
        statement = (
            select(StoreNotification.id)
            .where(
                col(StoreNotification.status) == NotificationStatus.PENDING,
                col(StoreNotification.next_attempt_at) <= now,
            )
            .limit(1)
        )
        async with self.db.engine.connect() as connection:
            return (await connection.execute(statement)).first() is not None

    async def _apply(self, row: StoreNotification) -> None:
        now = self.clock()
        try:
            if row.store is Store.RC_BILLING:
                status = await self._apply_web_billing(row, now)
            elif row.store is Store.PLAY_STORE:
                status = await self._apply_play(row, now)
            else:
                status = await self._apply_app_store(row, now)
        except (
            StoreError,
            VerificationFailed,
            NotAtStripe,
            NotAtGoogle,
            DomainError,
            DomainErrors,
            SecretKeyMissing,
            SecretUnreadable,
        ) as error:
            await self._retry_later(row, now, _describe(error))
            return
        except Exception as error:
            log.exception("store_notification_apply_error", notification_id=row.id)
            await self._retry_later(row, now, type(error).__name__)
            return
        metrics.count_store_notification(row.store.value, status.value.lower())

    async def _apply_app_store(self, row: StoreNotification, now: datetime) -> NotificationStatus:
        async with self.db.read() as session:
            store_app = await session.get(StoreApp, row.store_app_id)
        if store_app is None:  # deleted since: nothing to apply it to
            return await self._finish(row, NotificationStatus.IGNORED, now, "the store app was deleted")
        app = app_store_config(store_app, self.settings)
        content = json.loads(row.payload)
        transaction: dict[str, Any] = content["transaction"]
        state = AppStoreState(Environment(row.environment), [transaction], content.get("renewal"))
        if app.credentials is not None:
            # The whole truth rather than one notification's view of it. If Apple's API
            # does not answer, the notification's own signed data still applies: the
            # signedDate guards keep it from undoing anything newer.
            try:
                history = await self.apple_api.purchase_history(
                    app, state.environment, str(transaction["transactionId"]), state.original_transaction_id
                )
            except StoreError as error:
                log.warning("app_store_api_unavailable", notification_id=row.id, error=error.describe()[:200])
            else:
                if history.transactions:
                    state = AppStoreState(
                        state.environment, history.transactions, history.renewal or state.renewal
                    )

        async def work(session: AsyncSession) -> NotificationStatus:
            purchase = await stored_purchase(session, row.project_id, state.original_transaction_id)
            if purchase is not None:
                app_user_id = await owner_app_user_id(session, purchase.customer_id)
            else:
                customer = await self._customer_by_token(session, row)
                if customer is None:
                    await self._set(session, row, NotificationStatus.PARKED, now, None)
                    return NotificationStatus.PARKED
                assert customer.id is not None
                app_user_id = await owner_app_user_id(session, customer.id)
            await ingest_app_store_state(session, row.project_id, app_user_id, state, self.rates, now)
            await self._set(session, row, NotificationStatus.APPLIED, now, None)
            return NotificationStatus.APPLIED

        return await in_transaction(self.db, work)

    async def _apply_web_billing(self, row: StoreNotification, now: datetime) -> NotificationStatus:
        """Stripe's events carry no order: whatever the event, read the purchase again."""
        async with self.db.read() as session:
            store_app = await session.get(StoreApp, row.store_app_id)
            key = row.purchase_key or ""
            if key.startswith("pi:"):
                key = (
                    await self._purchase_of_payment(session, row.project_id, key.removeprefix("pi:"))
                    or key[3:]
                )
        if store_app is None:
            return await self._finish(row, NotificationStatus.IGNORED, now, "the store app was deleted")
        reader = reader_for(web_billing_config(store_app, self.settings), self.settings)
        state = await read_state(reader, key)

        async def work(session: AsyncSession) -> NotificationStatus:
            purchase = await stored_web_purchase(session, row.project_id, state.purchase_key)
            if purchase is not None:
                app_user_id: str | None = await owner_app_user_id(session, purchase.customer_id)
            else:
                app_user_id = state.app_user_id  # set at checkout: the customer, at once
            if app_user_id is None or not state.transactions:
                await self._set(session, row, NotificationStatus.PARKED, now, None)
                return NotificationStatus.PARKED
            await ingest_store_state(
                session, row.project_id, app_user_id, Store.RC_BILLING, state, self.rates, now
            )
            await self._set(session, row, NotificationStatus.APPLIED, now, None)
            return NotificationStatus.APPLIED

        return await in_transaction(self.db, work)

    async def _apply_play(self, row: StoreNotification, now: datetime) -> NotificationStatus:
        """Whatever the notification's type, read the purchase from Google again."""
        async with self.db.read() as session:
            store_app = await session.get(StoreApp, row.store_app_id)
        if store_app is None:
            return await self._finish(row, NotificationStatus.IGNORED, now, "the store app was deleted")
        app = play_store_config(store_app, self.settings)
        token = row.purchase_key or ""
        product = json.loads(row.payload).get("product_id")
        client = client_for(app, self.settings)
        state = await read_play_state(client, app.package_name, token, product)
        replaced = await replaced_purchase(client, app.package_name, state)

        async def work(session: AsyncSession) -> NotificationStatus:
            owner = await self._play_owner(session, row.project_id, state)
            if owner is None or not state.transactions:
                await self._set(session, row, NotificationStatus.PARKED, now, None)
                return NotificationStatus.PARKED
            if replaced is not None and replaced.transactions:
                await ingest_store_state(
                    session, row.project_id, owner, Store.PLAY_STORE, replaced, self.rates, now
                )
            await ingest_store_state(session, row.project_id, owner, Store.PLAY_STORE, state, self.rates, now)
            await self._set(session, row, NotificationStatus.APPLIED, now, None)
            return NotificationStatus.APPLIED

        return await in_transaction(self.db, work)

    async def _play_owner(self, session: AsyncSession, project_id: int, state: PlayState) -> str | None:
        """Who the purchase belongs to: its owner; for an upgrade or re-signup, the owner of
        the purchase it replaced (linkedPurchaseToken); else the id the app set at checkout."""
        purchase = (
            await session.exec(
                select(Purchase).where(
                    Purchase.project_id == project_id,
                    Purchase.store == Store.PLAY_STORE,
                    Purchase.original_transaction_id == state.purchase_key,
                )
            )
        ).first()
        if purchase is None and state.linked_purchase_token:
            purchase = (
                await session.exec(
                    select(Purchase).where(
                        Purchase.project_id == project_id,
                        Purchase.store == Store.PLAY_STORE,
                        Purchase.store_purchase_token == state.linked_purchase_token,
                    )
                )
            ).first()
        if purchase is not None:
            return await owner_app_user_id(session, purchase.customer_id)
        return state.obfuscated_account_id

    async def _purchase_of_payment(
        self, session: AsyncSession, project_id: int, payment_intent: str
    ) -> str | None:
        return (
            await session.exec(
                select(Purchase.original_transaction_id)
                .join(StoreTransaction, col(StoreTransaction.purchase_id) == col(Purchase.id))
                .where(
                    StoreTransaction.project_id == project_id,
                    StoreTransaction.store_payment_id == payment_intent,
                    Purchase.store == Store.RC_BILLING,
                )
            )
        ).first()

    async def _customer_by_token(self, session: AsyncSession, row: StoreNotification) -> Customer | None:
        if not row.app_account_token:
            return None
        return (
            await session.exec(
                select(Customer)
                .join(AppUserId, col(AppUserId.customer_id) == col(Customer.id))
                .where(
                    AppUserId.project_id == row.project_id,
                    AppUserId.app_account_token == row.app_account_token.lower(),
                )
            )
        ).first()

    async def _set(
        self,
        session: AsyncSession,
        row: StoreNotification,
        status: NotificationStatus,
        now: datetime,
        error: str | None,
    ) -> None:
        await session.exec(
            update(StoreNotification)
            .where(col(StoreNotification.id) == row.id)
            .values(
                status=status,
                leased_until=None,
                last_error=error,
                applied_at=now
                if status in (NotificationStatus.APPLIED, NotificationStatus.IGNORED)
                else None,
            )
        )

    async def _finish(
        self, row: StoreNotification, status: NotificationStatus, now: datetime, error: str | None
    ) -> NotificationStatus:
        async with self.db.transaction() as session:
            await self._set(session, row, status, now, error)
        return status

    async def _retry_later(self, row: StoreNotification, now: datetime, error: str) -> None:
        delays = self.settings.notification_retry_delays
        failed = row.attempts > len(delays)
        values: dict[str, Any] = {"leased_until": None, "last_error": error[:500]}
        if failed:
            values["status"] = NotificationStatus.FAILED
        else:
            values["next_attempt_at"] = now + timedelta(seconds=delays[row.attempts - 1])
        async with self.db.transaction() as session:
            await session.exec(
                update(StoreNotification).where(col(StoreNotification.id) == row.id).values(**values)
            )
        log.warning(
            "store_notification_retry",
            notification_id=row.id,
            attempts=row.attempts,
            failed=failed,
            error=error[:200],
        )
        metrics.count_store_notification(row.store.value, "failed" if failed else "retried")


def _describe(error: Exception) -> str:
    if isinstance(error, StoreError):
        return error.describe()
    if isinstance(error, VerificationFailed):
        return error.reason
    if isinstance(error, DomainErrors):
        return "; ".join(e.message for e in error.errors)
    if isinstance(error, DomainError):
        return error.message
    return str(error) or type(error).__name__
