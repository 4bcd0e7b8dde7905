"""deleteCustomer: remove a customer and everything of theirs (DESIGN 4.8), enough for
a GDPR erasure request."""

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import Database
from app.db.models import AppUserId, CustomerEvent, Purchase
from app.domain.enums import ProductType, Store
from app.domain.errors import DomainError, ErrorCode
from app.domain.identity import validate_app_user_id
from app.services.audit import audit
from app.services.customers import lock_customer, require_customer
from app.services.unit_of_work import in_transaction
from app.stores.base import MissingStoreReference, StoreError, StorePurchaseRef
from app.stores.registry import StoreAdapters


async def _cancel_web_billing_subscriptions(
    db: Database, stores: StoreAdapters, project_id: int, app_user_id: str, now: datetime
) -> None:
    """Web Billing subscriptions are cancelled at the store before the customer goes
    (as RevenueCat does); if the store refuses, nothing is deleted. Only subscriptions
    whose Stripe id is known from verified data or an ADMIN's import can be cancelled:
    one the SDK merely claimed is not this service's to act on (DESIGN 4.10)."""
    async with db.read() as session:
        customer = await require_customer(session, project_id, app_user_id)
        running = (
            await session.exec(
                select(Purchase).where(
                    Purchase.customer_id == customer.id,
                    Purchase.store == Store.RC_BILLING,
                    Purchase.type == ProductType.SUBSCRIPTION,
                    col(Purchase.will_renew),
                    col(Purchase.refunded_at).is_(None),
                    col(Purchase.access_expires_at) > now,
                    col(Purchase.store_subscription_id).is_not(None),
                )
            )
        ).all()
    if not running:
        return
    adapter = stores.get(Store.RC_BILLING)
    if adapter is None:
        raise DomainError(
            ErrorCode.STORE_NOT_CONFIGURED,
            "The customer has running Web Billing subscriptions and no Stripe credentials are configured "
            "to cancel them: nothing was deleted.",
            ("input", "appUserId"),
        )
    for purchase in running:
        ref = StorePurchaseRef(
            store=Store.RC_BILLING,
            product_id=purchase.product_id,
            is_subscription=True,
            original_transaction_id=purchase.original_transaction_id,
            latest_transaction_id=purchase.original_transaction_id,
            subscription_id=purchase.store_subscription_id,
        )
        try:
            await adapter.cancel(ref, f"delete-{purchase.id}")
        except (StoreError, MissingStoreReference) as exc:
            message = exc.describe() if isinstance(exc, StoreError) else str(exc)
            raise DomainError(
                ErrorCode.STORE_ERROR, f"{message} Nothing was deleted.", ("input", "appUserId")
            ) from exc


DELETED = "(deleted customer)"


async def _scrub_from_other_histories(session: AsyncSession, customer_id: int, ids: list[str]) -> None:
    """A transfer names both customers in both histories; the other customer's event
    keeps the transfer but loses this customer's App User IDs."""
    gone = set(ids)
    events = (
        await session.exec(select(CustomerEvent).where(CustomerEvent.related_customer_id == customer_id))
    ).all()
    for event in events:
        event.transferred_from = _scrub(event.transferred_from, gone)
        event.transferred_to = _scrub(event.transferred_to, gone)
        body = dict(event.payload)
        inner = dict(body.get("event", {}))
        for key in ("transferred_from", "transferred_to"):
            if key in inner:
                inner[key] = _scrub(inner[key], gone)
        body["event"] = inner
        event.payload = body
        event.related_customer_id = None
        session.add(event)


def _scrub(values: list[str] | None, gone: set[str]) -> list[str] | None:
    if values is None:
        return None
    return [DELETED if value in gone else value for value in values]


async def delete_customer(
    db: Database, stores: StoreAdapters, project_id: int, app_user_id: str, actor: str, now: datetime
) -> list[str]:
    """Delete by any App User ID; returns every App User ID that was removed.

    Every row of the customer hangs off the customer row with ON DELETE CASCADE (IDs,
    purchases and their transactions, events, notes, attributes, balances, audit
    records), so one DELETE removes them all, sandbox and production alike. The only
    trace left is an audit record with the time, the key's name and a count. The reason
    given is not kept: it may name the person.
    """
    validate_app_user_id(app_user_id)
    await _cancel_web_billing_subscriptions(db, stores, project_id, app_user_id, now)

    async def work(session: AsyncSession) -> list[str]:
        customer = await require_customer(session, project_id, app_user_id)
        assert customer.id is not None
        await lock_customer(session, customer.id)
        ids = list(
            (
                await session.exec(
                    select(AppUserId.app_user_id)
                    .where(AppUserId.customer_id == customer.id)
                    .order_by(col(AppUserId.created_at), col(AppUserId.id))
                )
            ).all()
        )
        await _scrub_from_other_histories(session, customer.id, ids)
        await session.delete(customer)
        await session.flush()
        audit(session, project_id, now, actor, "deleteCustomer", None, app_user_ids_removed=len(ids))
        return ids

    removed = await in_transaction(db, work)
    await db.checkpoint_wal()  # erased data must not linger in SQLite's -wal file
    return removed
