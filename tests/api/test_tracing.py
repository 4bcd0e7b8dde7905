"""OpenTelemetry tracing (issue 15 item 7): off by default; with OTEL_EXPORTER_OTLP_ENDPOINT
a request, its SQL and its outgoing HTTP calls become spans, read here from an in-memory
exporter, and no span carries the client's address, a full webhook URL, query text,
variables, App User IDs or keys."""

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from app.db.engine import Database
from app.main import create_app
from app.observability.tracing import origin_only, scrubbed_attributes
from app.services import projects
from app.webhooks.dispatcher import Dispatcher
from tests.conftest import make_settings
from tests.receiver import Receiver

# A documentation address (RFC 5737) as the ASGI client: a label in the request scope,
# nothing is ever sent to it.
CLIENT_ADDRESS = "203.0.113.7"
APP_USER_ID = "tracy.private-person"
CAPABILITY = "cap-9f8e7d6c5b4a"


@pytest.fixture
def instrumented() -> Iterator[None]:
    yield
    # The instrumentors patch process-wide: later tests run untraced.
    HTTPXClientInstrumentor().uninstrument()
    AioHttpClientInstrumentor().uninstrument()
    SQLAlchemyInstrumentor().uninstrument()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    server = await Receiver().start()
    yield server
    await server.stop()


def test_tracing_is_off_by_default() -> None:
    app = create_app(make_settings("sqlite+aiosqlite:///:memory:"))
    assert not any("OpenTelemetry" in m.cls.__name__ for m in app.user_middleware)  # type: ignore[attr-defined]


async def test_spans_of_a_request_its_sql_and_its_webhook_carry_nothing_private(
    db: Database, database_urls: dict[str, str], backend: str, receiver: Receiver, instrumented: None
) -> None:
    exporter = InMemorySpanExporter()
    settings = make_settings(database_urls[backend], otel_exporter_otlp_endpoint="http://127.0.0.1:4318")
    app = create_app(settings, db, span_exporter=exporter)
    _, key = await projects.create_project(db, "traced")
    transport = httpx.ASGITransport(app=app, client=(CLIENT_ADDRESS, 40001))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        headers = {"Authorization": f"Bearer {key}"}
        url = f"{receiver.url}/{CAPABILITY}?token={CAPABILITY}"
        created = await http.post(
            "/graphql",
            json={
                "query": "mutation($url: String!) { createWebhookEndpoint(input: {url: $url}) { webhookEndpoint { id } } }",
                "variables": {"url": url},
            },
            headers=headers,
        )
        endpoint_id = created.json()["data"]["createWebhookEndpoint"]["webhookEndpoint"]["id"]
        await http.post(
            "/graphql",
            json={
                "query": "mutation($id: String!) { recordAppOpen(input: {appUserId: $id}) { customer { id } } }",
                "variables": {"id": APP_USER_ID},
            },
            headers=headers,
        )
        await http.get(f"/graphql?query={APP_USER_ID}", headers=headers)
        await http.post(
            "/graphql",
            json={
                "query": "mutation($id: ID!) { sendTestWebhook(input: {webhookEndpointId: $id}) { userErrors { code } } }",
                "variables": {"id": endpoint_id},
            },
            headers=headers,
        )
    dispatcher = Dispatcher(db, [0], 5.0, allow_private_urls=True)
    try:
        assert await dispatcher.run_once() >= 1  # other tests' due deliveries may go too
    finally:
        await dispatcher.close()
    assert len(receiver.received) == 1
    app_provider_flushed = [m for m in app.user_middleware if "OpenTelemetry" in m.cls.__name__]  # type: ignore[attr-defined]
    provider = app_provider_flushed[0].kwargs["tracer_provider"]
    assert provider.force_flush()
    spans = exporter.get_finished_spans()

    server = [s for s in spans if s.kind is SpanKind.SERVER]
    client = [
        s
        for s in spans
        if s.kind is SpanKind.CLIENT and s.instrumentation_scope.name.endswith(("httpx", "aiohttp_client"))
    ]
    sql = [s for s in spans if s.instrumentation_scope.name.endswith("sqlalchemy")]
    assert len(server) >= 4 and sql and client, [(s.name, s.kind) for s in spans]
    # The request's SQL is a child of its request span.
    server_traces = {s.context.trace_id for s in server}
    assert any(s.context.trace_id in server_traces for s in sql)
    origins = [(s.attributes or {}).get("url.full", (s.attributes or {}).get("http.url")) for s in client]
    assert origin_only(receiver.url) in origins, origins  # the webhook call, its URL cut to the origin
    assert all(origin == origin_only(str(origin)) for origin in origins), origins

    everything = str([(s.name, dict(s.attributes or {}), [e.attributes for e in s.events]) for s in spans])
    for private in (CLIENT_ADDRESS, CAPABILITY, APP_USER_ID, key, "recordAppOpen", "token="):
        assert private not in everything, private


def test_scrubbing_rules() -> None:
    attributes: dict[str, Any] = {
        "client.address": "198.51.100.1",
        "net.peer.ip": "198.51.100.1",
        "http.url": "https://user:pw@hooks.example.com/secret/path?x=1",
        "url.full": "https://hooks.example.com/secret",
        "url.path": "/secret",
        "url.query": "query=%7B%7D&variables=%7B%7D",
        "http.target": "/graphql?query=x",
        "http.request.header.authorization": ("Bearer k",),
        "http.route": "/graphql",
        "db.statement": "SELECT 1 WHERE id = ?",
    }
    client = scrubbed_attributes(SpanKind.CLIENT, attributes)
    assert client == {
        "http.url": "https://hooks.example.com",
        "url.full": "https://hooks.example.com",
        "http.route": "/graphql",
        "db.statement": "SELECT 1 WHERE id = ?",
    }
    server = scrubbed_attributes(SpanKind.SERVER, attributes)
    assert server["url.path"] == "/secret" and server["http.target"] == "/graphql"
    assert "url.query" not in server and "client.address" not in server
