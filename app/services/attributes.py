"""setAttributes: several attributes at once, all or nothing."""

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import Database
from app.db.models import Attribute, Customer
from app.domain.attributes import validate_attribute_changes
from app.domain.enums import ApiKeyRole
from app.domain.identity import set_attributes_creates_customer, validate_app_user_id
from app.services.audit import audit
from app.services.customers import get_or_create_customer, lock_customer, require_customer
from app.services.unit_of_work import in_transaction


async def set_attributes(
    db: Database,
    project_id: int,
    app_user_id: str,
    pairs: Sequence[tuple[str, str | None]],
    actor: str,
    now: datetime,
    caller_role: ApiKeyRole | None = None,
) -> Customer:
    """`caller_role` is the role of the key that asks; an app's (SDK) call creates the
    customer of an unknown ID (`set_attributes_creates_customer`)."""
    validate_app_user_id(app_user_id)
    creates = caller_role is not None and set_attributes_creates_customer(caller_role)

    async def work(session: AsyncSession) -> Customer:
        if creates:
            # A refused attribute below rolls the new customer back with everything
            # else (one unit of work). Two first calls at once: the loser's insert fails
            # on the unique App User ID and the unit of work is retried, finding the
            # winner's customer.
            customer, _ = await get_or_create_customer(session, project_id, app_user_id, now)
        else:
            customer = await require_customer(session, project_id, app_user_id)
        assert customer.id is not None
        await lock_customer(session, customer.id)  # the 50-key limit holds under concurrency
        existing = {
            row.key: row
            for row in (
                await session.exec(select(Attribute).where(Attribute.customer_id == customer.id))
            ).all()
        }
        changes = validate_attribute_changes(pairs, {key for key in existing if not key.startswith("$")})
        deleted = [change.key for change in changes if change.value is None and change.key in existing]
        if deleted:
            await session.exec(
                delete(Attribute).where(
                    col(Attribute.customer_id) == customer.id, col(Attribute.key).in_(deleted)
                )
            )
        for change in changes:
            if change.value is None:
                continue
            row = existing.get(change.key)
            if row is None:
                row = Attribute(
                    project_id=project_id,
                    customer_id=customer.id,
                    key=change.key,
                    value=change.value,
                    updated_at=now,
                )
            elif row.value == change.value:
                continue  # unchanged: updatedAt keeps the time the value was set
            row.value = change.value
            row.updated_at = now
            session.add(row)
        audit(session, project_id, now, actor, "setAttributes", customer.id, keys=[c.key for c in changes])
        return customer

    return await in_transaction(db, work)
