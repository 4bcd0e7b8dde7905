"""The audit trail: who did what and why."""

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.models import AuditRecord
from app.domain.catalog import validate_text
from app.domain.events import Actor

MAX_REASON_LENGTH = 1000


def validate_reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    return validate_text(reason, ("input", "reason"), MAX_REASON_LENGTH).strip() or None


def checked_actor(actor: Actor) -> Actor:
    """The actor of a support action, its reason checked (length, storable text)."""
    return Actor(actor.name, validate_reason(actor.reason))


def audit(
    session: AsyncSession,
    project_id: int,
    now: datetime,
    actor: str,
    action: str,
    customer_id: int | None,
    reason: str | None = None,
    **details: Any,
) -> None:
    session.add(
        AuditRecord(
            project_id=project_id,
            customer_id=customer_id,
            at=now,
            actor=actor,
            action=action,
            reason=reason,
            details=details,
        )
    )
