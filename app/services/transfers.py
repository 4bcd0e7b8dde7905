"""Moving store purchases between customers: support transfers and restores."""

from collections.abc import Sequence

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.models import Customer, Purchase, StoreTransaction
from app.domain.enums import CustomerEventType, Store, WebhookEventType
from app.services.timeline import Timeline
from app.webhooks.payloads import PayloadFields


async def move_purchases(
    session: AsyncSession,
    timeline: Timeline,
    source: Customer,
    target: Customer,
    purchases: Sequence[Purchase],
    *,
    actor: str | None,
    reason: str | None,
) -> None:
    """Give `purchases` to `target`; both histories get a TRANSFERRED event, and only
    the destination's sends the TRANSFER webhook (as RevenueCat does)."""
    if not purchases:
        return
    ids = [p.id for p in purchases]
    await session.exec(  # type: ignore[call-overload]
        update(Purchase).where(col(Purchase.id).in_(ids)).values(customer_id=target.id)
    )
    await session.exec(  # type: ignore[call-overload]
        update(StoreTransaction)
        .where(col(StoreTransaction.purchase_id).in_(ids))
        .values(customer_id=target.id)
    )
    for purchase in purchases:
        purchase.customer_id = target.id  # type: ignore[assignment]
    source_ids = (await timeline.snapshot(source)).aliases
    target_ids = (await timeline.snapshot(target)).aliases
    first = purchases[0]
    fields = PayloadFields(
        event_id="",
        type=WebhookEventType.TRANSFER,
        event_timestamp=timeline.now,
        project_id=timeline.project_id,
        store=Store(first.store),
        environment=first.environment,
        transferred_from=list(source_ids),
        transferred_to=list(target_ids),
    )
    for customer, sends in ((source, False), (target, True)):
        await timeline.record(
            customer,
            CustomerEventType.TRANSFERRED,
            purchased_at=timeline.now,
            fields=fields,
            actor=actor,
            reason=reason,
            send_webhook=sends,
        )
