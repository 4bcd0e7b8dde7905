"""`INSERT ... ON CONFLICT DO NOTHING` on either database.

Where two requests may insert the same unique row at once (the first sight of an App
User ID, an in-flight store action), the loser learns it from an empty RETURNING
instead of a unique-constraint violation: PostgreSQL logs every violation at ERROR with
the conflicting key (an App User ID), which has no place in a log.
"""

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import on_postgres


class RaceLost(Exception):
    """A concurrent request inserted the same unique row first: the unit of work is run
    again from the start, and then finds that row (app/services/unit_of_work.py)."""


async def insert_unless_present(session: AsyncSession, row: SQLModel) -> int | None:
    """Insert the row (its defaults applied as the model makes them) unless one with the
    same unique key exists: its new id, or None. The row object is not added to the
    session; its `id` is set when it was inserted."""
    insert = postgresql.insert if on_postgres(session) else sqlite.insert
    table = row.__table__  # type: ignore[attr-defined]
    values: dict[str, Any] = {
        c.name: getattr(row, c.name)
        for c in table.columns
        # A value the model left unset goes to the column's own default.
        if c.name != "id" and not (getattr(row, c.name) is None and c.default is not None)
    }
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
    result = await session.exec(statement)  # type: ignore[call-overload]
    inserted: int | None = result.scalar()
    if inserted is not None:
        row.id = inserted  # type: ignore[attr-defined]
    return inserted
