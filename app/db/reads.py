"""One connection for all the reads of a request, in autocommit.

A GraphQL request reads through many DataLoader batches. Each batch used to check out
a pooled connection of its own and wrap its one SELECT in BEGIN ... ROLLBACK: three
round trips and a checkout per statement, and under load more checkouts than the pool
holds, so PostgreSQL sessions were opened and closed per request (issue 14). Here the
request's batches take turns on one connection (a lock: one connection never runs two
statements at once), opened on the first read and released when the operation ends.

Autocommit, not one read-only transaction: every statement sees what is committed when
it runs, so the reads after a mutation of the same request see what it wrote (the
mutation commits on a connection of its own). A mutation also releases the connection
before it starts (`release`), so a request never holds a read connection while it
waits for a write one: the pool cannot be starved by requests waiting on themselves.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.db.prepared_reads import Declined, PreparedReads


class ServerClosedConnection(ConnectionError):
    """The server closed the request's connection under a direct read."""


class RequestReads:
    def __init__(self, autocommit: AsyncEngine, prepared: PreparedReads | None = None) -> None:
        """`autocommit`: an engine with isolation_level AUTOCOMMIT (Database.autocommit);
        `prepared`: its reads of statements built once (Database.prepared_reads)."""
        self._engine = autocommit
        self._prepared = prepared
        self._connection: AsyncConnection | None = None
        self._driver: Any = None
        self._turn = asyncio.Lock()
        self._ended = False

    async def fetch(self, statement: Any, parameters: dict[str, Any] | None = None) -> list[Any]:
        """The rows of a SELECT, as SQLAlchemy Core rows; `parameters` fill the
        statement's bindparams (statements built once per process take them)."""
        async with self._turn:
            if self._ended:
                # A batch still in flight when its operation ended (one that failed
                # half-way): a connection of its own, returned at once, never one the
                # request would keep.
                async with self._engine.connect() as connection:
                    return list((await connection.execute(statement, parameters)).all())
            if self._connection is None:
                self._connection = await self._engine.connect()
                self._driver = None
            connection = self._connection
            prepared = self._prepared
            read = prepared.compiled(statement) if prepared is not None else None
            if prepared is not None and read is not None and connection.sync_connection is not None:
                if self._driver is None:
                    self._driver = (await connection.get_raw_connection()).driver_connection
                try:
                    return await prepared.fetch(connection.sync_connection, self._driver, read, parameters)
                except Declined:
                    pass  # these values are SQLAlchemy's to run (an empty IN list)
                except Exception as error:
                    if not self._driver.is_closed():
                        raise
                    # The server closed it (a restart, a terminated backend): SQLAlchemy
                    # would invalidate it on its own path, so must this one, or the pool
                    # hands the dead connection to a later request. asyncpg words it as
                    # it finds it (a reset, or "connection is closed"): either way the
                    # database is away for this request (503), as SQLAlchemy reports it.
                    self._driver = None
                    await connection.invalidate()
                    raise ServerClosedConnection("the database closed the connection") from error
            return list((await connection.execute(statement, parameters)).all())

    async def release(self) -> None:
        """Back to the pool; the next read checks one out again."""
        async with self._turn:
            connection, self._connection = self._connection, None
            self._driver = None
            if connection is not None:
                await connection.close()

    async def end(self) -> None:
        """The operation is over: back to the pool, for good."""
        self._ended = True
        await self.release()
