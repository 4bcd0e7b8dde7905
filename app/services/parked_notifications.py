"""Store notifications that arrived before anyone owned their purchase (PARKED) go back
to the worker once the purchase is known (DESIGN 4.10)."""

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.models import StoreNotification
from app.domain.enums import NotificationStatus, Store


async def release_parked(
    session: AsyncSession, project_id: int, store: Store, original_transaction_id: str, now: datetime
) -> int:
    """Notifications that waited for this purchase's owner: the worker applies them now
    (whoever reported the purchase: the app, or an ADMIN's import)."""
    result = await session.exec(
        update(StoreNotification)
        .where(
            col(StoreNotification.project_id) == project_id,
            col(StoreNotification.store) == store,
            col(StoreNotification.purchase_key) == original_transaction_id,
            col(StoreNotification.status) == NotificationStatus.PARKED,
        )
        .values(status=NotificationStatus.PENDING, next_attempt_at=now)
    )
    return int(result.rowcount or 0)
