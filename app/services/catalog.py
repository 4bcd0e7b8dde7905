"""Finding a project's entitlements and offerings by identifier, or refusing clearly."""

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.models import Entitlement, Offering
from app.domain.errors import DomainError, ErrorCode


async def require_entitlement(
    session: AsyncSession,
    project_id: int,
    identifier: str,
    field: tuple[str, ...] = ("input", "entitlementIdentifier"),
) -> Entitlement:
    row = (
        await session.exec(
            select(Entitlement).where(
                Entitlement.project_id == project_id, Entitlement.identifier == identifier
            )
        )
    ).first()
    if row is None:
        raise DomainError(ErrorCode.ENTITLEMENT_NOT_FOUND, f"No entitlement {identifier!r}.", field)
    return row


async def require_offering(
    session: AsyncSession,
    project_id: int,
    identifier: str,
    field: tuple[str, ...] = ("input", "offeringIdentifier"),
) -> Offering:
    row = (
        await session.exec(
            select(Offering).where(Offering.project_id == project_id, Offering.identifier == identifier)
        )
    ).first()
    if row is None:
        raise DomainError(ErrorCode.OFFERING_NOT_FOUND, f"No offering {identifier!r}.", field)
    return row
