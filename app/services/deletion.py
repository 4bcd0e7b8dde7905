"""deleteCustomer: remove a customer and everything of theirs (DESIGN 4.8), enough for
a GDPR erasure request."""

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import Database
from app.db.models import AppUserId
from app.domain.identity import validate_app_user_id
from app.services.audit import audit
from app.services.customers import lock_customer, require_customer
from app.services.unit_of_work import in_transaction


async def delete_customer(
    db: Database, project_id: int, app_user_id: str, actor: str, now: datetime
) -> list[str]:
    """Delete by any App User ID; returns every App User ID that was removed.

    Every row of the customer hangs off the customer row with ON DELETE CASCADE (IDs,
    purchases and their transactions, events, notes, attributes, balances, audit
    records), so one DELETE removes them all, sandbox and production alike. The only
    trace left is an audit record with the time, the key's name and a count. The reason
    given is not kept: it may name the person.
    """
    validate_app_user_id(app_user_id)

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
        await session.delete(customer)
        await session.flush()
        audit(session, project_id, now, actor, "deleteCustomer", None, app_user_ids_removed=len(ids))
        return ids

    return await in_transaction(db, work)
