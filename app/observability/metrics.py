"""Prometheus metrics (prometheus-client), correct across server processes.

With `PROMETHEUS_MULTIPROC_DIR` set (`python -m app serve` sets it for its workers),
every process writes its samples to files in that directory and /metrics adds them up,
so a scrape answers for all `--workers`, whichever process it reaches. Without it (tests
in one process, a bare `uvicorn app.main:app`) the process's own registry is used.

Label values are bounded: operation names are the client's words, so a name that is
not a plain GraphQL name becomes "invalid" and, past MAX_OPERATION_NAMES distinct names
in a process, "other"; a scrape never grows with what clients send.
"""

from __future__ import annotations

import os
import re

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)

from app.observability.multiprocess import multiprocess_dir

MAX_OPERATION_NAMES = 200
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter(
    "graphql_requests",
    "GraphQL HTTP requests by operation name and HTTP status.",
    ["operation", "status"],
)
REQUEST_SECONDS = Histogram(
    "graphql_request_duration_seconds",
    "Time to answer a GraphQL HTTP request, by operation name and HTTP status.",
    ["operation", "status"],
    buckets=LATENCY_BUCKETS,
)
HTTP_REQUESTS = Counter(
    "http_requests", "HTTP requests by route and status (every route).", ["route", "status"]
)
GRAPHQL_ERRORS = Counter("graphql_errors", "Top-level GraphQL errors by extensions.code.", ["code"])
COMPILED_READS = Counter(
    "graphql_compiled_reads",
    "Queries with a plan (app/graphql/compiled/): answered from it, or handed back to the executor.",
    ["outcome"],
)
DB_POOL_CHECKED_OUT = Gauge(
    "db_pool_connections_in_use",
    "Database connections checked out of the pool right now (all live processes).",
    multiprocess_mode="livesum",
)
DB_POOL_OPENED = Counter("db_pool_connections_opened", "Database connections opened by the pool.")
RATE_LIMIT_REFUSALS = Counter(
    "rate_limit_refusals", "Requests refused with 429, by which limit refused them.", ["reason"]
)
WEBHOOK_DELIVERY_SECONDS = Histogram(
    "webhook_delivery_duration_seconds",
    "Time from sending a webhook to its answer (or failure), by result.",
    ["result"],
    buckets=(*LATENCY_BUCKETS, 60.0),
)
STORE_NOTIFICATIONS = Counter(
    "store_notifications",
    "Store notifications by store and outcome: verified, repeated, refused (bad signature), "
    "unavailable (answered 503), applied, parked, ignored, retried, failed.",
    ["store", "outcome"],
)


class OperationNames:
    """Bounded label values for operation names (see the module docstring)."""

    def __init__(self, limit: int = MAX_OPERATION_NAMES) -> None:
        self.limit = limit
        self.seen: set[str] = set()

    def label(self, name: str | None) -> str:
        if not name:
            return "anonymous"
        if not _NAME.fullmatch(name):
            return "invalid"
        if name in self.seen:
            return name
        if len(self.seen) >= self.limit:
            return "other"
        self.seen.add(name)
        return name


OPERATION_NAMES = OperationNames()


def observe_graphql_request(operation: str | None, status: int, seconds: float) -> None:
    label = OPERATION_NAMES.label(operation)
    REQUESTS.labels(label, str(status)).inc()
    REQUEST_SECONDS.labels(label, str(status)).observe(seconds)


def observe_http_request(route: str, status: int) -> None:
    HTTP_REQUESTS.labels(route, str(status)).inc()


def count_graphql_error(code: str) -> None:
    GRAPHQL_ERRORS.labels(code if _NAME.fullmatch(code) else "invalid").inc()


def count_compiled_read(outcome: str) -> None:
    COMPILED_READS.labels(outcome).inc()


def count_rate_limit_refusal(reason: str) -> None:
    label = reason.replace("-", "_")
    RATE_LIMIT_REFUSALS.labels(label if _NAME.fullmatch(label) else "invalid").inc()


def observe_webhook_delivery(http_status: int | None, seconds: float) -> None:
    result = "delivered" if http_status == 200 else ("no_answer" if http_status is None else "refused")
    WEBHOOK_DELIVERY_SECONDS.labels(result).observe(seconds)


def count_store_notification(store: str, outcome: str) -> None:
    STORE_NOTIFICATIONS.labels(store, outcome if _NAME.fullmatch(outcome) else "invalid").inc()


def watch_pool(sync_engine: object) -> None:
    """Count the engine's pool checkouts: the gauge shows connections in use."""
    from sqlalchemy import event

    event.listen(sync_engine, "connect", lambda *_: DB_POOL_OPENED.inc())
    event.listen(sync_engine, "checkout", lambda *_: DB_POOL_CHECKED_OUT.inc())
    event.listen(sync_engine, "checkin", lambda *_: DB_POOL_CHECKED_OUT.dec())


def _writes_files() -> bool:
    """Whether this process stores samples in files: decided when prometheus-client was
    first imported, so a directory set later is not ours to read."""
    return bool(getattr(values.ValueClass, "_multiprocess", False))


def render(extra: CollectorRegistry | None = None) -> tuple[bytes, str]:
    """The exposition text: every process's samples (or this one's), plus `extra`
    (facts read from the database at scrape time, the same whichever process answers)."""
    directory = multiprocess_dir()
    if directory and _writes_files():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    if extra is not None:
        text += generate_latest(extra)
    return text, CONTENT_TYPE_LATEST


def process_exited(pid: int | None = None) -> None:
    """A server process stops: its live gauges (connections in use) stop counting."""
    directory = multiprocess_dir()
    if directory and _writes_files():
        multiprocess.mark_process_dead(pid or os.getpid(), directory)
