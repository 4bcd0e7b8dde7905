"""The expiration scheduler: EXPIRED (webhook EXPIRATION) once per ended purchase or
grant, also after a restart, never twice (`Purchase.expired_event_at` is the mark,
written in the same transaction as the event)."""

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import Database, on_postgres
from app.db.models import Customer, Entitlement, Product, ProductEntitlement, Purchase, StoreTransaction
from app.domain.enums import CancelReason, CustomerEventType, Store, WebhookEventType
from app.domain.expiration import expiration_reason
from app.services.timeline import Timeline
from app.webhooks.payloads import PayloadFields

BATCH_SIZE = 200


async def expire_due_purchases(db: Database, now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Write the EXPIRED events that are due; returns how many purchases were settled."""
    async with db.transaction() as session:
        statement = (
            select(Purchase)
            .where(
                col(Purchase.access_expires_at) <= now,
                col(Purchase.expired_event_at).is_(None),
            )
            .order_by(col(Purchase.access_expires_at), col(Purchase.id))
            .limit(batch_size)
        )
        if on_postgres(session):
            # Several workers share the work without writing one EXPIRED twice.
            statement = statement.with_for_update(skip_locked=True)
        due = list((await session.exec(statement)).all())
        if not due:
            return 0
        await _write_events(session, due, now)
        return len(due)


async def _write_events(session: AsyncSession, due: list[Purchase], now: datetime) -> None:
    customers = {
        c.id: c
        for c in (
            await session.exec(select(Customer).where(col(Customer.id).in_({p.customer_id for p in due})))
        ).all()
    }
    latest_transaction = await _latest_transaction_ids(session, [p.id for p in due if p.id is not None])
    entitlements = await _entitlements(session, due)
    timelines: dict[int, Timeline] = {}
    for purchase in due:
        purchase.expired_event_at = now
        session.add(purchase)
        if purchase.refunded_at is not None:
            continue  # the refund already ended access and wrote its own event
        timeline = timelines.setdefault(purchase.project_id, Timeline(session, purchase.project_id, now))
        reason = expiration_reason(
            purchase.is_granted,
            purchase.will_renew,
            purchase.cancel_reason,
            purchase.billing_issue_detected_at,
        )
        fields = PayloadFields(
            event_id="",
            type=WebhookEventType.EXPIRATION,
            event_timestamp=now,
            project_id=purchase.project_id,
            store=Store(purchase.store),
            environment=purchase.environment,
            product_id=purchase.product_id,
            entitlement_ids=entitlements.get(purchase.id or 0, []),
            period_type=purchase.period_type,
            purchased_at=purchase.purchased_at,
            expires_at=purchase.access_expires_at,
            transaction_id=latest_transaction.get(purchase.id or 0, purchase.original_transaction_id),
            original_transaction_id=purchase.original_transaction_id,
            expiration_reason=reason.value,
            price=Decimal(0),
            price_usd=Decimal(0),
            currency="USD",
        )
        customer = customers[purchase.customer_id]
        if purchase.billing_issue_detected_at is not None and purchase.will_renew and not purchase.is_granted:
            # The store never recovered the payment: the billing issue ended the
            # subscription, which is a cancellation for billing error (DESIGN 4.2).
            purchase.will_renew = False
            purchase.cancel_reason = CancelReason.BILLING_ERROR.value
            await timeline.record(
                customer,
                CustomerEventType.CANCELLED_BILLING_ERROR,
                purchased_at=purchase.purchased_at,
                purchase_id=purchase.id,
                fields=replace(
                    fields, cancel_reason=CancelReason.BILLING_ERROR.value, expiration_reason=None
                ),
                show_price=False,
            )
        await timeline.record(
            customer,
            CustomerEventType.EXPIRED,
            purchased_at=purchase.purchased_at,
            purchase_id=purchase.id,
            fields=fields,
            show_price=False,
        )


async def _latest_transaction_ids(session: AsyncSession, purchase_ids: list[int]) -> dict[int, str]:
    rows = (
        await session.exec(
            select(StoreTransaction.purchase_id, StoreTransaction.transaction_id)
            .where(col(StoreTransaction.purchase_id).in_(purchase_ids))
            .order_by(col(StoreTransaction.purchased_at), col(StoreTransaction.transaction_id))
        )
    ).all()
    return dict(rows)  # later rows (newer periods) overwrite earlier ones


async def _entitlements(session: AsyncSession, due: list[Purchase]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {}
    store_purchases = [p for p in due if not p.is_granted]
    if store_purchases:
        rows = (
            await session.exec(
                select(Product.project_id, Product.store, Product.identifier, Entitlement.identifier)
                .join(ProductEntitlement, col(ProductEntitlement.product_id) == col(Product.id))
                .join(Entitlement, col(Entitlement.id) == col(ProductEntitlement.entitlement_id))
                .where(col(Product.identifier).in_({p.product_id for p in store_purchases}))
                .order_by(col(Entitlement.identifier))
            )
        ).all()
        by_product: dict[tuple[int, str, str], list[str]] = {}
        for project_id, store, identifier, entitlement in rows:
            by_product.setdefault((project_id, store, identifier), []).append(entitlement)
        for p in store_purchases:
            result[p.id or 0] = by_product.get((p.project_id, p.store, p.product_id), [])
    for p in due:
        if p.is_granted and p.granted_entitlement:
            result[p.id or 0] = [p.granted_entitlement]
    return result
