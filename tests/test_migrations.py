"""Alembic migrations (DESIGN.md section 2: "Alembic for migrations").

Rules checked here, on a fresh SQLite file and, when TEST_DATABASE_URL is set, on a fresh
PostgreSQL database of its own:
- the migrations go up to head, down to base (leaving no table behind) and up again;
- after upgrading, every table of the SQLModel models exists and Alembic's autogenerate
  finds no difference between the models and the migrated schema (no model change
  without a migration).

`upgrade` and `downgrade` run their own event loop (asyncio.run), so these tests are
plain functions and use asyncio.run for their own checks.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlmodel import SQLModel

import app.db.models  # noqa: F401  (registers every table in SQLModel.metadata)
from app.db.engine import create_engine
from app.db.migrate import downgrade, upgrade
from tests.conftest import BACKENDS


def _server_url() -> Any:
    return make_url(os.environ["TEST_DATABASE_URL"])


async def _admin(statement: str) -> None:
    url = _server_url()
    conn = await asyncpg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        database="postgres",
    )
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(params=BACKENDS)
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database that no other test uses."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"cp_migrations_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield _server_url().set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _inspect_sync(database_url: str, check: Any) -> Any:
    async def run() -> Any:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(check)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def table_names(database_url: str) -> set[str]:
    return set(_inspect_sync(database_url, lambda conn: inspect(conn).get_table_names()))


def schema_differences(database_url: str) -> list[Any]:
    def compare(conn: Connection) -> list[Any]:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": False}
        )
        return list(compare_metadata(context, SQLModel.metadata))

    return list(_inspect_sync(database_url, compare))


MODEL_TABLES = set(SQLModel.metadata.tables)


def test_models_define_tables() -> None:
    assert {"project", "api_key", "customer", "purchase", "customer_event"} <= MODEL_TABLES


def test_upgrade_downgrade_upgrade(fresh_database_url: str) -> None:
    assert table_names(fresh_database_url) == set()

    upgrade(fresh_database_url)
    assert table_names(fresh_database_url) >= MODEL_TABLES

    downgrade(fresh_database_url, "base")
    assert table_names(fresh_database_url) - {"alembic_version"} == set()

    upgrade(fresh_database_url)
    assert table_names(fresh_database_url) >= MODEL_TABLES


def test_upgrade_twice_is_a_no_op(fresh_database_url: str) -> None:
    upgrade(fresh_database_url)
    before = table_names(fresh_database_url)
    upgrade(fresh_database_url)
    assert table_names(fresh_database_url) == before


def test_migrated_schema_matches_the_models(fresh_database_url: str) -> None:
    upgrade(fresh_database_url)
    differences = schema_differences(fresh_database_url)
    assert differences == [], "models and migrations differ; add a migration:\n" + "\n".join(
        map(str, differences)
    )


def test_notes_written_before_0013_get_their_html(fresh_database_url: str) -> None:
    """0013 stores bodyHtml beside the body: notes already written are rendered by it
    (written at head, the column dropped by going back to 0012, then upgraded again)."""
    from app.db.engine import Database
    from app.db.models import Customer, Note, Project
    from app.domain.notes import render_note_html

    body = "Called about **invoice 7**; <script>x</script>"

    async def write() -> None:
        db = Database(create_engine(fresh_database_url))
        try:
            async with db.transaction() as session:
                project = Project(name="p")
                session.add(project)
                await session.flush()
                customer = Customer(project_id=project.id)
                session.add(customer)
                await session.flush()
                session.add(
                    Note(project_id=project.id, customer_id=customer.id, body=body, body_html="", author="a")
                )
        finally:
            await db.dispose()

    upgrade(fresh_database_url)
    asyncio.run(write())
    downgrade(fresh_database_url, "0012")
    upgrade(fresh_database_url)

    async def stored() -> list[Any]:
        engine = create_engine(fresh_database_url)
        try:
            async with engine.connect() as conn:
                return list((await conn.execute(text("SELECT body, body_html FROM note"))).all())
        finally:
            await engine.dispose()

    assert asyncio.run(stored()) == [(body, render_note_html(body))]
