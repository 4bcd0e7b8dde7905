"""OpenTelemetry tracing, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set (issue 15 item 7).

A request's span (the ASGI instrumentation, around the whole Starlette app), its SQL
(the SQLAlchemy instrumentation on the engine) and its outgoing calls (the httpx
instrumentation for store APIs, the aiohttp one for webhook deliveries) go to an OTLP/HTTP collector.

What spans must not carry, whatever an instrumentation version records: client IP
addresses and ports, full URLs (a webhook URL is often a capability; a GET's query
string holds GraphQL query text and variables), and keys (no header is captured). Every
span passes `scrubbed()` on its way to the exporter: addresses are dropped, URLs cut to
scheme, host and port (server spans keep their path, which is a route of ours), and
SQL statements are kept only as the text SQLAlchemy sends with bound parameters (the
values never reach a span).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import SpanKind
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.middleware import Middleware

from app.settings import Settings

# Who the client is: never on a span (old and current semantic-convention names).
ADDRESS_ATTRIBUTES = frozenset(
    {
        "client.address",
        "client.port",
        "http.client_ip",
        "net.peer.ip",
        "net.peer.port",
        "net.sock.peer.addr",
        "net.sock.peer.port",
        "network.peer.address",
        "network.peer.port",
        "user_agent.original",
        "http.user_agent",
    }
)
URL_ATTRIBUTES = frozenset({"http.url", "url.full"})
# Query strings (GraphQL text and variables on a GET) and client-side paths (webhook URLs).
QUERY_ATTRIBUTES = frozenset({"url.query", "http.target"})
CLIENT_PATH_ATTRIBUTES = frozenset({"url.path", "http.target"})


def origin_only(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}" if parts.scheme else ""


def scrubbed_attributes(kind: SpanKind, attributes: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for name, value in attributes.items():
        if name in ADDRESS_ATTRIBUTES or name.startswith(("http.request.header.", "http.response.header.")):
            continue
        if name in URL_ATTRIBUTES:
            kept[name] = origin_only(str(value))
            continue
        if kind is SpanKind.CLIENT and name in CLIENT_PATH_ATTRIBUTES:
            continue
        if name in QUERY_ATTRIBUTES:
            if name == "http.target":  # a server span's target: its path without the query
                kept[name] = str(value).split("?", 1)[0]
            continue
        kept[name] = value
    return kept


def scrubbed(span: ReadableSpan) -> ReadableSpan:
    """The span as it may leave the process."""
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=scrubbed_attributes(span.kind, dict(span.attributes or {})),
        events=[],  # exception events could quote values; the status says it failed
        links=span.links,
        kind=span.kind,
        status=span.status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class ScrubbingExporter(SpanExporter):
    def __init__(self, exporter: SpanExporter) -> None:
        self.exporter = exporter

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self.exporter.export([scrubbed(span) for span in spans])

    def shutdown(self) -> None:
        self.exporter.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.exporter.force_flush(timeout_millis)


def tracing_enabled(settings: Settings) -> bool:
    return bool(settings.otel_exporter_otlp_endpoint)


def tracer_provider(settings: Settings, exporter: SpanExporter | None = None) -> TracerProvider:
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = (settings.otel_exporter_otlp_endpoint or "").rstrip("/")
        exporter = OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces")
    provider = TracerProvider(resource=Resource.create({"service.name": settings.otel_service_name}))
    provider.add_span_processor(BatchSpanProcessor(ScrubbingExporter(exporter)))
    return provider


def instrument_clients(engine: AsyncEngine, provider: TracerProvider) -> None:
    """Trace the engine's SQL and every httpx and aiohttp client's calls (the ASGI middleware traces
    requests). Instrumentors patch process-wide, once: one traced app per process."""
    # The instrumentation declares SQLAlchemy < 2.1 and would silently do nothing with
    # 2.1; its event hooks work unchanged there (tests/api/test_tracing.py reads the spans).
    SQLAlchemyInstrumentor().instrument(
        engine=engine.sync_engine, tracer_provider=provider, enable_commenter=False, skip_dep_check=True
    )
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    # Webhook deliveries go through aiohttp (app/webhooks/dispatcher.py).
    AioHttpClientInstrumentor().instrument(tracer_provider=provider)


def request_middleware(provider: TracerProvider) -> Middleware:
    """One server span per request (the body's receive and send events make none)."""
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    return Middleware(OpenTelemetryMiddleware, tracer_provider=provider, exclude_spans=["receive", "send"])
