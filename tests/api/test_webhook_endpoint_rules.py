"""Webhook endpoint rules at creation and delivery (DESIGN 4.9, issue 13 item 6).

Rules checked: with WEBHOOK_ALLOW_PRIVATE_URLS off, createWebhookEndpoint refuses URLs to
loopback, private, link-local and unspecified addresses in every spelling, and nothing is
stored (on a server whose dispatcher is off and which has no events, so nothing could be
sent even if a refusal failed); Authorization values that cannot be sent as a header
(non-ASCII, CR/LF) are refused; an endpoint whose deliveries fail for a reason other than
HTTP (a value that cannot be encoded, stored before this rule) counts every try as an
attempt, ends FAILED, and never blocks the customer's later events.
"""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from app.db.engine import Database
from app.main import create_app
from tests.api.test_webhooks import CREATE_ENDPOINT, add_endpoint, dispatcher, drain, history
from tests.conftest import ApiClient, make_settings, new_api_client
from tests.receiver import Receiver

INSIDE = [
    "http://127.0.0.1:9/x",
    "http://2130706433/x",
    "http://0x7f000001/x",
    "http://[::1]/x",
    "http://[::ffff:127.0.0.1]/x",
    "http://0.0.0.0/x",
    "http://169.254.169.254/x",
    "http://10.0.0.1/x",
    "http://localhost/x",
]


@pytest.fixture
async def strict(db: Database, database_urls: dict[str, str], backend: str) -> AsyncIterator[ApiClient]:
    settings = make_settings(
        database_urls[backend], webhook_allow_private_urls=False, webhook_dispatcher="off"
    )
    client = await new_api_client(db, create_app(settings, db))
    try:
        yield client
    finally:
        await client.http.aclose()


async def endpoint_count(api: ApiClient) -> int:
    async with api.db.read() as session:
        result = await session.exec(  # type: ignore[call-overload]
            text("SELECT count(*) FROM webhook_endpoint WHERE project_id = :p"), params={"p": api.project_id}
        )
        return int(result.scalar_one())


async def test_urls_to_addresses_inside_are_refused_at_creation(strict: ApiClient) -> None:
    for url in INSIDE:
        result = (await strict.gql(CREATE_ENDPOINT, {"input": {"url": url}}))["createWebhookEndpoint"]
        assert result["webhookEndpoint"] is None, url
        assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
            ("INVALID_INPUT", ["input", "url"])
        ]
    assert await endpoint_count(strict) == 0


@pytest.mark.parametrize("value", ["Bearer café", "Bearer a\r\nX-Injected: 1", "Bearer \x7f"])
async def test_header_values_that_cannot_be_sent_are_refused(strict: ApiClient, value: str) -> None:
    result = (
        await strict.gql(
            CREATE_ENDPOINT, {"input": {"url": "https://93.184.216.34/x", "authorizationHeader": value}}
        )
    )["createWebhookEndpoint"]
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("INVALID_INPUT", ["input", "authorizationHeader"])
    ]
    assert await endpoint_count(strict) == 0


async def test_loopback_urls_are_allowed_when_the_setting_lifts_the_rule(api: ApiClient) -> None:
    endpoint, _ = await add_endpoint(api, "http://127.0.0.1:9/x")  # `api` sets WEBHOOK_ALLOW_PRIVATE_URLS
    assert endpoint["url"] == "http://127.0.0.1:9/x"


async def test_a_bad_endpoint_never_blocks_later_events(api: ApiClient) -> None:
    good = await Receiver().start()
    bad = await Receiver().start()
    try:
        await add_endpoint(api, good.url)
        bad_endpoint, _ = await add_endpoint(api, bad.url, authorizationHeader="Bearer ok")
        # A value stored before the ASCII rule existed: the dispatcher will not send it.
        async with api.db.transaction() as session:
            await session.exec(  # type: ignore[call-overload]
                text("UPDATE webhook_endpoint SET authorization_header = :v WHERE url = :u"),
                params={"v": "Bearer café", "u": bad.url},
            )
        await api.gql('mutation { recordAppOpen(input: {appUserId: "stuck"}) { userErrors { code } } }')
        for amount in (1, 2):
            await api.gql(
                f'mutation {{ adjustVirtualCurrency(input: {{appUserId: "stuck", code: "GEMS", amount: {amount}}}) {{ userErrors {{ code }} }} }}'
            )
        d = dispatcher(api, delays=[0, 0])
        await drain(d)
        await d.close()
        deliveries = [d for event in await history(api, "stuck") for d in event["deliveries"]]
        to_bad = [d for d in deliveries if d["endpoint"]["url"] == bad.url]
        to_good = [d for d in deliveries if d["endpoint"]["url"] == good.url]
        assert len(to_bad) == 2 and len(to_good) == 2
        # every try counted; both events ended FAILED in order, neither left pending
        assert [(d["status"], d["attempts"]) for d in to_bad] == [("FAILED", 3), ("FAILED", 3)]
        assert [d["status"] for d in to_good] == ["DELIVERED", "DELIVERED"]
        assert bad.received == [] and len(good.received) == 2
        assert bad_endpoint["hasAuthorizationHeader"]
    finally:
        await good.stop()
        await bad.stop()
