"""Run a use case as one transaction, retrying when a concurrent writer won a race.

A race shows up as an insert that found its unique row already there (`RaceLost`, from
`INSERT ... ON CONFLICT DO NOTHING`: two requests created the same customer), a
unique-constraint violation (the same purchase or transaction) or, on PostgreSQL, a
deadlock or serialization failure. The whole unit of work is then run again from the start: it re-reads the
state the other request committed, so the rule it enforces (one RENEWED event, one
customer per App User ID) holds without any special case.
"""

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.conflicts import RaceLost
from app.db.engine import Database

T = TypeVar("T")
ATTEMPTS = 5
_RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected


def _is_race(exc: DBAPIError) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return sqlstate in _RETRYABLE_SQLSTATES or "deadlock" in str(exc.orig).lower()


async def in_transaction(db: Database, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with db.transaction() as session:
                return await work(session)
        except RaceLost:
            if attempt == ATTEMPTS:
                raise
            await asyncio.sleep(random.uniform(0.005, 0.05) * attempt)
        except DBAPIError as exc:
            if attempt == ATTEMPTS or not _is_race(exc):
                raise
            await asyncio.sleep(random.uniform(0.005, 0.05) * attempt)
    raise AssertionError("unreachable")
