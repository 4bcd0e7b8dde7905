"""identifyCustomer (the SDK's logIn) and recordAppOpen."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import Database, on_postgres
from app.db.models import AppUserId, Customer
from app.domain.errors import DomainError, ErrorCode
from app.domain.events import AliasCreated
from app.domain.geo import country_for_ip
from app.domain.identity import (
    IdentifyOutcome,
    identify_lock_keys,
    identify_outcome,
    ids_seen_by_login,
    is_anonymous,
    validate_app_user_id,
)
from app.services.customers import (
    add_alias,
    create_customer,
    find_customer,
    get_or_create_customer,
    merge_customers,
)
from app.services.timeline import Timeline
from app.services.unit_of_work import in_transaction


@dataclass(frozen=True, slots=True)
class IdentifyResult:
    customer: Customer
    created: bool


async def _has_anonymous_alias(session: AsyncSession, customer_id: int | None) -> bool:
    return (
        await session.exec(
            select(AppUserId.id).where(AppUserId.customer_id == customer_id, AppUserId.is_anonymous)
        )
    ).first() is not None


async def _serialize_identify(session: AsyncSession, project_id: int, app_user_ids: tuple[str, ...]) -> None:
    """Make concurrent logIns that touch the same App User ID run one after the other.

    Without it, 10 identical merges at once on PostgreSQL each read "anonymous customer,
    known customer, no alias yet", each decided to merge and each wrote a CREATED_ALIAS
    and its webhook. The locks are taken before anything is read and held to the end of
    the transaction; under READ COMMITTED the next logIn's reads then see what the first
    committed (ALREADY_SAME). One lock per ID, not per pair, so two different logIns
    from one anonymous ID are serialized too; `identify_lock_keys` gives them in one
    order, so no two logIns wait for each other in a circle. SQLite needs none: its
    write units of work begin with BEGIN IMMEDIATE and so run one at a time already.
    """
    if not on_postgres(session):
        return
    for key in identify_lock_keys(project_id, app_user_ids):
        await session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=key))  # type: ignore[call-overload]


async def _mark_seen(session: AsyncSession, project_id: int, app_user_id: str, now: datetime) -> None:
    """The app called with this ID now: the ID's and its customer's last seen time."""
    alias = (
        await session.exec(
            select(AppUserId).where(AppUserId.project_id == project_id, AppUserId.app_user_id == app_user_id)
        )
    ).one()
    alias.last_seen_at = now
    session.add(alias)
    customer = await session.get(Customer, alias.customer_id)
    assert customer is not None
    customer.last_seen_at = max(customer.last_seen_at, now)
    session.add(customer)
    await session.flush()


async def identify_customer(
    db: Database, project_id: int, app_user_id: str, new_app_user_id: str, now: datetime
) -> IdentifyResult:
    validate_app_user_id(app_user_id, ("input", "appUserId"))
    validate_app_user_id(new_app_user_id, ("input", "newAppUserId"))
    moment = now

    async def work(session: AsyncSession) -> IdentifyResult:
        await _serialize_identify(session, project_id, (app_user_id, new_app_user_id))
        result = await _connect(session, project_id, app_user_id, new_app_user_id, moment)
        # Seen before the event is recorded: the SUBSCRIBER_ALIAS body of this very logIn
        # already names the identified ID.
        for seen in ids_seen_by_login(app_user_id, new_app_user_id):
            await _mark_seen(session, project_id, seen, moment)
        if result.created:
            await Timeline(session, project_id, moment).record(result.customer, AliasCreated())
        return result

    return await in_transaction(db, work)


async def _connect(
    session: AsyncSession, project_id: int, app_user_id: str, new_app_user_id: str, moment: datetime
) -> IdentifyResult:
    """Alias, merge or switch (`identify_outcome`); `created` when a new alias joined."""
    current = await find_customer(session, project_id, app_user_id)
    new = await find_customer(session, project_id, new_app_user_id)
    outcome = identify_outcome(
        current_is_anonymous=is_anonymous(app_user_id),
        current_customer_exists=current is not None,
        new_customer_exists=new is not None,
        new_customer_has_anonymous_alias=new is not None and await _has_anonymous_alias(session, new.id),
        same_customer=current is not None and new is not None and current.id == new.id,
    )
    if outcome is IdentifyOutcome.ALIAS_NEW:
        assert current is not None and current.id is not None
        await add_alias(session, project_id, current.id, new_app_user_id, moment)
        return IdentifyResult(current, True)
    if outcome is IdentifyOutcome.MERGE_INTO_NEW:
        assert current is not None and new is not None
        await merge_customers(session, current, new)
        return IdentifyResult(new, True)
    if outcome is IdentifyOutcome.ALREADY_SAME:
        assert new is not None
        return IdentifyResult(new, False)
    if new is None:
        new = await create_customer(session, project_id, new_app_user_id, moment)
    return IdentifyResult(new, False)


async def record_app_open(
    db: Database, project_id: int, app_user_id: str, ip_address: str | None, now: datetime
) -> Customer:
    """The app was opened: last opened, last seen and the country of the address.

    The address is used once, here, to find the country and is then dropped: it is
    never written to a table or a log line.
    """
    validate_app_user_id(app_user_id)
    if ip_address is not None and len(ip_address) > 64:
        raise DomainError(ErrorCode.INVALID_INPUT, "Not an IP address.", ("input", "ipAddress"))
    country = country_for_ip(ip_address) if ip_address else None
    moment = now

    async def work(session: AsyncSession) -> Customer:
        customer, _ = await get_or_create_customer(session, project_id, app_user_id, moment)
        customer.last_opened_at = moment
        customer.last_seen_at = moment
        if country is not None:
            customer.country = country
        session.add(customer)
        alias = (
            await session.exec(
                select(AppUserId).where(
                    AppUserId.project_id == project_id, AppUserId.app_user_id == app_user_id
                )
            )
        ).one()
        alias.last_seen_at = moment
        session.add(alias)
        return customer

    return await in_transaction(db, work)
