"""The expiration scheduler: EXPIRED (webhook EXPIRATION) once per ended purchase or
grant, also after a restart, never twice (`Purchase.expired_event_at` is the mark,
written in the same transaction as the event)."""

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import Database, on_postgres
from app.db.mapping import period_of
from app.db.models import Customer, Purchase
from app.domain.enums import CustomerEventType
from app.domain.events import PurchaseEvent
from app.domain.expiration import expiration_reason
from app.services.purchase_facts import entitlements_granted, latest_periods
from app.services.timeline import Timeline

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
    latest = await latest_periods(session, [p.id for p in due if p.id is not None])
    entitlements = await entitlements_granted(session, due)
    timelines: dict[int, Timeline] = {}
    for purchase in due:
        purchase.expired_event_at = now
        session.add(purchase)
        if purchase.refunded_at is not None:
            continue  # the refund already ended access and wrote its own event
        timeline = timelines.setdefault(purchase.project_id, Timeline(session, purchase.project_id, now))
        reason = expiration_reason(
            is_granted=purchase.is_granted,
            will_renew=purchase.will_renew,
            cancel_reason=purchase.cancel_reason,
            billing_issue_detected_at=purchase.billing_issue_detected_at,
            paused_at=purchase.paused_at,
        )
        period = period_of(
            purchase,
            latest.get(purchase.id or 0),
            entitlements.get(purchase.id or 0, []),
            expires_at=purchase.access_expires_at,
        )
        # An unrecovered billing issue was told as a cancellation when it was detected
        # (DESIGN 4.2): the end of its grace period is the EXPIRED alone.
        expired = PurchaseEvent(type=CustomerEventType.EXPIRED, period=period, expiration_reason=reason)
        await timeline.record(customers[purchase.customer_id], expired)
