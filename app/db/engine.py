"""One async engine per process, short sessions per unit of work.

SQLite notes: aiosqlite's own implicit BEGIN is switched off so SQLAlchemy's BEGIN is
the one that runs; write units of work begin with BEGIN IMMEDIATE, which makes SQLite
writers queue (busy timeout) instead of failing with "database is locked" half-way,
and makes read-count-then-insert rules (10 notes) hold under concurrency.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.prepared_reads import PreparedReads
from app.db.sqlite_ids import SqliteWriteSession

_WRITE_OPTION = "cp_write"


def create_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    # SQL errors carry their parameters (key hashes, App User IDs) into messages and
    # logged tracebacks unless hidden (DESIGN 4.11).
    kwargs.setdefault("hide_parameters", True)
    # JSON columns read back through orjson: the timeline's JSON columns, decoded by the
    # standard library, were a tenth of a profile's CPU (issue 14). Written as before.
    kwargs.setdefault("json_deserializer", orjson.loads)
    if database_url.startswith("sqlite"):
        engine = create_async_engine(database_url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    # A request holds one read connection while it runs (app/db/reads.py) and briefly
    # one for its key: the pool keeps enough open that a busy server opens no new
    # PostgreSQL session per request (overflow connections are closed when returned).
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 10)
    # Recycle instead of pinging on every checkout: a ping doubles the cost of the
    # short sessions that DataLoader batches open.
    kwargs.setdefault("pool_recycle", 1800)
    # asyncpg keeps a prepared statement per text it runs (app/db/prepared_reads.py), but
    # by default none longer than 15 KiB: a profile's parts statement is longer, and
    # would be planned again on every request.
    connect_args = kwargs.setdefault("connect_args", {})
    connect_args.setdefault("max_cacheable_statement_size", 256 * 1024)
    return create_async_engine(database_url, **kwargs)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted rows are overwritten, not left in free pages (erasure, DESIGN 4.8/4.11).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            # A request's reads (app/db/reads.py): each statement on its own, no snapshot.
            return
        if options.get(_WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def on_postgres(session: AsyncSession) -> bool:
    """Row locks (FOR UPDATE) are PostgreSQL's; SQLite serializes writers instead."""
    bind = session.bind
    return bind is not None and bind.dialect.name == "postgresql"


class Database:
    """The engine plus the two ways to open a session: read and write."""

    def __init__(self, engine: AsyncEngine):
        self.engine = engine
        # Single SELECTs that need no transaction: no BEGIN/ROLLBACK round trips.
        self.autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        # Reads of statements built once, straight to asyncpg (PostgreSQL only).
        self.prepared_reads = PreparedReads(engine.dialect) if engine.dialect.name == "postgresql" else None
        self._read = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False, autoflush=False)
        write_options: dict[str, Any] = {}
        if engine.dialect.name == "sqlite":
            # Keys given before the INSERT, so the ORM batches them (app/db/sqlite_ids.py).
            write_options["sync_session_class"] = SqliteWriteSession
        self._write = async_sessionmaker(
            engine.execution_options(**{_WRITE_OPTION: True}),
            class_=AsyncSession,
            expire_on_commit=False,
            autoflush=False,
            **write_options,
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A short read-only session (DataLoader batches open one each)."""
        async with self._read() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits when the block ends, rolls back on any error."""
        async with self._write() as session, session.begin():
            yield session

    async def checkpoint_wal(self) -> None:
        """SQLite: copy the write-ahead log into the database and truncate it, so erased
        rows do not linger in the -wal file. Outside any transaction (a checkpoint cannot
        complete inside one); a no-op on PostgreSQL."""
        if self.dialect != "sqlite":
            return
        async with self.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def dispose(self) -> None:
        await self.engine.dispose()
