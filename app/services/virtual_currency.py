"""adjustVirtualCurrency: grants and spends; a balance never goes below zero."""

import uuid
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import Database
from app.db.models import Customer, VirtualCurrencyBalance
from app.domain.events import Actor, VirtualCurrencyAdjusted
from app.domain.virtual_currency import apply_adjustment, validate_currency_code
from app.services.audit import audit, checked_actor
from app.services.customers import lock_customer, require_customer
from app.services.timeline import Timeline
from app.services.unit_of_work import in_transaction


async def adjust_virtual_currency(
    db: Database,
    *,
    project_id: int,
    app_user_id: str,
    code: str,
    amount: int,
    actor: Actor,
    now: datetime,
) -> Customer:
    code = validate_currency_code(code)
    actor = checked_actor(actor)

    async def work(session: AsyncSession) -> Customer:
        customer = await require_customer(session, project_id, app_user_id)
        assert customer.id is not None
        # Two spends at once must not both see the old balance.
        await lock_customer(session, customer.id)
        row = (
            await session.exec(
                select(VirtualCurrencyBalance).where(
                    VirtualCurrencyBalance.customer_id == customer.id, VirtualCurrencyBalance.code == code
                )
            )
        ).first() or VirtualCurrencyBalance(
            project_id=project_id, customer_id=customer.id, code=code, balance=0
        )
        row.balance = apply_adjustment(row.balance, amount)
        row.updated_at = now
        session.add(row)
        event = VirtualCurrencyAdjusted(code=code, amount=amount, transaction_id="vctx_" + uuid.uuid4().hex)
        await Timeline(session, project_id, now).record(customer, event, actor)
        audit(
            session,
            project_id,
            now,
            actor.name or "",
            "adjustVirtualCurrency",
            customer.id,
            actor.reason,
            code=code,
            amount=amount,
        )
        return customer

    return await in_transaction(db, work)
