"""refundPurchase and cancelSubscription: the money really moves at the store (DESIGN 4.7).

Order of effects, so the service never records a refund the store did not make and
never loses one it did:
1. reserve: one transaction checks the rules and writes a PENDING store_action. A unique
   index allows one in-flight action per purchase and kind, so of two simultaneous
   refunds only one reaches step 2; the other is told ALREADY_REFUNDED.
2. call the store, outside any transaction, with the action's idempotency key.
3. on the store's refusal, the action is marked FAILED and the answer is a userError;
   on success, one transaction records the refund (or cancellation) and marks the
   action RECORDED. If that transaction fails, the action is marked CONFIRMED and
   `finish_confirmed_actions` (run by the worker) records it later.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.conflicts import insert_unless_present
from app.db.engine import Database, on_postgres
from app.db.mapping import (
    period_money,
    period_of,
    transaction_state,
    write_purchase_state,
    write_transaction_state,
)
from app.db.models import (
    Customer,
    Purchase,
    StoreAction,
    StoreTransaction,
)
from app.domain.enums import CancelReason, CustomerEventType, ProductType
from app.domain.errors import DomainError, ErrorCode
from app.domain.events import Actor, Period, PurchaseEvent, event_money
from app.domain.store_actions import cancelled, check_cancel, check_refund, refunded
from app.logging import log
from app.services.audit import audit, validate_reason
from app.services.purchase_facts import entitlements_granted, latest_periods
from app.services.timeline import Timeline
from app.stores.base import MissingStoreReference, StoreError, StorePurchaseRef
from app.stores.registry import StoreAdapters

REFUND, CANCEL = "REFUND", "CANCEL"
PENDING, CONFIRMED, RECORDED, FAILED = "PENDING", "CONFIRMED", "RECORDED", "FAILED"
FIELD = ("input", "purchaseId")


@dataclass(frozen=True, slots=True)
class Reservation:
    action_id: int
    key: str
    ref: StorePurchaseRef


async def _purchase(session: AsyncSession, project_id: int, purchase_id: int | None, lock: bool) -> Purchase:
    statement = select(Purchase).where(Purchase.id == purchase_id, Purchase.project_id == project_id)
    if lock and on_postgres(session):
        statement = statement.with_for_update()
    purchase = (await session.exec(statement)).first() if purchase_id is not None else None
    if purchase is None:
        raise DomainError(ErrorCode.PURCHASE_NOT_FOUND, "No such purchase.", FIELD)
    return purchase


async def _latest_transaction(session: AsyncSession, purchase: Purchase) -> StoreTransaction:
    latest = (await latest_periods(session, [purchase.id or 0])).get(purchase.id or 0)
    assert latest is not None  # a purchase has at least one transaction
    return latest


async def _reserve(
    db: Database,
    stores: StoreAdapters,
    project_id: int,
    purchase_id: int | None,
    kind: str,
    actor: str,
    reason: str | None,
    now: datetime,
) -> Reservation:
    async with db.transaction() as session:
        purchase = await _purchase(session, project_id, purchase_id, lock=True)
        if kind == REFUND:
            check_refund(purchase.store, purchase.refunded_at, purchase.is_granted, FIELD)
        else:
            check_cancel(
                purchase.store, purchase.type, purchase.period_type,
                is_granted=purchase.is_granted, will_renew=purchase.will_renew,
                access_expires_at=purchase.access_expires_at, refunded_at=purchase.refunded_at, now=now, field=FIELD,
            )  # fmt: skip
        store = purchase.store
        if stores.get(store) is None:
            raise DomainError(
                ErrorCode.STORE_NOT_CONFIGURED,
                f"No credentials are configured for {store.value}: nothing was done. See README, 'Stores'.",
                FIELD,
            )
        latest = await _latest_transaction(session, purchase)
        key = uuid.uuid4().hex
        action = StoreAction(
            project_id=project_id,
            purchase_id=purchase.id or 0,
            kind=kind,
            idempotency_key=key,
            actor=actor,
            reason=reason,
            created_at=now,
            updated_at=now,
        )
        # At most one in flight per purchase and kind (a partial unique index): the loser
        # of two simultaneous requests inserts nothing.
        if await insert_unless_present(session, action) is None:
            code = ErrorCode.ALREADY_REFUNDED if kind == REFUND else ErrorCode.ALREADY_CANCELLED
            raise DomainError(code, f"A {kind.lower()} of this purchase is already in progress.", FIELD)
        return Reservation(action.id or 0, key, _ref(purchase, latest))


def _ref(purchase: Purchase, latest: StoreTransaction) -> StorePurchaseRef:
    return StorePurchaseRef(
        store=purchase.store,
        product_id=purchase.product_id,
        is_subscription=purchase.type is ProductType.SUBSCRIPTION,
        original_transaction_id=purchase.original_transaction_id,
        latest_transaction_id=latest.transaction_id,
        package_name=purchase.store_package_name,
        purchase_token=purchase.store_purchase_token,
        subscription_id=purchase.store_subscription_id,
        payment_id=latest.store_payment_id,
    )


async def _set_status(db: Database, action_id: int, status: str, answer: str | None, now: datetime) -> None:
    async with db.transaction() as session:
        await session.exec(
            update(StoreAction)
            .where(col(StoreAction.id) == action_id)
            .values(status=status, store_answer=answer[:1000] if answer else None, updated_at=now)
        )


async def _call_store(
    db: Database, stores: StoreAdapters, reservation: Reservation, kind: str, now: datetime
) -> None:
    adapter = stores.get(reservation.ref.store)
    assert adapter is not None  # checked when reserving
    try:
        if kind == REFUND:
            await adapter.refund(reservation.ref, reservation.key)
        else:
            await adapter.cancel(reservation.ref, reservation.key)
    except MissingStoreReference as exc:
        await _set_status(db, reservation.action_id, FAILED, str(exc), now)
        raise DomainError(ErrorCode.INVALID_INPUT, str(exc), FIELD) from exc
    except StoreError as exc:
        await _set_status(db, reservation.action_id, FAILED, exc.describe(), now)
        raise DomainError(ErrorCode.STORE_ERROR, exc.describe(), FIELD) from exc


async def _record(db: Database, action_id: int, kind: str, now: datetime) -> Purchase:
    """Apply what the store did, in one transaction, and mark the action RECORDED."""
    async with db.transaction() as session:
        # Locked, and only once: a second worker (or replica) finishing the same
        # confirmed action must find it RECORDED and write nothing.
        action = (
            await session.exec(select(StoreAction).where(StoreAction.id == action_id).with_for_update())
        ).one()
        purchase = await _purchase(session, action.project_id, action.purchase_id, lock=True)
        if action.status not in (PENDING, CONFIRMED):
            return purchase
        customer = await session.get(Customer, purchase.customer_id)
        assert customer is not None
        latest = await _latest_transaction(session, purchase)
        timeline = Timeline(session, purchase.project_id, now)
        entitlements = await entitlements_granted(session, [purchase])
        period = period_of(purchase, latest, entitlements[purchase.id or 0], expires_at=latest.expires_at)
        if kind == REFUND:
            await _apply_refund(session, timeline, customer, purchase, latest, period, action, now)
        else:
            await _apply_cancel(session, timeline, customer, purchase, latest, period, action, now)
        action.status = RECORDED
        action.updated_at = now
        session.add(action)
        audit(
            session, purchase.project_id, now, action.actor, "refundPurchase" if kind == REFUND else "cancelSubscription",
            customer.id, action.reason, purchase_id=purchase.id,
        )  # fmt: skip
        return purchase


async def _apply_refund(
    session: AsyncSession,
    timeline: Timeline,
    customer: Customer,
    purchase: Purchase,
    latest: StoreTransaction,
    period: Period,
    action: StoreAction,
    now: datetime,
) -> None:
    """The last period is refunded and access ends now."""
    state = refunded(transaction_state(latest, purchase.original_transaction_id), now)
    write_transaction_state(latest, state)
    latest.refund_made_here = True  # never undone by a later post (DESIGN 4.2)
    session.add(latest)
    write_purchase_state(purchase, state)
    purchase.access_expires_at = now
    purchase.expired_event_at = now  # the refund is the end: no EXPIRED event follows
    purchase.updated_at = now
    session.add(purchase)
    event = PurchaseEvent(
        type=CustomerEventType.REFUNDED,
        period=period,
        money=event_money(CustomerEventType.REFUNDED, period_money(latest)),
        cancel_reason=CancelReason.CUSTOMER_SUPPORT,
    )
    await timeline.record(customer, event, Actor(action.actor, action.reason))


async def _apply_cancel(
    session: AsyncSession,
    timeline: Timeline,
    customer: Customer,
    purchase: Purchase,
    latest: StoreTransaction,
    period: Period,
    action: StoreAction,
    now: datetime,
) -> None:
    """Renewal is off; access lasts to the end of the period."""
    state = cancelled(transaction_state(latest, purchase.original_transaction_id))
    write_transaction_state(latest, state)
    session.add(latest)
    write_purchase_state(purchase, state)
    purchase.unsubscribe_detected_at = now
    purchase.updated_at = now
    session.add(purchase)
    event = PurchaseEvent(
        type=CustomerEventType.OPTED_OUT_OF_RENEWAL,
        period=period,
        cancel_reason=CancelReason.DEVELOPER_INITIATED,
    )
    await timeline.record(customer, event, Actor(action.actor, action.reason))


async def _act(
    db: Database,
    stores: StoreAdapters,
    project_id: int,
    purchase_id: int | None,
    kind: str,
    actor: str,
    reason: str | None,
    now: datetime,
) -> Purchase:
    reason = validate_reason(reason)
    reservation = await _reserve(db, stores, project_id, purchase_id, kind, actor, reason, now)
    await _call_store(db, stores, reservation, kind, now)
    try:
        return await _record(db, reservation.action_id, kind, now)
    except Exception:
        # The store acted: keep the durable record so the worker finishes the job.
        await _set_status(db, reservation.action_id, CONFIRMED, "confirmed by the store", now)
        log.exception("store_action_not_recorded", action_id=reservation.action_id, kind=kind)
        raise


async def refund_purchase(
    db: Database,
    stores: StoreAdapters,
    *,
    project_id: int,
    purchase_id: int | None,
    actor: Actor,
    now: datetime,
) -> Purchase:
    return await _act(db, stores, project_id, purchase_id, REFUND, actor.name or "", actor.reason, now)


async def cancel_subscription(
    db: Database,
    stores: StoreAdapters,
    *,
    project_id: int,
    purchase_id: int | None,
    actor: Actor,
    now: datetime,
) -> Purchase:
    return await _act(db, stores, project_id, purchase_id, CANCEL, actor.name or "", actor.reason, now)


async def finish_confirmed_actions(db: Database, now: datetime) -> int:
    """Record the store actions that the store confirmed but that were not recorded."""
    async with db.read() as session:
        rows = (
            await session.exec(
                select(StoreAction.id, StoreAction.kind).where(StoreAction.status == CONFIRMED)
            )
        ).all()
    for action_id, kind in rows:
        await _record(db, action_id or 0, kind, now)
        log.info("store_action_recorded_later", action_id=action_id, kind=kind)
    return len(rows)


STALE_AFTER = timedelta(minutes=10)


async def _claim_stale(db: Database, action: StoreAction, now: datetime) -> bool:
    """Take a stale action for this worker: a conditional update that only one of
    several workers can win (the row's updated_at moves on)."""
    async with db.transaction() as session:
        result = await session.exec(
            update(StoreAction)
            .where(
                col(StoreAction.id) == action.id,
                col(StoreAction.status) == PENDING,
                col(StoreAction.updated_at) == action.updated_at,
            )
            .values(updated_at=now)
        )
        return bool(result.rowcount == 1)


async def resume_stale_actions(db: Database, stores: StoreAdapters, now: datetime) -> int:
    """Actions left PENDING by a process that died around its store call: ask the store
    again with the same idempotency key (Stripe answers with the first result), then
    record or fail them, so a purchase is never stuck "in progress"."""
    async with db.read() as session:
        stale = (
            await session.exec(
                select(StoreAction).where(
                    StoreAction.status == PENDING, col(StoreAction.updated_at) < now - STALE_AFTER
                )
            )
        ).all()
        work = []
        for action in stale:
            purchase = await session.get(Purchase, action.purchase_id)
            if purchase is not None:
                latest = await _latest_transaction(session, purchase)
                work.append(
                    (action, Reservation(action.id or 0, action.idempotency_key, _ref(purchase, latest)))
                )
    for action, reservation in work:
        if not await _claim_stale(db, action, now):
            continue  # another worker took it
        if stores.get(reservation.ref.store) is None:
            await _set_status(db, reservation.action_id, FAILED, "store no longer configured", now)
            continue
        try:
            await _call_store(db, stores, reservation, action.kind, now)
        except DomainError:
            continue  # marked FAILED with the store's answer
        await _record(db, reservation.action_id, action.kind, now)
        log.info("store_action_resumed", action_id=action.id, kind=action.kind)
    return len(work)
