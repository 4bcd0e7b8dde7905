"""The ASGI application: /graphql, /healthz, /readyz, /metrics, /console."""

import gc
import hmac
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from asgi_correlation_id import CorrelationIdMiddleware
from cross_web import HTTPException
from opentelemetry.sdk.trace.export import SpanExporter
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from app.console import console_app
from app.cors import cors_middleware
from app.db.engine import Database, create_engine
from app.db.types import utcnow
from app.graphql import graphiql
from app.graphql.schema import build_schema
from app.graphql.view import GraphQLView, end_reads
from app.http.body_limit import BodySizeLimit
from app.http.rate_limit import CODE as RATE_LIMITED
from app.http.rate_limit import MESSAGE as RATE_LIMITED_MESSAGE
from app.http.rate_limit import RateLimited, RateLimiter
from app.http.responses import error_response
from app.http.store_notifications import (
    app_store_notifications,
    play_store_notifications,
    web_billing_notifications,
)
from app.http.unavailable import CODE as UNAVAILABLE
from app.http.unavailable import MESSAGE as UNAVAILABLE_MESSAGE
from app.http.unavailable import RETRY_AFTER_SECONDS, Unavailable
from app.logging import configure_logging, log
from app.observability import metrics, tracing
from app.observability.database_facts import database_facts
from app.observability.requests import RequestObserver
from app.services.projects import ensure_bootstrap_project
from app.settings import Settings, get_settings
from app.stores.registry import StoreAdapters
from app.worker import BackgroundWorker

# Store notification routes live under this prefix (StoreApp.notificationPath).
STORE_ROUTES_PREFIX = "/stores/"


UNAVAILABLE_HEADERS = {"Retry-After": str(RETRY_AFTER_SECONDS)}


def metrics_allowed(settings: Settings, authorization: str | None) -> bool:
    if not settings.metrics_token:
        return True
    expected = f"Bearer {settings.metrics_token}"
    return hmac.compare_digest((authorization or "").encode(), expected.encode())


GC_THRESHOLDS = (50_000, 50, 100)


