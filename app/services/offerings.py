"""Per-customer offering override (DESIGN 4.8)."""

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import Database
from app.db.models import Customer
from app.services.audit import audit, validate_reason
from app.services.catalog import require_offering
from app.services.customers import require_customer
from app.services.unit_of_work import in_transaction


async def override_offering(
    db: Database,
    project_id: int,
    app_user_id: str,
    offering_identifier: str | None,
    actor: str,
    reason: str | None,
    now: datetime,
) -> Customer:
    """Set the customer's current offering; None clears the override."""
    reason = validate_reason(reason)

    async def work(session: AsyncSession) -> Customer:
        customer = await require_customer(session, project_id, app_user_id)
        offering_id = None
        if offering_identifier is not None:
            offering_id = (await require_offering(session, project_id, offering_identifier)).id
        customer.offering_override_id = offering_id
        session.add(customer)
        audit(
            session,
            project_id,
            now,
            actor,
            "overrideOffering",
            customer.id,
            reason,
            offering=offering_identifier,
        )
        return customer

    return await in_transaction(db, work)
