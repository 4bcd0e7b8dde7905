"""Finding, creating, locking and merging customers inside a unit of work."""

from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.conflicts import RaceLost, insert_unless_present
from app.db.engine import on_postgres
from app.db.models import (
    AppUserId,
    Attribute,
    AuditRecord,
    Customer,
    CustomerEvent,
    Note,
    Purchase,
    StoreTransaction,
    VirtualCurrencyBalance,
    WebhookDelivery,
)
from app.domain.errors import DomainError, ErrorCode
from app.domain.identity import CustomerDates, is_anonymous, merged_details
from app.domain.virtual_currency import MAX_BALANCE


async def find_customer(session: AsyncSession, project_id: int, app_user_id: str) -> Customer | None:
    return (
        await session.exec(
            select(Customer)
            .join(AppUserId, col(AppUserId.customer_id) == col(Customer.id))
            .where(AppUserId.project_id == project_id, AppUserId.app_user_id == app_user_id)
        )
    ).first()


async def require_customer(
    session: AsyncSession, project_id: int, app_user_id: str, field: tuple[str, ...] = ("input", "appUserId")
) -> Customer:
    customer = await find_customer(session, project_id, app_user_id)
    if customer is None:
        raise DomainError(
            ErrorCode.CUSTOMER_NOT_FOUND, f"No customer with App User ID {app_user_id!r}.", field
        )
    return customer


async def create_customer(
    session: AsyncSession, project_id: int, app_user_id: str, now: datetime
) -> Customer:
    customer = Customer(project_id=project_id, first_seen_at=now, last_seen_at=now)
    session.add(customer)
    await session.flush()
    assert customer.id is not None
    claimed = await insert_unless_present(
        session,
        AppUserId(
            project_id=project_id,
            customer_id=customer.id,
            app_user_id=app_user_id,
            is_anonymous=is_anonymous(app_user_id),
            is_original=True,
            created_at=now,
        ),
    )
    if claimed is None:
        # A concurrent request created this id first (unique per project): the unit of
        # work is retried, drops the customer row made here and finds the other's.
        raise RaceLost
    return customer


async def get_or_create_customer(
    session: AsyncSession, project_id: int, app_user_id: str, now: datetime
) -> tuple[Customer, bool]:
    customer = await find_customer(session, project_id, app_user_id)
    if customer is not None:
        return customer, False
    return await create_customer(session, project_id, app_user_id, now), True


async def lock_customer(session: AsyncSession, customer_id: int) -> None:
    """Serialize writers of one customer (count-then-insert rules, balances, transfers).

    PostgreSQL: a row lock held to the end of the transaction. SQLite: write units of
    work already begin with BEGIN IMMEDIATE, so writers are serialized anyway.
    """
    if on_postgres(session):
        await session.exec(select(Customer.id).where(Customer.id == customer_id).with_for_update())


async def lock_customers(session: AsyncSession, customer_ids: list[int]) -> None:
    """Lock several customers in id order, so two opposite transfers cannot deadlock."""
    for customer_id in sorted(set(customer_ids)):
        await lock_customer(session, customer_id)


async def add_alias(
    session: AsyncSession, project_id: int, customer_id: int, app_user_id: str, now: datetime
) -> AppUserId:
    alias = AppUserId(
        project_id=project_id,
        customer_id=customer_id,
        app_user_id=app_user_id,
        is_anonymous=is_anonymous(app_user_id),
        is_original=False,
        created_at=now,
    )
    if await insert_unless_present(session, alias) is None:
        raise RaceLost  # another request took this App User ID since it was looked up
    return alias


async def merge_customers(session: AsyncSession, source: Customer, target: Customer) -> None:
    """Fold `source` into `target`: its IDs become aliases; everything of its moves.

    Every table that refers to a customer is handled here, so deleting the emptied
    source row cascades nothing away: history, purchases, notes, deliveries and audit
    records move; virtual currency balances add up per code; the target keeps its own
    value where both have an attribute; transfer events that name the source now name
    the target (so deleting the target later scrubs them too).
    """
    assert source.id is not None and target.id is not None
    await lock_customers(session, [source.id, target.id])
    for model in (Purchase, StoreTransaction, CustomerEvent, Note, WebhookDelivery, AuditRecord):
        await session.exec(
            update(model).where(col(model.customer_id) == source.id).values(customer_id=target.id)
        )
    await session.exec(
        update(CustomerEvent)
        .where(col(CustomerEvent.related_customer_id) == source.id)
        .values(related_customer_id=target.id)
    )
    await session.exec(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.after_customer_id) == source.id)
        .values(after_customer_id=target.id)
    )
    await session.exec(
        update(AppUserId)
        .where(col(AppUserId.customer_id) == source.id)
        .values(customer_id=target.id, is_original=False)
    )
    target_keys = select(Attribute.key).where(Attribute.customer_id == target.id)
    await session.exec(
        delete(Attribute).where(col(Attribute.customer_id) == source.id, col(Attribute.key).in_(target_keys))
    )
    await session.exec(
        update(Attribute).where(col(Attribute.customer_id) == source.id).values(customer_id=target.id)
    )
    await _merge_balances(session, source.id, target.id)
    _merge_details(source, target)
    session.add(target)
    await session.flush()
    await session.delete(source)
    await session.flush()


async def _merge_balances(session: AsyncSession, source_id: int, target_id: int) -> None:
    balances = (
        await session.exec(
            select(VirtualCurrencyBalance).where(
                col(VirtualCurrencyBalance.customer_id).in_([source_id, target_id])
            )
        )
    ).all()
    kept = {b.code: b for b in balances if b.customer_id == target_id}
    for balance in (b for b in balances if b.customer_id == source_id):
        if balance.code in kept:
            # A balance is a GraphQL Int: past the cap it could never be read again.
            kept[balance.code].balance = min(kept[balance.code].balance + balance.balance, MAX_BALANCE)
            session.add(kept[balance.code])
            await session.delete(balance)
        else:
            balance.customer_id = target_id
            session.add(balance)


def _merge_details(source: Customer, target: Customer) -> None:
    merged = merged_details(_dates(target), _dates(source))
    target.first_seen_at = merged.first_seen_at
    target.last_seen_at = merged.last_seen_at
    target.last_opened_at = merged.last_opened_at
    target.country = merged.country
    target.offering_override_id = merged.offering_override_id


def _dates(customer: Customer) -> CustomerDates:
    return CustomerDates(
        first_seen_at=customer.first_seen_at,
        last_seen_at=customer.last_seen_at,
        last_opened_at=customer.last_opened_at,
        country=customer.country,
        offering_override_id=customer.offering_override_id,
    )
