"""Moving store purchases between customers: support transfers and restores."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import Database
from app.db.models import Customer, Purchase, StoreTransaction
from app.domain.errors import DomainError, ErrorCode
from app.domain.events import Actor, PurchasesTransferred
from app.domain.transfers import transfer_environment
from app.services.audit import audit, checked_actor
from app.services.customers import lock_customers, require_customer
from app.services.timeline import Timeline
from app.services.unit_of_work import in_transaction


async def move_purchases(
    session: AsyncSession,
    timeline: Timeline,
    source: Customer,
    target: Customer,
    purchases: Sequence[Purchase],
    actor: Actor,
) -> None:
    """Give `purchases` to `target`; both histories get a TRANSFERRED event, and only
    the destination's sends the TRANSFER webhook (as RevenueCat does)."""
    if not purchases:
        return
    ids = [p.id for p in purchases]
    await session.exec(update(Purchase).where(col(Purchase.id).in_(ids)).values(customer_id=target.id))
    await session.exec(
        update(StoreTransaction)
        .where(col(StoreTransaction.purchase_id).in_(ids))
        .values(customer_id=target.id)
    )
    for purchase in purchases:
        purchase.customer_id = target.id  # type: ignore[assignment]
    source_ids = (await timeline.snapshot(source)).aliases
    target_ids = (await timeline.snapshot(target)).aliases
    environment = transfer_environment([p.environment for p in purchases])
    for customer, other, sends in ((source, target, False), (target, source, True)):
        event = PurchasesTransferred(
            store=purchases[0].store,
            environment=environment,
            transferred_from=tuple(source_ids),
            transferred_to=tuple(target_ids),
            other_customer_id=other.id,
            sends_webhook=sends,
        )
        await timeline.record(customer, event, actor)


@dataclass(frozen=True, slots=True)
class TransferResult:
    source: Customer
    target: Customer
    purchases: list[Purchase]


async def transfer_entitlements(
    db: Database,
    *,
    project_id: int,
    from_app_user_id: str,
    to_app_user_id: str,
    dry_run: bool,
    actor: Actor,
    now: datetime,
) -> TransferResult:
    """Move every store purchase (never grants) of one customer to another (DESIGN 4.6),
    whatever the project's restore behaviour. A dry run reports and changes nothing."""
    actor = checked_actor(actor)

    async def work(session: AsyncSession) -> TransferResult:
        source = await require_customer(session, project_id, from_app_user_id, ("input", "fromAppUserId"))
        target = await require_customer(session, project_id, to_app_user_id, ("input", "toAppUserId"))
        assert source.id is not None and target.id is not None
        if source.id == target.id:
            raise DomainError(
                ErrorCode.SAME_CUSTOMER,
                "Both App User IDs belong to the same customer.",
                ("input", "toAppUserId"),
            )
        # Id order: two opposite transfers lock in the same order and cannot deadlock.
        await lock_customers(session, [source.id, target.id])
        purchases = list(
            (
                await session.exec(
                    select(Purchase)
                    .where(Purchase.customer_id == source.id, col(Purchase.is_granted).is_(False))
                    .order_by(col(Purchase.purchased_at), col(Purchase.id))
                )
            ).all()
        )
        if not purchases:
            raise DomainError(
                ErrorCode.NOTHING_TO_TRANSFER,
                "The source customer has no store purchases.",
                ("input", "fromAppUserId"),
            )
        if dry_run:
            return TransferResult(source, target, purchases)
        timeline = Timeline(session, project_id, now)
        await move_purchases(session, timeline, source, target, purchases, actor)
        audit(
            session, project_id, now, actor.name or "", "transferEntitlements", target.id, actor.reason,
            purchases=[p.id for p in purchases],
        )  # fmt: skip
        return TransferResult(source, target, purchases)

    if dry_run:
        async with db.read() as session:
            return await work(session)
    return await in_transaction(db, work)
