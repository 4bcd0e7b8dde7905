"""Search plans at a million customers (issue 14, item 6): EXPLAIN (ANALYZE, BUFFERS) of
every statement the service sends for `customers(search: ...)`, prefixes of every
breadth included. Output: bench/PLANS-1M-search.md.

The data set is made in SQL, in about two minutes: 1,000,000 customers of one project,
each with three App User IDs (`cust-0000001`, an anonymous `$RCAnonymousID:<hex>` and
`alias-0000001-web`) and an `$email` attribute; last_seen_at is a permutation of the
ids, so a prefix's customers are spread through the list as real ones are. Search reads
only these tables (and store_transaction, by an equality on its index), so the plans are
those of a full data set; bench/reads_seed.py makes the full one for the profile.

    python -m bench.search_scale   (PostgreSQL on 127.0.0.1:5432; database cp_search_1m)
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import asyncpg

from app.db.engine import Database, create_engine
from app.db.migrate import upgrade
from app.domain.enums import ApiKeyRole
from app.services import projects
from bench.explain_reads import explained, selects_of_requests

NAME = "cp_search_1m"
DSN = f"postgresql://postgres@127.0.0.1:5432/{NAME}"
URL = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{NAME}"
CUSTOMERS = 1_000_000
OUTPUT = Path(__file__).with_name("PLANS-1M-search.md")
# From one customer to all of them: an email, an exact ID, prefixes matching 1,000,
# 10,000 (the plans' crossover), 100,000 and all customers, and nothing.
SEARCHES = [
    "person500@example.com",
    "cust-0001234",
    "cust-0000",
    "cust-000",
    "cust-00",
    "$RC",
    "alias-",
    "nobody-here",
]
QUERY = (
    "query($s: String!) { customers(search: $s, first: 20) {"
    " edges { node { id appUserId } } pageInfo { hasNextPage } } }"
)

# session_replication_role = replica skips the foreign-key triggers: their checks are
# planned while customer looks empty, and a sequential scan per row made the first
# million App User IDs take over 13 minutes instead of 40 seconds.
SEED = f"""
SET synchronous_commit = off;
SET session_replication_role = replica;
INSERT INTO customer (id, project_id, first_seen_at, last_seen_at, country)
SELECT g, $1, now() - make_interval(secs => g * 7),
       now() - make_interval(secs => ((g::bigint * 7919) % {CUSTOMERS}) * 3), 'US'
FROM generate_series(1, {CUSTOMERS}) g;
INSERT INTO app_user_id (project_id, customer_id, app_user_id, is_anonymous, is_original, created_at,
                         app_account_token)
SELECT $1, g, 'cust-' || lpad(g::text, 7, '0'), false, false, now(), md5('a' || g)::uuid::text
FROM generate_series(1, {CUSTOMERS}) g;
INSERT INTO app_user_id (project_id, customer_id, app_user_id, is_anonymous, is_original, created_at,
                         app_account_token)
SELECT $1, g, '$RCAnonymousID:' || md5('x' || g), true, true, now(), md5('b' || g)::uuid::text
FROM generate_series(1, {CUSTOMERS}) g;
INSERT INTO app_user_id (project_id, customer_id, app_user_id, is_anonymous, is_original, created_at,
                         app_account_token)
SELECT $1, g, 'alias-' || lpad(g::text, 7, '0') || '-web', false, false, now(), md5('c' || g)::uuid::text
FROM generate_series(1, {CUSTOMERS}) g;
INSERT INTO attribute (project_id, customer_id, key, value, updated_at)
SELECT $1, g, '$email', 'person' || g || '@example.com', now() FROM generate_series(1, {CUSTOMERS}) g;
SELECT setval('customer_id_seq', {CUSTOMERS + 1});
"""


async def seeded_project() -> int:
    admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", NAME):
            await admin.execute(f'CREATE DATABASE "{NAME}"')
    finally:
        await admin.close()
    await asyncio.to_thread(upgrade, URL)
    connection = await asyncpg.connect(DSN)
    try:
        if await connection.fetchval("SELECT count(*) FROM customer") >= CUSTOMERS:
            return int(await connection.fetchval("SELECT project_id FROM customer LIMIT 1"))
        db = Database(create_engine(URL))
        try:
            project, _ = await projects.create_project(db, "search at scale")
        finally:
            await db.dispose()
        began = time.perf_counter()
        for statement in SEED.split(";\n"):
            if statement.strip():
                await connection.execute(statement.replace("$1", str(project.id)))
        await connection.execute("VACUUM ANALYZE")
        print(f"seeded {CUSTOMERS:,} customers in {time.perf_counter() - began:.0f} s", file=sys.stderr)
        assert project.id is not None
        return project.id
    finally:
        await connection.close()


async def main() -> None:
    project_id = await seeded_project()
    db = Database(create_engine(URL))
    try:
        key = (await projects.create_api_key(db, project_id, "search plans", ApiKeyRole.VIEWER)).secret
    finally:
        await db.dispose()
    requests = {"warm-up": (QUERY, {"s": "warm-up"})} | {text: (QUERY, {"s": text}) for text in SEARCHES}
    selects = await selects_of_requests(URL, key, requests)
    connection = await asyncpg.connect(DSN)
    lines = [f"# Search plans at {CUSTOMERS:,} customers (`python -m bench.search_scale`)\n"]
    summary = ["| search | statement | database time (ms) |", "|---|---|---|"]
    try:
        for text in SEARCHES:
            lines.append(f"\n## search {text!r}\n")
            searched = [s for s in selects[text] if "FROM customer" in s[0] or "count(" in s[0]]
            for number, statement in enumerate(searched, 1):
                plan = await explained(connection, statement)
                took = next(line for line in plan if line.startswith("Execution Time"))
                kind = "breadth count" if "count(" in statement[0] else "page"
                summary.append(f"| {text} | {number}: {kind} | {took.split(': ')[1].removesuffix(' ms')} |")
                lines.append("```\n" + statement[0].strip() + f"\n-- parameters: {statement[1]!r}\n--")
                lines.append("\n".join(plan) + "\n```")
    finally:
        await connection.close()
    OUTPUT.write_text("\n".join(lines[:1] + summary + lines[1:]) + "\n")
    print("\n".join(summary))


if __name__ == "__main__":
    asyncio.run(main())
