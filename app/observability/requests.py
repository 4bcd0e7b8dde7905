"""One log line and one set of metrics per HTTP request.

The line carries method, route, operation name, status, duration, request id and the
key's public prefix, and nothing else: never the query text, variables, App User IDs,
client addresses or keys. The route is the matched route's path ("/graphql"), never
the raw path, which a client could fill with anything.

Code further in (the GraphQL view, a schema extension) adds the operation name and key
prefix to the request's `RequestFacts`; the object is shared, so what they write is
seen here even when it was written in another task.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.logging import log
from app.observability import metrics

# Probes and scrapes come every few seconds: logged at debug level only.
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})


@dataclass(slots=True)
class RequestFacts:
    operation: str | None = None
    key_prefix: str | None = None


_current: ContextVar[RequestFacts | None] = ContextVar("request_facts", default=None)


def record_operation(name: str | None) -> None:
    facts = _current.get()
    if facts is not None:
        facts.operation = name


def record_key_prefix(prefix: str) -> None:
    facts = _current.get()
    if facts is not None:
        facts.key_prefix = prefix


def _route(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "(unmatched)"


class RequestObserver:
    """Pure ASGI middleware (not BaseHTTPMiddleware: that would run the app in another
    task and cost a copy of every response)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        facts = RequestFacts()
        token = _current.set(facts)
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering

        async def observed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            seconds = time.perf_counter() - started
            _current.reset(token)
            route = _route(scope)
            metrics.observe_http_request(route, status)
            if route == "/graphql":
                metrics.observe_graphql_request(facts.operation, status, seconds)
            emit = log.debug if route in QUIET_ROUTES else log.info
            emit(
                "request",
                method=scope["method"],
                path=route,
                operation=metrics.OPERATION_NAMES.label(facts.operation) if route == "/graphql" else None,
                status=status,
                duration_ms=round(seconds * 1000, 2),
                key_prefix=facts.key_prefix,
            )
