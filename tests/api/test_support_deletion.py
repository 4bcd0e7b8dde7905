"""deleteCustomer (DESIGN 4.8): a GDPR erasure.

Rules checked: deleting by any App User ID (here an alias) removes every row of the
customer in every table, sandbox and production: no row keeps its customer id in a
customer_id column, and no row anywhere holds one of its App User IDs, its email, its
note texts or the reason given for the deletion; deletedAppUserIds lists all its IDs; a
second delete is CUSTOMER_NOT_FOUND; the only trace is one audit record without customer,
with the key's name, no reason and the number of IDs removed; other customers stay.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.enums import ApiKeyRole
from tests.api.helpers import configure_catalog, post_receipt, txn
from tests.api.test_support_common import (
    add_note,
    adjust,
    audit_rows,
    codes,
    create_offering,
    customer,
    grant,
    history,
    identify,
    mutate,
    open_app,
    profile,
    sql,
)
from tests.conftest import ApiClient, Clock

T0 = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)
# The tables the rich customer below has rows in (each checked to be non-empty first).
CUSTOMER_TABLES = (
    "customer",
    "app_user_id",
    "purchase",
    "store_transaction",
    "customer_event",
    "note",
    "attribute",
    "virtual_currency_balance",
    "audit_record",
)


async def delete_customer(
    api: ApiClient, app_user_id: str, reason: str | None = None, key: str | None = None
) -> dict[str, Any]:
    return await mutate(
        api, "deleteCustomer", {"appUserId": app_user_id, "reason": reason}, "deletedAppUserIds", key
    )


async def table_columns(conn: AsyncConnection) -> dict[str, list[str]]:
    """Every table of the database with its column names."""

    def read(sync: Connection) -> dict[str, list[str]]:
        inspector = inspect(sync)
        return {
            table: [c["name"] for c in inspector.get_columns(table)] for table in inspector.get_table_names()
        }

    return await conn.run_sync(read)


async def dump_database(api: ApiClient) -> dict[str, list[str]]:
    """repr of every row of every table (this project's rows where a table has a project)."""
    dump: dict[str, list[str]] = {}
    async with api.db.engine.connect() as conn:
        for table, columns in (await table_columns(conn)).items():
            if "project_id" in columns:
                query = text(f'SELECT * FROM "{table}" WHERE project_id = :p').bindparams(p=api.project_id)
            else:
                query = text(f'SELECT * FROM "{table}"')
            dump[table] = [repr(tuple(row)) for row in (await conn.execute(query)).all()]
    return dump


async def rows_referencing(api: ApiClient, customer_id: int) -> dict[str, int]:
    """For every table with a customer_id column (and the customer table): rows that point at it."""
    found: dict[str, int] = {}
    async with api.db.engine.connect() as conn:
        for table, columns in (await table_columns(conn)).items():
            column = "id" if table == "customer" else "customer_id" if "customer_id" in columns else None
            if column is not None:
                query = text(f'SELECT count(*) FROM "{table}" WHERE {column} = :c').bindparams(c=customer_id)
                found[table] = (await conn.execute(query)).scalar_one()
    return found


async def customer_pk(api: ApiClient, app_user_id: str) -> int:
    rows = await sql(
        api,
        "SELECT customer_id FROM app_user_id WHERE project_id = :p AND app_user_id = :a",
        p=api.project_id,
        a=app_user_id,
    )
    return int(rows[0][0])


@dataclass
class Erasure:
    """A rich customer (two IDs, production and sandbox purchases, a grant, notes,
    attributes, a balance, an offering override, a transfer partner) and its neighbours."""

    customer_id: int
    anonymous: str
    identified: str
    partner: str
    bystander: str
    identifying: list[str]  # every value that names the customer, the deletion reason included
    reason: str


@pytest.fixture
async def erasure(api: ApiClient, clock: Clock) -> Erasure:
    clock.set(T0)
    tag = uuid.uuid4().hex[:10]  # the database is shared with other tests: unique values
    anonymous = "$RCAnonymousID:" + uuid.uuid4().hex
    identified, partner, bystander = f"erase-me-{tag}", f"partner-{tag}", f"bystander-{tag}"
    email, name = f"erase.me.{tag}@example.com", f"Jane Roe {tag}"
    note_texts = [f"Called about refund {tag}", f"Prefers email, ticket {tag}"]

    await configure_catalog(api)
    await create_offering(api, "default", is_current=True)
    await create_offering(api, "winback")

    await open_app(api, anonymous)
    await identify(api, anonymous, identified)
    month = (T0 - timedelta(days=1), T0 + timedelta(days=29))
    await post_receipt(api, identified, [txn(f"p-{tag}", *month, original=f"po-{tag}")])
    await post_receipt(api, anonymous, [txn(f"s-{tag}", *month, original=f"so-{tag}")], environment="SANDBOX")
    assert (await grant(api, identified, "premium", "YEARLY", reason=f"gift {tag}"))["userErrors"] == []
    for body in note_texts:
        assert (await add_note(api, identified, body))["userErrors"] == []
    attributes = [{"key": "$email", "value": email}, {"key": "$displayName", "value": name}]
    result = await mutate(api, "setAttributes", {"appUserId": identified, "attributes": attributes})
    assert result["userErrors"] == []
    assert (await adjust(api, identified, 100, reason=f"bonus {tag}"))["userErrors"] == []
    result = await mutate(api, "overrideOffering", {"appUserId": identified, "offeringIdentifier": "winback"})
    assert result["userErrors"] == []

    # The partner's purchase moved to the customer: both histories tell of the transfer.
    await post_receipt(api, partner, [txn(f"x-{tag}", *month, product_id="yearly", original=f"xo-{tag}")])
    assert (await grant(api, partner, "pro", "WEEKLY"))["userErrors"] == []
    assert (await add_note(api, partner, "partner note"))["userErrors"] == []
    move = {"fromAppUserId": partner, "toAppUserId": identified, "reason": f"move {tag}"}
    assert (await mutate(api, "transferEntitlements", move))["userErrors"] == []

    await post_receipt(api, bystander, [txn(f"b-{tag}", *month, original=f"bo-{tag}")])
    assert (await add_note(api, bystander, "bystander note"))["userErrors"] == []

    state = await profile(api, identified, sandbox=True)
    assert {p["environment"] for p in state["purchases"]} == {"PRODUCTION", "SANDBOX"}
    assert len(state["notes"]) == 2 and state["virtualCurrencyBalances"] == [{"code": "GEMS", "balance": 100}]
    assert state["offeringOverride"] == {"identifier": "winback"}
    reason = f"GDPR request from {name}"
    return Erasure(
        customer_id=await customer_pk(api, identified),
        anonymous=anonymous,
        identified=identified,
        partner=partner,
        bystander=bystander,
        identifying=[anonymous, identified, email, name, *note_texts, reason, f"gift {tag}", f"bonus {tag}"],
        reason=reason,
    )


async def erase(api: ApiClient, erasure: Erasure) -> dict[str, Any]:
    """Delete the customer by its alias, with a SUPPORT key and a reason."""
    support = await api.key(ApiKeyRole.SUPPORT)
    return await delete_customer(api, erasure.identified, reason=erasure.reason, key=support)


async def test_delete_by_an_alias_removes_every_row_of_the_customer(api: ApiClient, erasure: Erasure) -> None:
    before = await rows_referencing(api, erasure.customer_id)
    # The check sees the customer's rows in every kind of table before the deletion.
    for table in CUSTOMER_TABLES:
        assert before[table] > 0, table

    result = await erase(api, erasure)
    assert result["userErrors"] == []
    assert sorted(result["deletedAppUserIds"]) == sorted([erasure.anonymous, erasure.identified])

    after = await rows_referencing(api, erasure.customer_id)
    assert {table: count for table, count in after.items() if count} == {}
    for app_user_id in (erasure.anonymous, erasure.identified):
        assert await customer(api, app_user_id) is None
        assert codes(await delete_customer(api, app_user_id)) == [
            ("CUSTOMER_NOT_FOUND", ["input", "appUserId"])
        ]


async def test_no_identifying_value_is_left_anywhere(api: ApiClient, erasure: Erasure) -> None:
    def leaks(dump: dict[str, list[str]]) -> list[tuple[str, str]]:
        """(table, value) for every identifying value found in a row of the table."""
        found = set()
        for table, rows in dump.items():
            for needle in erasure.identifying:
                if any(needle in row for row in rows):
                    found.add((table, needle))
        return sorted(found)

    # Before: the dump finds every value (the deletion reason is not given yet).
    found_before = {needle for _, needle in leaks(await dump_database(api))}
    assert found_before == set(erasure.identifying) - {erasure.reason}
    assert (await erase(api, erasure))["userErrors"] == []
    assert leaks(await dump_database(api)) == []


async def test_the_only_trace_is_an_audit_record_without_customer_or_reason(
    api: ApiClient, erasure: Erasure
) -> None:
    assert (await erase(api, erasure))["userErrors"] == []
    [record] = await audit_rows(api, "deleteCustomer")
    assert record == {
        "customer_id": None,
        "actor": "support key",
        "action": "deleteCustomer",
        "reason": None,
        "details": {"app_user_ids_removed": 2},
    }
    unowned = await sql(
        api, "SELECT action FROM audit_record WHERE project_id = :p AND customer_id IS NULL", p=api.project_id
    )
    assert [row[0] for row in unowned] == ["deleteCustomer"]


async def test_other_customers_are_untouched(api: ApiClient, erasure: Erasure) -> None:
    partner_before = await profile(api, erasure.partner, sandbox=True)
    bystander_before = await profile(api, erasure.bystander, sandbox=True)
    assert (await erase(api, erasure))["userErrors"] == []

    assert await profile(api, erasure.bystander, sandbox=True) == bystander_before
    partner_after = await profile(api, erasure.partner, sandbox=True)
    for part in ("purchases", "notes", "entitlements", "attributes", "virtualCurrencyBalances", "totalSpent"):
        assert partner_after[part] == partner_before[part], part
    assert [e["type"] for e in history(partner_after)] == [e["type"] for e in history(partner_before)]
    assert await offerings_exist(api) == {"default", "winback"}


async def offerings_exist(api: ApiClient) -> set[str]:
    data = await api.gql("{ project { offerings { identifier } } }")
    return {o["identifier"] for o in data["project"]["offerings"]}


async def test_delete_by_the_original_id_and_unknown_ids(api: ApiClient) -> None:
    await open_app(api, "solo")
    await open_app(api, "stays")
    assert codes(await delete_customer(api, "never-existed")) == [
        ("CUSTOMER_NOT_FOUND", ["input", "appUserId"])
    ]
    result = await delete_customer(api, "solo")
    assert result == {"deletedAppUserIds": ["solo"], "userErrors": []}
    assert await customer(api, "solo") is None
    assert await customer(api, "stays") is not None
    [record] = await audit_rows(api, "deleteCustomer")
    assert (record["actor"], record["reason"], record["details"]) == (
        "admin",
        None,
        {"app_user_ids_removed": 1},
    )


async def test_on_sqlite_erased_values_are_gone_from_the_database_and_wal_files(
    api: ApiClient, erasure: Erasure, backend: str, database_urls: dict[str, str]
) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite's files only")
    path = Path(database_urls["sqlite"].removeprefix("sqlite+aiosqlite:///"))

    def found_in_files() -> set[str]:
        contents = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
        return {needle for needle in erasure.identifying if needle.encode() in contents}

    assert found_in_files(), "the values were never on disk; nothing tested"
    assert (await erase(api, erasure))["userErrors"] == []
    assert found_in_files() == set()

    def wal_size() -> int:
        wal = Path(f"{path}-wal")
        return wal.stat().st_size if wal.exists() else 0

    assert wal_size() == 0  # checkpointed and truncated
