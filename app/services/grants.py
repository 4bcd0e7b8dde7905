"""Granted (promotional) entitlements: grant and revoke (DESIGN 4.5).

A grant is a PROMOTIONAL purchase, always production, price 0, that gives one
entitlement until it expires. It never touches store purchases.
"""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import Database
from app.db.mapping import period_of
from app.db.models import Customer, Purchase, StoreTransaction
from app.domain.enums import (
    CancelReason,
    CustomerEventType,
    Environment,
    PeriodType,
    ProductType,
    Store,
)
from app.domain.enums import GrantDuration as Duration
from app.domain.errors import DomainError, ErrorCode
from app.domain.events import FREE, Actor, PurchaseEvent, describe
from app.domain.grants import grant_window, payload_expiration, promo_product_id
from app.services.audit import audit, checked_actor
from app.services.catalog import require_entitlement
from app.services.customers import lock_customer, require_customer
from app.services.timeline import Timeline
from app.services.unit_of_work import in_transaction


def _grant_event(grant: Purchase, event_type: CustomerEventType, **facts: Any) -> PurchaseEvent:
    """An event about a grant: price 0, and a lifetime grant shown 200 years ahead."""
    period = period_of(
        grant,
        None,
        [grant.granted_entitlement or ""],
        expires_at=payload_expiration(grant.purchased_at, grant.expires_at),
    )
    return PurchaseEvent(type=event_type, period=period, money=FREE, **facts)


async def grant_entitlement(
    db: Database,
    *,
    project_id: int,
    app_user_id: str,
    entitlement_identifier: str,
    duration: Duration | None,
    ends_at: datetime | None,
    actor: Actor,
    now: datetime,
) -> Customer:
    window = grant_window(now, duration, ends_at)
    actor = checked_actor(actor)

    async def work(session: AsyncSession) -> Customer:
        customer = await require_customer(session, project_id, app_user_id)
        entitlement = await require_entitlement(session, project_id, entitlement_identifier)
        assert customer.id is not None
        transaction_id = uuid.uuid4().hex
        grant = Purchase(
            project_id=project_id,
            customer_id=customer.id,
            store=Store.PROMOTIONAL,
            environment=Environment.PRODUCTION,
            product_id=promo_product_id(entitlement.identifier, window.product_id_suffix),
            original_transaction_id=transaction_id,
            type=ProductType.NON_RENEWING,
            is_granted=True,
            granted_entitlement=entitlement.identifier,
            original_purchased_at=now,
            purchased_at=now,
            expires_at=window.expires_at,
            access_expires_at=window.expires_at,
            period_type=PeriodType.PROMOTIONAL,
            will_renew=False,
        )
        session.add(grant)
        await session.flush()
        assert grant.id is not None
        session.add(
            StoreTransaction(
                project_id=project_id,
                purchase_id=grant.id,
                customer_id=customer.id,
                transaction_id=transaction_id,
                product_id=grant.product_id,
                environment=grant.environment,
                purchased_at=now,
                expires_at=window.expires_at,
                period_type=PeriodType.PROMOTIONAL,
                price=Decimal(0),
                currency="USD",
                price_usd=Decimal(0),
                will_renew=False,
            )
        )
        event = _grant_event(
            grant,
            CustomerEventType.GRANTED_ENTITLEMENT,
            description=describe(CustomerEventType.GRANTED_ENTITLEMENT, entitlement=entitlement.identifier),
        )
        await Timeline(session, project_id, now).record(customer, event, actor)
        audit(
            session,
            project_id,
            now,
            actor.name or "",
            "grantEntitlement",
            customer.id,
            actor.reason,
            grant_id=grant.id,
        )
        return customer

    return await in_transaction(db, work)


async def revoke_granted_entitlement(
    db: Database,
    *,
    project_id: int,
    app_user_id: str,
    entitlement_identifier: str,
    actor: Actor,
    now: datetime,
) -> Customer:
    actor = checked_actor(actor)

    async def work(session: AsyncSession) -> Customer:
        customer = await require_customer(session, project_id, app_user_id)
        assert customer.id is not None
        await lock_customer(session, customer.id)
        grants = (
            await session.exec(
                select(Purchase).where(
                    Purchase.customer_id == customer.id,
                    col(Purchase.is_granted),
                    Purchase.granted_entitlement == entitlement_identifier,
                    (col(Purchase.access_expires_at).is_(None)) | (col(Purchase.access_expires_at) > now),
                )
            )
        ).all()
        if not grants:
            raise DomainError(
                ErrorCode.NO_GRANTED_ENTITLEMENT,
                f"The customer has no active grant of {entitlement_identifier!r}.",
                ("input", "entitlementIdentifier"),
            )
        timeline = Timeline(session, project_id, now)
        for grant in grants:
            grant.expires_at = now
            grant.access_expires_at = now
            grant.cancel_reason = CancelReason.DEVELOPER_INITIATED
            # The removal is the end of this grant: the scheduler writes no EXPIRED for it.
            grant.expired_event_at = now
            grant.updated_at = now
            session.add(grant)
            event = _grant_event(
                grant,
                CustomerEventType.REMOVED_GRANTED_ENTITLEMENT,
                cancel_reason=CancelReason.DEVELOPER_INITIATED,
                occurred_at=now,
            )
            await timeline.record(customer, event, actor)
        audit(
            session, project_id, now, actor.name or "", "revokeGrantedEntitlement", customer.id, actor.reason,
            entitlement=entitlement_identifier, grants=len(grants),
        )  # fmt: skip
        return customer

    return await in_transaction(db, work)
