"""API keys: random secrets shown once, stored only as a hash."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import col

from app.db.engine import Database
from app.db.models import ApiKey
from app.db.prepared_reads import built_once
from app.db.reads import RequestReads
from app.db.types import utcnow
from app.domain.enums import ApiKeyRole
from app.logging import log

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
        role=role,
        prefix=secret[:PREFIX_LENGTH],
        key_hash=hash_secret(secret),
    )


# Built once: every request runs it (building a statement costs about what running it does).
_KEY_LOOKUP = built_once(
    select(
        *(col(c) for c in (ApiKey.id, ApiKey.project_id, ApiKey.role, ApiKey.name, ApiKey.last_used_at))
    ).where(col(ApiKey.key_hash) == bindparam("key_hash"), col(ApiKey.revoked_at).is_(None))
)


async def authenticate(db: Database, secret: str, reads: RequestReads | None = None) -> Principal | None:
    """The principal of a presented key, or None for an unknown or revoked key.

    `reads`: the request's read connection (app/db/reads.py), which the request's
    other reads then use too: one pool checkout per request, not two."""
    parameters = {"key_hash": hash_secret(secret)}
    if reads is not None:
        rows = await reads.fetch(_KEY_LOOKUP, parameters)
        row = rows[0] if rows else None
    else:
        async with db.autocommit.connect() as connection:
            row = (await connection.execute(_KEY_LOOKUP, parameters)).first()
    if row is None:
        return None
    now = utcnow()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
        if reads is not None:
            # Never hold a read connection while waiting for a write one (app/db/reads.py).
            await reads.release()
        await _touch(db, row.id, now)
    return Principal(row.project_id, row.role, row.name, row.id)


async def _touch(db: Database, api_key_id: int, now: datetime) -> None:
    """Record the key's last use in a write of its own; a busy database only delays it
    (the next request past the resolution tries again), never fails the request."""
    try:
        async with db.transaction() as session:
            await session.exec(update(ApiKey).where(col(ApiKey.id) == api_key_id).values(last_used_at=now))
    except DBAPIError:
        log.info("api_key_last_used_not_recorded", api_key_id=api_key_id)
