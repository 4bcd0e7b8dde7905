"""EXPLAIN (ANALYZE, BUFFERS) of the statements the service runs for the list, search and
filter requests (issue 14, item 6), on the read benchmark's database.

Each request is run through the app in-process; every SELECT it sends is captured with
its parameters and explained on the same database. Prints one plan per statement.

    python -m bench.explain_reads   (BENCH_READS_DB as for bench/reads.py; seed it first)
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event

from app.db.engine import Database, create_engine
from app.graphql.ids import encode_cursor
from app.main import create_app
from app.settings import Settings
from bench.reads import DB_NAME, DSN, RESULTS, URL
from bench.reads_seed import app_user_id

REQUESTS = {
    "search by email": ('{ customers(search: "reader500@example.com") { edges { node { id } } } }', {}),
    "search by App User ID prefix": ('{ customers(search: "reads-00005") { edges { node { id } } } }', {}),
    "filter by transaction id": (
        '{ customers(filter: {transactionId: "sub-0000500-07"}) { edges { node { id } } } }',
        {},
    ),
    "first page": ("{ customers(first: 20) { edges { cursor node { id } } } }", {}),
    "deep page (after half the customers)": (
        "query($after: String) { customers(first: 20, after: $after) { edges { node { id } } } }",
        {"after": None},
    ),
    "profile": (
        "query($id: String!) { customer(appUserId: $id) { appUserId notes { id } attributes { key } "
        "totalSpent { amount } purchases { status price { amount } } entitlements { isActive } "
        "history(first: 20) { edges { node { id } } } } }",
        {"id": app_user_id(500)},
    ),
}


Statement = tuple[str, tuple[Any, ...]]


async def selects_of_requests(
    url: str, key: str, requests: dict[str, tuple[str, dict[str, Any]]]
) -> dict[str, list[Statement]]:
    """Each request sent to an in-process app on `url`, with the SELECTs it sent (the
    key's own lookup left out)."""
    db = Database(create_engine(url))
    settings = Settings(database_url=url, app_env="production", webhook_dispatcher="off", log_level="WARNING")
    app = create_app(settings, db)
    captured: list[Statement] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "api_key" not in statement:
            captured.append((statement, tuple(parameters or ())))

    headers = {"Authorization": f"Bearer {key}"}
    selects: dict[str, list[Statement]] = {}
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as client:
            event.listen(db.engine.sync_engine, "before_cursor_execute", capture)
            for name, (query, variables) in requests.items():
                captured.clear()
                response = await client.post(
                    "/graphql", json={"query": query, "variables": variables}, headers=headers
                )
                assert "errors" not in response.json(), response.text
                selects[name] = list(captured)
    finally:
        await db.dispose()
    return selects


async def explained(connection: asyncpg.Connection, statement: Statement) -> list[str]:
    """The plan of one captured statement, run with its own parameters."""
    rows = await connection.fetch("EXPLAIN (ANALYZE, BUFFERS) " + statement[0], *statement[1])
    return [row[0] for row in rows]


async def main() -> None:
    key = json.loads((RESULTS / f"{DB_NAME}.json").read_text())["key"]
    REQUESTS["deep page (after half the customers)"][1]["after"] = await _middle_cursor()
    plans = await selects_of_requests(URL, key, REQUESTS)
    connection = await asyncpg.connect(DSN)
    try:
        for name, statements in plans.items():
            print(f"\n## {name}\n")
            for statement in statements:
                print("```\n" + statement[0].strip() + "\n--")
                print("\n".join(await explained(connection, statement)) + "\n```")
    finally:
        await connection.close()


async def _middle_cursor() -> str:
    """The cursor of the customer halfway down the list (most recently seen first)."""
    connection = await asyncpg.connect(DSN)
    try:
        total = await connection.fetchval("SELECT count(*) FROM customer")
        row = await connection.fetchrow(
            "SELECT last_seen_at, id FROM customer ORDER BY last_seen_at DESC, id DESC OFFSET $1 LIMIT 1",
            total // 2,
        )
    finally:
        await connection.close()
    return encode_cursor(row["last_seen_at"].astimezone(UTC).isoformat(), row["id"])


if __name__ == "__main__":
    asyncio.run(main())
