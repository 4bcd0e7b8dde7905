"""The database unreachable (DESIGN 4.11, issue 13 item 5).

Rules checked: with the database unreachable (a server pointed at a closed port), a
request with a key, and one without a key in development, get 503 with exactly
{"errors":[{"message":"Service unavailable","extensions":{"code":"UNAVAILABLE"}}]} and a
Retry-After; the outage is logged once, not once per request, and no log line holds the
key's hash; /readyz says 503 too. The same answer when the outage surfaces only inside a
resolver (a read, a project field, a mutation's unit of work), after authentication.
"""

from __future__ import annotations

import hashlib
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from structlog.testing import capture_logs

from app.db.engine import Database, create_engine
from app.db.prepared_reads import PreparedReads
from app.db.reads import RequestReads
from app.http.unavailable import outage
from app.main import create_app
from app.services import projects
from app.services.keys import _KEY_LOOKUP as KEY_LOOKUP
from tests.conftest import make_settings

UNAVAILABLE = {"errors": [{"message": "Service unavailable", "extensions": {"code": "UNAVAILABLE"}}]}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once the socket is closed


@pytest.fixture(params=["postgres", "sqlite"])
def unreachable_url(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        return f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/nothing"
    return "sqlite+aiosqlite:////nonexistent-directory/customer-profile.db"


@asynccontextmanager
async def server(url: str, app_env: str = "production") -> AsyncIterator[httpx.AsyncClient]:
    db = Database(create_engine(url))
    app = create_app(make_settings(url, app_env=app_env), db)
    outage.down = False
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test"
        ) as client:
            yield client
    finally:
        await db.dispose()


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.json() == UNAVAILABLE
    assert int(response.headers["retry-after"]) > 0


async def test_requests_with_a_key_get_503_json_and_the_outage_is_logged_once(unreachable_url: str) -> None:
    secret = "cpk_some-key-the-database-cannot-check"
    with capture_logs() as logs:
        async with server(unreachable_url) as unreachable:
            for _ in range(3):
                response = await unreachable.post(
                    "/graphql",
                    json={"query": "{ __typename }"},
                    headers={"Authorization": f"Bearer {secret}"},
                )
                assert_unavailable(response)
            assert (await unreachable.get("/readyz")).status_code == 503
    assert [entry["event"] for entry in logs].count("database_unavailable") == 1, logs
    assert hashlib.sha256(secret.encode()).hexdigest() not in str(logs)


async def test_development_requests_without_a_key_get_503_json(unreachable_url: str) -> None:
    async with server(unreachable_url, "development") as unreachable:
        assert_unavailable(await unreachable.post("/graphql", json={"query": "{ __typename }"}))


@pytest.fixture
async def resolver_outage(
    backend: str, database_urls: dict[str, str], unreachable_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A server whose keys are checked against a working database while the sessions that
    services open (Database.read and units of work) and the request's shared read
    connection (the loaders') go to an unreachable one: the outage surfaces after
    authentication, inside the resolvers."""
    if (backend == "sqlite") != unreachable_url.startswith("sqlite"):
        pytest.skip("one unreachable database of the same kind per backend")
    working = Database(create_engine(database_urls[backend]))
    unreachable = Database(create_engine(unreachable_url))
    _, secret = await projects.create_project(working, "outage in a resolver")
    working._read, working._write = unreachable._read, unreachable._write

    class UnreachableReads(RequestReads):
        """The key check is answered (its database stays up); every other read of the
        request finds the database away."""

        def __init__(self, autocommit: AsyncEngine, prepared: PreparedReads | None = None) -> None:
            super().__init__(unreachable.autocommit, unreachable.prepared_reads)
            self.keys = RequestReads(working.autocommit, working.prepared_reads)

        async def fetch(self, statement: Any, parameters: dict[str, Any] | None = None) -> list[Any]:
            if statement is KEY_LOOKUP:
                try:
                    return await self.keys.fetch(statement, parameters)
                finally:
                    await self.keys.end()
            return await super().fetch(statement, parameters)

    monkeypatch.setattr("app.graphql.context.RequestReads", UnreachableReads)
    monkeypatch.setattr("app.graphql.view.RequestReads", UnreachableReads)
    app = create_app(make_settings(database_urls[backend]), working)
    outage.down = False
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test"
        ) as client:
            yield client, secret
    finally:
        await unreachable.dispose()
        await working.dispose()


@pytest.mark.parametrize(
    "query",
    [
        "{ customers(first: 5) { edges { node { appUserId } } } }",
        "{ project { name webhookEndpoints { id } } }",
        'mutation { addNote(input: {appUserId: "ana", body: "hi"}) { userErrors { code } } }',
    ],
    ids=["search", "project", "mutation"],
)
async def test_an_outage_inside_a_resolver_answers_503_json_logged_once(
    resolver_outage: tuple[httpx.AsyncClient, str], query: str
) -> None:
    client, secret = resolver_outage
    headers = {"Authorization": f"Bearer {secret}"}
    with capture_logs() as logs:
        assert_unavailable(await client.post("/graphql", json={"query": query}, headers=headers))
    # One line for the outage, no traceback, no key hash. (Here the keys' database stays
    # up, so each request also logs that it answered: a real outage fails them too.)
    assert [entry["event"] for entry in logs].count("database_unavailable") == 1, logs
    assert not any("exc_info" in entry or "exception" in entry for entry in logs), logs
    assert hashlib.sha256(secret.encode()).hexdigest() not in str(logs)
    assert_unavailable(await client.post("/graphql", json={"query": query}, headers=headers))


@pytest.mark.parametrize("route", ["app-store", "play-store", "web-billing"])
async def test_store_notifications_while_the_database_is_down_are_503_so_the_store_retries(
    unreachable_url: str, route: str
) -> None:
    async with server(unreachable_url) as client:
        with capture_logs() as logs:
            response = await client.post(f"/stores/{route}/some-app", json={"signedPayload": "x"})
    assert response.status_code == 503 and response.headers["retry-after"]
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
    assert [line["event"] for line in logs].count("database_unavailable") <= 1
