"""Rate limits (DESIGN 4.11, issue 13 item 4).

Rules checked: past RATE_LIMIT_PER_KEY a key gets 429 with Retry-After and a JSON
GraphQL error RATE_LIMITED; without a key the client address is limited
(RATE_LIMIT_PER_ADDRESS); failed key checks are limited harder (RATE_LIMIT_FAILED_AUTH):
past it even a valid key from that address waits, and the burst is logged once, without
the address; with RATE_LIMIT_STORAGE=redis://... two server instances share the counts.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from app.db.engine import Database
from app.main import create_app
from tests.conftest import ApiClient, make_settings, new_api_client

REDIS = ("127.0.0.1", 6379)


def limited_app(db: Database, url: str, **limits: Any) -> Any:
    return create_app(make_settings(url, **limits), db)


@pytest.fixture
async def client_factory(db: Database, database_urls: dict[str, str], backend: str) -> AsyncIterator[Any]:
    made: list[ApiClient] = []

    async def make(**limits: Any) -> ApiClient:
        client = await new_api_client(db, limited_app(db, database_urls[backend], **limits))
        made.append(client)
        return client

    yield make
    for client in made:
        await client.http.aclose()


def assert_rate_limited(response: httpx.Response) -> int:
    assert response.status_code == 429, response.text
    assert response.json() == {
        "errors": [
            {
                "message": "Too many requests: slow down and retry after the time in Retry-After.",
                "extensions": {"code": "RATE_LIMITED"},
            }
        ]
    }
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= 60
    return retry_after


async def test_a_key_past_its_limit_gets_429_with_retry_after(client_factory: Any) -> None:
    api = await client_factory(rate_limit_per_key="3/minute")
    for _ in range(3):
        await api.gql("{ __typename }")
    assert_rate_limited(await api.post("{ __typename }"))


async def test_keys_are_limited_separately(client_factory: Any) -> None:
    api = await client_factory(rate_limit_per_key="2/minute")
    other = await new_api_client(api.db, api.http._transport.app)  # type: ignore[attr-defined]
    try:
        for _ in range(2):
            await api.gql("{ __typename }")
        assert_rate_limited(await api.post("{ __typename }"))
        await other.gql("{ __typename }")  # another key, same address: not limited
    finally:
        await other.http.aclose()


async def test_requests_without_a_key_are_limited_per_address(client_factory: Any) -> None:
    api = await client_factory(rate_limit_per_address="2/minute")
    for _ in range(2):
        assert (await api.http.post("/graphql", json={"query": "{ __typename }"})).status_code == 401
    assert_rate_limited(await api.http.post("/graphql", json={"query": "{ __typename }"}))


async def test_failed_key_checks_are_limited_harder_and_logged_once(client_factory: Any) -> None:
    api = await client_factory(rate_limit_failed_auth="3/minute")
    with capture_logs() as logs:
        for _ in range(3):
            assert (await api.post("{ __typename }", key="cpk_wrong")).status_code == 401
        for _ in range(5):
            assert_rate_limited(await api.post("{ __typename }", key="cpk_wrong"))
        # the address keeps guessing: even a valid key waits until the window passes
        assert_rate_limited(await api.post("{ __typename }"))
    bursts = [entry for entry in logs if entry["event"] == "failed_auth_rate_limited"]
    assert len(bursts) == 1, logs
    assert "127.0.0.1" not in str(bursts[0])


def redis_reachable() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_reachable(), reason="no Redis on 127.0.0.1:6379")
async def test_redis_storage_shares_counts_between_server_instances(
    db: Database, database_urls: dict[str, str], backend: str
) -> None:
    # A database number of its own and a fresh key per run: nothing left from before counts.
    settings = {"rate_limit_storage": "redis://127.0.0.1:6379/13", "rate_limit_per_key": "4/minute"}
    first = await new_api_client(
        db, limited_app(db, database_urls[backend], **settings), f"r{uuid.uuid4().hex}"
    )
    second_app = limited_app(db, database_urls[backend], **settings)
    second = httpx.AsyncClient(transport=httpx.ASGITransport(app=second_app), base_url="http://test")
    try:
        for _ in range(2):
            await first.gql("{ __typename }")
        headers = {"Authorization": f"Bearer {first.admin_key}"}
        for _ in range(2):
            response = await second.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
            assert response.status_code == 200
        assert_rate_limited(await second.post("/graphql", json={"query": "{ __typename }"}, headers=headers))
        assert_rate_limited(await first.post("{ __typename }"))
    finally:
        await first.http.aclose()
        await second.aclose()


async def test_keyless_development_access_is_refused_from_a_non_loopback_client(
    db: Database, database_urls: dict[str, str], backend: str
) -> None:
    app = create_app(make_settings(database_urls[backend], app_env="development"), db)
    await new_api_client(db, app)  # a project exists, so loopback clients are served
    # The address is only the ASGI scope's client field: nothing is sent anywhere.
    for client, expected in ((("203.0.113.7", 5000), 401), (("127.0.0.1", 5000), 200)):
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            response = await http.post("/graphql", json={"query": "{ project { name } }"})
        assert response.status_code == expected, response.text
