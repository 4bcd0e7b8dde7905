"""Per-customer offering override (DESIGN 4.8)."""

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import Database
from app.db.models import Customer, Offering
from app.domain.errors import DomainError, ErrorCode
from app.services.audit import audit, validate_reason
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
            offering = (
                await session.exec(
                    select(Offering).where(
                        Offering.project_id == project_id, Offering.identifier == offering_identifier
                    )
                )
            ).first()
            if offering is None:
                raise DomainError(
                    ErrorCode.OFFERING_NOT_FOUND,
                    f"No offering {offering_identifier!r}.",
                    ("input", "offeringIdentifier"),
                )
            offering_id = offering.id
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
