"""SQLite: primary keys given before the INSERT, so the ORM can batch its inserts.

SQLAlchemy inserts many new rows of a table in one statement (insertmanyvalues) when
it can match the generated keys to its objects. SQLite cannot return them in parameter
order, so SQLAlchemy falls back to one INSERT per row: a receipt of 1,000 transactions
took 2,000 INSERTs, each a round trip to aiosqlite's thread (about 4,000 thread hops,
which also starved other requests' reads of the GIL: a probe query's p99 was 500 ms
while such receipts were posted).

A write unit of work on SQLite holds the database's only write lock (BEGIN IMMEDIATE,
app/db/engine.py), so before each flush the next keys can be taken as SQLite itself
would take them: one past the table's largest (an INTEGER PRIMARY KEY without
AUTOINCREMENT is exactly that), in the order the objects were added. The largest key
is read at each flush, so rows a Core INSERT wrote in between are accounted for.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Integer, event, func, inspect, select
from sqlalchemy.orm import Session
from sqlmodel import Session as SQLModelSession


def assign_keys(session: Session, _flush_context: Any, _instances: Any) -> None:
    pending: dict[Any, list[Any]] = defaultdict(list)
    for obj in session.new:
        state = inspect(obj)
        keys = state.mapper.primary_key
        if (
            len(keys) == 1
            and isinstance(keys[0].type, Integer)
            and state.identity is None
            and getattr(obj, state.mapper.get_property_by_column(keys[0]).key) is None
        ):
            pending[keys[0]].append(state)
    if not pending:
        return
    connection = session.connection()
    for column, states in pending.items():
        largest = connection.execute(select(func.max(column))).scalar() or 0
        attribute = states[0].mapper.get_property_by_column(column).key
        for offset, state in enumerate(sorted(states, key=lambda s: s.insert_order), start=1):
            setattr(state.obj(), attribute, largest + offset)


class SqliteWriteSession(SQLModelSession):
    """The sync session behind SQLite's write units of work."""


# Listening on the class scopes the hook to SQLite's write sessions only.
event.listen(SqliteWriteSession, "before_flush", assign_keys)
