"""API keys: random secrets shown once, stored only as a hash."""

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.models import ApiKey
from app.db.types import utcnow
from app.domain.enums import ApiKeyRole

KEY_PREFIX = "cpk_"
PREFIX_LENGTH = 12
# last_used_at is refreshed at most this often: a write per request would cost more
# than the information is worth.
LAST_USED_RESOLUTION_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting: the key's project, role and name."""

    project_id: int
    role: ApiKeyRole
    key_name: str
    api_key_id: int | None


def generate_secret() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_api_key(project_id: int, name: str, role: ApiKeyRole, secret: str) -> ApiKey:
    return ApiKey(
        project_id=project_id,
        name=name,
        role=role.value,
        prefix=secret[:PREFIX_LENGTH],
        key_hash=hash_secret(secret),
    )


async def authenticate(session: AsyncSession, secret: str) -> Principal | None:
    """The principal of a presented key, or None for an unknown or revoked key."""
    row = (
        await session.exec(
            select(ApiKey).where(ApiKey.key_hash == hash_secret(secret), ApiKey.revoked_at.is_(None))  # type: ignore[union-attr]
        )
    ).first()
    if row is None or row.id is None:
        return None
    now = utcnow()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
        await session.exec(update(ApiKey).where(col(ApiKey.id) == row.id).values(last_used_at=now))  # type: ignore[call-overload]
        await session.commit()
    return Principal(row.project_id, ApiKeyRole(row.role), row.name, row.id)