def create_app(
    settings: Settings | None = None,
    db: Database | None = None,
    clock: Callable[[], datetime] = utcnow,
    stores: StoreAdapters | None = None,
    span_exporter: SpanExporter | None = None,
) -> Starlette:
    """The application; tests pass their own database and clock (and, to read the spans
    when tracing is on, an exporter in place of OTLP)."""
    settings = settings or get_settings()
    db = db or Database(create_engine(settings.database_url))
    schema = build_schema(settings)
    stores = stores or StoreAdapters.from_settings(settings)
    graphql = GraphQLView(schema, db, settings, stores, clock, RateLimiter(settings))
    metrics.watch_pool(db.engine.sync_engine)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        try:
            async with db.read() as session:
                await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        except Exception:
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ready"})

    async def metrics_endpoint(request: Request) -> Response:
        if not metrics_allowed(settings, request.headers.get("authorization")):
            return error_response(
                401, "/metrics needs 'Authorization: Bearer <METRICS_TOKEN>'.", "UNAUTHENTICATED"
            )
        body, content_type = metrics.render(await database_facts(db))
        return Response(body, media_type=content_type)

    async def graphql_endpoint(request: Request) -> Response:
        refusal = await _unreadable_body(request)
        if refusal is not None:
            refusal.headers["Cache-Control"] = "no-store"
            return refusal
        try:
            response: Response = await graphql.run(request)
        except RateLimited as exc:
            metrics.count_rate_limit_refusal(exc.reason)
            response = error_response(
                429, RATE_LIMITED_MESSAGE, RATE_LIMITED, {"Retry-After": str(exc.retry_after)}
            )
        except Unavailable:
            response = error_response(503, UNAVAILABLE_MESSAGE, UNAVAILABLE, UNAVAILABLE_HEADERS)
        except HTTPException as exc:
            response = PlainTextResponse(exc.reason, status_code=exc.status_code)
        finally:
            # Refused after the key check (429, a body that is not JSON) or answered:
            # the connection the key was checked on goes back either way.
            await end_reads(request)
        # API answers are per key and often personal: no cache may keep them.
        response.headers["Cache-Control"] = "no-store"
        return response

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        configure_logging(settings.log_level, json=settings.is_production)
        if settings.bootstrap_admin_key:
            await ensure_bootstrap_project(db, settings.bootstrap_admin_key)
        background = start_background_work(settings, db, stores, clock)
        # Objects built at start-up never become garbage: freezing them keeps the
        # collector's pauses short under load (p99 64 ms -> 9 ms, see STACK-NOTES).
        gc.collect()
        gc.freeze()
        # A page of 100 customers allocates about a million objects, nearly all garbage
        # at the end of the request: with the default thresholds (700, 10, 10) the
        # collector ran about 700 times a page and took 23 % of its CPU at 16 pages in
        # flight; with these, 4 % and the page 26 % cheaper (issue 14, item 5).
        gc.set_threshold(*GC_THRESHOLDS)
        log.info("started", env=settings.app_env, database=db.dialect)
        try:
            yield
        finally:
            await background.stop()
            await stores.close()
            await db.dispose()
            metrics.process_exited()

    routes: list[BaseRoute] = [
        Route("/graphql", graphql_endpoint, methods=["GET", "POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint),
        Route(
            f"{STORE_ROUTES_PREFIX}app-store/{{token}}",
            app_store_notifications(db, settings, clock),  # type: ignore[arg-type]
            methods=["POST"],
        ),
        Route(
            f"{STORE_ROUTES_PREFIX}play-store/{{token}}",
            play_store_notifications(db, settings, clock),  # type: ignore[arg-type]
            methods=["POST"],
        ),
        Route(
            f"{STORE_ROUTES_PREFIX}web-billing/{{token}}",
            web_billing_notifications(db, settings, clock),  # type: ignore[arg-type]
            methods=["POST"],
        ),
        Mount("/console", app=console_app(graphql, settings)),
    ]
    if not settings.is_production:
        routes.append(Mount(graphiql.STATIC_URL, StaticFiles(directory=graphiql.STATIC_DIR)))
    middleware = [
        *tracing_middleware(settings, db, span_exporter),
        *observability_middleware(settings),
        # Inside the request line and CORS, so a refused body is still logged and readable
        # by a browser; before anything reads the body.
        Middleware(
            BodySizeLimit,
            limit=settings.max_body_bytes,
            path_limits=[(STORE_ROUTES_PREFIX, settings.max_store_body_bytes)],
        ),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.db = db
    app.state.settings = settings
    app.state.stores = stores
    return app


async def _unreadable_body(request: Request) -> Response | None:
    """A body that is not UTF-8 JSON is the client's mistake: 400, never a 500."""
    if request.method != "POST" or "json" not in request.headers.get("content-type", ""):
        return None
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError, RecursionError):
        return PlainTextResponse("The request body is not valid JSON (UTF-8).", status_code=400)
    if not isinstance(body, dict):
        return PlainTextResponse("The request body must be a JSON object with a query.", status_code=400)
    return None


def tracing_middleware(settings: Settings, db: Database, exporter: SpanExporter | None) -> list[Middleware]:
    """Outermost, so a request's span covers everything (off by default)."""
    if not tracing.tracing_enabled(settings):
        return []
    provider = tracing.tracer_provider(settings, exporter)
    tracing.instrument_clients(db.engine, provider)
    return [tracing.request_middleware(provider)]


def observability_middleware(settings: Settings) -> list[Middleware]:
    """Outermost first: the request id exists before anything logs, the request line
    sees every answer (CORS preflights included)."""
    return [
        Middleware(CorrelationIdMiddleware, header_name="X-Request-ID"),
        Middleware(RequestObserver),
        *cors_middleware(settings),
    ]


class NoBackgroundWork:
    """WEBHOOK_DISPATCHER=off: a separate `python -m app worker` does the work."""

    async def stop(self) -> None:
        return None


def start_background_work(
    settings: Settings, db: Database, stores: StoreAdapters, clock: Callable[[], datetime]
) -> BackgroundWorker | NoBackgroundWork:
    if settings.webhook_dispatcher == "off":
        return NoBackgroundWork()
    worker = BackgroundWorker(db, settings, stores, clock)
    worker.start()
    return worker


def __getattr__(name: str) -> Any:
    # `uvicorn app.main:app` builds the app on first access, not at import, so tests and
    # the CLI can import this module without reading the environment.
    if name == "app":
        return create_app()
    raise AttributeError(name)
