"""Reads sent to asyncpg directly (app/db/prepared_reads.py) give the rows SQLAlchemy
gives for the same statement and values: the same names, the same values, the same
Python types (enums, UTC datetimes, exact decimals, decoded JSON)."""

import asyncio
from typing import Any

import pytest
from sqlmodel import col, select

from app.db.models import AppUserId
from app.db.reads import RequestReads
from app.graphql.dataloaders import customer_parts
from app.graphql.dataloaders.customer import _customer_by_app_user_id
from app.http.unavailable import is_unavailable
from app.services.keys import _KEY_LOOKUP, hash_secret
from tests.api.test_read_path import customers
from tests.conftest import ApiClient, StatementCounter

pytestmark = pytest.mark.postgres_only

FOLDED = customer_parts._layout("postgresql")[0]
ALL_PARTS = tuple(sorted(FOLDED.tables))


async def sqlalchemys(api: ApiClient, statement: Any, parameters: dict[str, Any]) -> list[Any]:
    async with api.db.autocommit.connect() as connection:
        return list((await connection.execute(statement, parameters)).all())


async def direct(api: ApiClient, statement: Any, parameters: dict[str, Any]) -> list[Any]:
    assert api.db.prepared_reads is not None
    assert api.db.prepared_reads.compiled(statement) is not None, "declined: the test would prove nothing"
    reads = RequestReads(api.db.autocommit, api.db.prepared_reads)
    try:
        return await reads.fetch(statement, parameters)
    finally:
        await reads.end()


def same_rows(ours: list[Any], theirs: list[Any]) -> None:
    assert len(ours) == len(theirs) > 0
    for mine, expected in zip(ours, theirs, strict=True):
        assert mine._fields == expected._fields
        assert tuple(mine) == tuple(expected)
        assert [type(value) for value in mine] == [type(value) for value in expected]
        for name in expected._fields:
            assert getattr(mine, name) == getattr(expected, name)


async def test_the_parts_statement_gives_sqlalchemys_rows_for_one_customer_and_several(
    api: ApiClient,
) -> None:
    await customers(api, 3, purchases=2)
    async with api.db.read() as session:
        ids = sorted(
            set(
                (
                    await session.exec(
                        select(AppUserId.customer_id).where(AppUserId.project_id == api.project_id)
                    )
                ).all()
            )
        )
    statement = customer_parts._statement("postgresql", ALL_PARTS)
    for keys in (ids[:1], ids):
        parameters = {
            "project_id": api.project_id,
            **{f"keys_{kind}": keys for kind in ALL_PARTS},
            "limit_history": 20,
            "limit_history_sandbox": 20,
        }
        # Made straight into each kind's rows (FoldedRead.shape), where SQLAlchemy's
        # union rows are split by FoldedRead.rows: the same rows either way.
        ours = FOLDED.rows(await direct(api, statement, parameters))
        theirs = FOLDED.rows(await sqlalchemys(api, statement, parameters))
        # Every kind with rows of these customers (none has a granted entitlement), so
        # every column type is compared.
        assert set(ours) == set(theirs) == set(ALL_PARTS) - {"granted_entitlements"}
        for kind in theirs:
            same_rows(ours[kind], theirs[kind])


async def test_the_key_and_customer_lookups_give_sqlalchemys_rows(api: ApiClient) -> None:
    await customers(api, 2)
    key = {"key_hash": hash_secret(api.admin_key)}
    same_rows(await direct(api, _KEY_LOOKUP, key), await sqlalchemys(api, _KEY_LOOKUP, key))
    lookup = {"project_id": api.project_id, "keys": ["reader-0", "reader-1-b", "nobody"]}
    statement = _customer_by_app_user_id()
    same_rows(await direct(api, statement, lookup), await sqlalchemys(api, statement, lookup))


async def test_an_empty_list_and_a_statement_built_per_request_go_through_sqlalchemy(
    api: ApiClient, statements: StatementCounter
) -> None:
    await customers(api, 1)
    reads = RequestReads(api.db.autocommit, api.db.prepared_reads)
    try:
        before = statements.count
        empty = await reads.fetch(_customer_by_app_user_id(), {"project_id": api.project_id, "keys": []})
        built_here = select(AppUserId.app_user_id).where(col(AppUserId.project_id) == api.project_id)
        assert api.db.prepared_reads is not None and api.db.prepared_reads.compiled(built_here) is None
        found = await reads.fetch(built_here)
    finally:
        await reads.end()
    assert empty == []
    assert sorted(row.app_user_id for row in found) == ["reader-0", "reader-0-b"]
    assert statements.count - before == 2  # both ran, and the listeners heard both


@pytest.mark.parametrize("noticed", [False, True], ids=["closed-during-the-read", "closed-before-it"])
async def test_a_connection_the_server_closed_is_not_given_back_to_the_pool(
    api: ApiClient, noticed: bool
) -> None:
    """asyncpg words it as it finds it: a reset during the read, or "connection is
    closed" once it has seen the server's goodbye. Either is a 503."""
    key = {"key_hash": hash_secret(api.admin_key)}
    reads = RequestReads(api.db.autocommit, api.db.prepared_reads)
    try:
        assert await reads.fetch(_KEY_LOOKUP, key)
        connection = reads._connection
        assert connection is not None
        backend = await reads._driver.fetchval("SELECT pg_backend_pid()")
        async with api.db.autocommit.connect() as other:
            await other.exec_driver_sql(f"SELECT pg_terminate_backend({int(backend)})")
        if noticed:
            for _ in range(100):  # until asyncpg has read the server's goodbye
                if reads._driver.is_closed():
                    break
                await asyncio.sleep(0.01)
            assert reads._driver.is_closed()
        with pytest.raises(Exception) as failure:
            await reads.fetch(_KEY_LOOKUP, key)
        assert is_unavailable(failure.value)  # answered 503, as on SQLAlchemy's path
        assert connection.invalidated
    finally:
        await reads.end()
    fresh = RequestReads(api.db.autocommit, api.db.prepared_reads)
    try:
        assert await fresh.fetch(_KEY_LOOKUP, key)
    finally:
        await fresh.end()
