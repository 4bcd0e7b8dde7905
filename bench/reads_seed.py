"""The read benchmark's data set (issue 14), on PostgreSQL.

Each customer: 3 App User IDs (the original and 2 aliases), 3 notes, 5 attributes, a
20-month monthly subscription (20 store transactions) and the timeline events its
receipt writes (about 20, each with its webhook body).

- `seed(url, 1000)`: every customer through the service's own receipt path
  (record_receipt), so events and payloads are the real ones (about a minute here);
- `bulk(url, total)`: clones those customers in SQL (INSERT ... SELECT over
  generate_series) up to `total` customers, for the 1,000,000-customer plans; rows keep
  their shape, App User IDs, emails and transaction ids get the copy's number.

    python -m bench.reads_seed postgresql+asyncpg://postgres@127.0.0.1:5432/db 1000 [1000000]
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg

from app.db.engine import Database, create_engine
from app.db.migrate import upgrade
from app.db.models import AppUserId, Attribute, Customer, Note
from app.domain.enums import ApiKeyRole, Environment, ProductType, Store
from app.domain.notes import render_note_html
from app.domain.prices import default_rate_table
from app.domain.receipts import TransactionState
from app.services import projects
from app.services.receipts import PostedReceipt, record_receipt

MONTHS = 20
PROJECT_NAME = "bench-reads"


@dataclass(frozen=True)
class Seeded:
    project_id: int
    viewer_key: str
    app_user_ids: list[str]


def app_user_id(index: int) -> str:
    return f"reads-{index:07d}"


def subscription(index: int, start: datetime) -> PostedReceipt:
    original = f"sub-{index:07d}"
    transactions = [
        TransactionState(
            transaction_id=f"{original}-{month:02d}",
            original_transaction_id=original,
            product_id="monthly",
            purchased_at=start + timedelta(days=30 * month),
            expires_at=start + timedelta(days=30 * (month + 1)),
            price=Decimal("9.99"),
            currency="EUR",
        )
        for month in range(MONTHS)
    ]
    return PostedReceipt(app_user_id(index), Store.APP_STORE, Environment.PRODUCTION, transactions)


async def _extras(db: Database, project_id: int, index: int, now: datetime) -> None:
    """Aliases, notes and attributes as the support mutations would leave them."""
    async with db.transaction() as session:
        from sqlmodel import select

        owner = (
            await session.exec(
                select(AppUserId).where(
                    AppUserId.project_id == project_id, AppUserId.app_user_id == app_user_id(index)
                )
            )
        ).one()
        customer = await session.get(Customer, owner.customer_id)
        assert customer is not None
        customer.country = ("DE", "US", "FR", "JP")[index % 4]
        customer.last_opened_at = customer.last_seen_at = now - timedelta(seconds=index)
        for alias in range(2):
            session.add(
                AppUserId(
                    project_id=project_id,
                    customer_id=owner.customer_id,
                    app_user_id=f"{app_user_id(index)}-alias-{alias}",
                    is_anonymous=alias == 0,
                    created_at=now + timedelta(seconds=alias + 1),
                    last_seen_at=now - timedelta(seconds=index),
                )
            )
        for number in range(3):
            session.add(
                Note(
                    project_id=project_id,
                    customer_id=owner.customer_id,
                    body=f"Called about **invoice {number}**; see ticket #{index}.",
                    body_html=render_note_html(f"Called about **invoice {number}**; see ticket #{index}."),
                    author="support agent",
                    created_at=now + timedelta(seconds=number),
                    updated_at=now + timedelta(seconds=number),
                )
            )
        values = {
            "$email": f"reader{index}@example.com",
            "$mediaSource": "Facebook",
            "$campaign": "winter",
            "plan": "gold",
            "team": f"team-{index % 10}",
        }
        for key, value in values.items():
            session.add(Attribute(project_id=project_id, customer_id=owner.customer_id, key=key, value=value))


async def seed(url: str, count: int) -> Seeded:
    """A fresh project with `count` customers (kept when already there)."""
    await asyncio.to_thread(upgrade, url)
    db = Database(create_engine(url))
    try:
        project, _admin = await projects.create_project(db, PROJECT_NAME)
        assert project.id is not None
        await projects.create_entitlement(db, project.id, "pro", "Pro")
        await projects.create_product(
            db,
            project.id,
            "monthly",
            Store.APP_STORE,
            ProductType.SUBSCRIPTION,
            (Decimal("9.99"), "EUR"),
            ["pro"],
        )
        viewer = await projects.create_api_key(db, project.id, "bench viewer", ApiKeyRole.VIEWER)
        rates = default_rate_table()
        now = datetime.now(UTC)
        start = now - timedelta(days=30 * (MONTHS - 1) + 5)

        async def one(index: int) -> None:
            await record_receipt(db, project.id or 0, subscription(index, start), rates, now)
            await _extras(db, project.id or 0, index, now)

        for batch in range(0, count, 8):
            await asyncio.gather(*(one(i) for i in range(batch, min(batch + 8, count))))
        if db.dialect == "postgresql":
            # Fresh statistics, or the planner guesses a handful of rows per table.
            async with db.autocommit.connect() as connection:
                await connection.exec_driver_sql("ANALYZE")
        return Seeded(project.id, viewer.secret, [app_user_id(i) for i in range(count)])
    finally:
        await db.dispose()


# Tables with a customer_id, copied per clone; {n} is the clone's number.
_CLONED = {
    "customer": None,
    "app_user_id": {
        "app_user_id": "app_user_id || '-c' || {n}",
        "app_account_token": "md5(app_account_token || {n})::uuid::text",
    },
    "note": {},
    "attribute": {"value": "CASE WHEN key = '$email' THEN 'c' || {n} || value ELSE value END"},
    "purchase": {"original_transaction_id": "original_transaction_id || '-c' || {n}"},
    "store_transaction": {"transaction_id": "transaction_id || '-c' || {n}"},
    "customer_event": {
        "event_uuid": "md5(event_uuid || {n})::uuid::text",
        "transaction_id": "transaction_id || '-c' || {n}",
    },
}


async def bulk(dsn: str, project_id: int, total: int) -> None:
    """Clone the project's seeded customers until it has `total` (PostgreSQL only).

    Ids of a clone are the original's plus n * stride, so foreign keys follow; the
    sequences are moved past the new ids at the end.
    """
    connection = await asyncpg.connect(dsn)
    try:
        base = await connection.fetchval("SELECT count(*) FROM customer WHERE project_id = $1", project_id)
        clones = max(0, -(-total // base) - 1)
        for table in _CLONED:
            await connection.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
        strides = {table: await connection.fetchval(f"SELECT max(id) FROM {table}") or 0 for table in _CLONED}
        for n in range(1, clones + 1):
            async with connection.transaction():
                for table, overrides in _CLONED.items():
                    columns = await _columns(connection, table)
                    await connection.execute(
                        _clone_sql(columns, table, overrides or {}, strides, n, project_id)
                    )
            if n % 50 == 0:
                print(f"  {n * base} customers", flush=True)
        for table in _CLONED:
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
            await connection.execute(f"ALTER TABLE {table} RESET (autovacuum_enabled)")
            await connection.execute(f"ANALYZE {table}")
    finally:
        await connection.close()


async def _columns(connection: asyncpg.Connection, table: str) -> list[str]:
    rows = await connection.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position",
        table,
    )
    return [row["column_name"] for row in rows]


def _clone_sql(
    columns: list[str],
    table: str,
    overrides: dict[str, str],
    strides: dict[str, int],
    n: int,
    project_id: int,
) -> str:
    shifted = {
        "id": strides[table],
        "customer_id": strides["customer"],
        "purchase_id": strides["purchase"],
        "related_customer_id": strides["customer"],
    }
    values = []
    for column in columns:
        if column in overrides:
            values.append(overrides[column].replace("{n}", str(n)))
        elif column in shifted and (table != "customer" or column == "id"):
            values.append(f"{column} + {shifted[column] * n}")
        else:
            values.append(column)
    # Only the seeded rows (ids up to the stride) are copied, never earlier clones.
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {table} "
        f"WHERE project_id = {project_id} AND id <= {strides[table]}"
    )


async def main(url: str, count: int, total: int | None) -> None:
    seeded = await seed(url, count)
    print(f"project {seeded.project_id}: {count} customers")
    if total:
        await bulk(url.replace("+asyncpg", ""), seeded.project_id, total)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else None))
