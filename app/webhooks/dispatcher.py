"""The webhook dispatcher: sends outbox rows, records the answer, schedules retries.

Claiming: a worker takes due rows under a lease (`locked_until`); on PostgreSQL the
claim uses FOR UPDATE SKIP LOCKED so several workers never take the same row, and on
SQLite writers are serialized anyway. A worker that dies mid-delivery leaves its lease
to lapse and the row is sent again: delivery is at least once, and receivers
deduplicate on `event.id`, which is the same on every attempt.

Order: a row is only taken when no earlier row of the same customer is still open
for the same endpoint, so one customer's events reach an endpoint in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from sqlalchemy import bindparam, update
from sqlalchemy.orm import aliased
from sqlmodel import col, or_, select

from app.db.engine import Database, on_postgres
from app.db.models import CustomerEvent, WebhookDelivery, WebhookEndpoint
from app.db.types import utcnow
from app.domain.enums import DeliveryStatus
from app.domain.webhook_endpoints import is_header_value
from app.http.outbound import tls_context
from app.logging import log
from app.observability.metrics import observe_webhook_delivery
from app.webhooks.outbox import after_failure
from app.webhooks.signing import delivery_headers
from app.webhooks.url_guard import Resolver, system_resolver, url_problem

OPEN = (DeliveryStatus.PENDING.value, DeliveryStatus.RETRYING.value)

# A delivery's outcome, written only while our lease holds: a worker that lost it must
# not overwrite the row. Built once, run with one parameter set per delivery.
_OURS = (
    col(WebhookDelivery.id) == bindparam("row_id"),
    col(WebhookDelivery.locked_until) == bindparam("lease"),
)
_RECORD_DELIVERED = (
    update(WebhookDelivery)
    .where(*_OURS)
    .values(status=bindparam("new_status"), last_response_status=bindparam("http_status"), locked_until=None)
)
_RECORD_FAILED = (
    update(WebhookDelivery)
    .where(*_OURS)
    .values(
        status=bindparam("new_status"),
        next_attempt_at=bindparam("next_at"),
        last_response_status=bindparam("http_status"),
        locked_until=None,
    )
)
USER_AGENT = "customer-profile-webhooks/1.0"
# What is read of a receiver's answer: its status is what counts, and a receiver must not
# make us hold a large body. A longer body closes the connection instead of reusing it.
ANSWER_BYTES_READ = 64 * 1024


@dataclass(frozen=True, slots=True)
class Claimed:
    delivery_id: int
    lease: datetime
    attempts: int
    url: str
    authorization: str | None
    # Each signs the delivery: the current secret, then the one before a recent rotation.
    secrets: tuple[str, ...]
    event_id: str
    body: bytes
    request_id: str | None = None


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> tuple[str, ...]:
    """The secrets a delivery is signed with now: the endpoint's own, and the one it
    replaced while that one is still valid (DESIGN 4.9: 24 h after a rotation)."""
    previous, until = endpoint.previous_signing_secret, endpoint.previous_secret_expires_at
    if previous and until is not None and now < until:
        return (endpoint.signing_secret, previous)
    return (endpoint.signing_secret,)


def encode_body(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


class Dispatcher:
    def __init__(
        self,
        db: Database,
        retry_delays: list[float],
        timeout_seconds: float,
        clock: Callable[[], datetime] = utcnow,
        batch_size: int = 100,
        concurrency: int = 32,
        lease_margin_seconds: float = 30.0,
        allow_private_urls: bool = False,
        resolve: Resolver = system_resolver,
    ) -> None:
        self.db = db
        self.retry_delays = retry_delays
        self.timeout = timeout_seconds
        self.clock = clock
        self.batch_size = batch_size
        self.lease_margin = timedelta(seconds=lease_margin_seconds)
        self.concurrency = asyncio.Semaphore(concurrency)
        self.allow_private_urls = allow_private_urls
        # Claimed and not yet recorded: released at shutdown so another worker retries them.
        self.in_flight: set[Claimed] = set()
        self.resolve = resolve
        # Made on first use: an aiohttp session belongs to the running event loop.
        self._session: aiohttp.ClientSession | None = None
        self._connections = concurrency

    def session(self) -> aiohttp.ClientSession:
        """aiohttp, not httpx as the store calls: httpcore's pool looks at every open
        connection on each request, and at 32 concurrent deliveries that made the HTTP
        client most of the dispatcher's CPU (issue 14, item 7)."""
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=tls_context(), limit=self._connections),
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                headers={"User-Agent": USER_AGENT},
                # As httpx does by default: proxy settings from the environment.
                trust_env=True,
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def run_once(self) -> int:
        """Claim and send one batch; returns how many deliveries were attempted.

        The outcomes are written together when the batch is done, in one transaction
        (a transaction per delivery was most of the dispatcher's database time: issue
        14, item 7), and also when the batch is cut short: what was sent is recorded."""
        claimed = await self._claim()
        if claimed:
            sent: list[tuple[Claimed, int | None]] = []
            try:
                await asyncio.gather(*(self._deliver(item, sent) for item in claimed))
            finally:
                if sent:
                    await self._record(sent)
        return len(claimed)

    async def _claim(self) -> list[Claimed]:
        now = self.clock()
        lease = now + timedelta(seconds=self.timeout) + self.lease_margin
        earlier = aliased(WebhookDelivery)

        def earlier_still_open(customer_id: Any) -> Any:
            return (
                select(earlier.id)
                .where(
                    earlier.endpoint_id == WebhookDelivery.endpoint_id,
                    earlier.customer_id == customer_id,
                    col(earlier.status).in_(OPEN),
                    col(earlier.id) < col(WebhookDelivery.id),
                )
                .exists()
            )

        statement = (
            select(WebhookDelivery, CustomerEvent.payload, WebhookEndpoint)
            # Outer: a TEST delivery has no timeline event and carries its own body.
            .outerjoin(CustomerEvent, col(CustomerEvent.id) == col(WebhookDelivery.event_id))
            .join(WebhookEndpoint, col(WebhookEndpoint.id) == col(WebhookDelivery.endpoint_id))
            .where(
                col(WebhookDelivery.status).in_(OPEN),
                col(WebhookDelivery.next_attempt_at) <= now,
                or_(col(WebhookDelivery.locked_until).is_(None), col(WebhookDelivery.locked_until) < now),
                # Two tests, not one with an OR of the two customers: each is then a
                # lookup in ix_webhook_delivery_order, where the OR made PostgreSQL scan
                # every earlier row of the endpoint for each row due (67 ms a batch of
                # 100 with 1,000 open: issue 14, item 7).
                ~earlier_still_open(WebhookDelivery.customer_id),
                ~earlier_still_open(WebhookDelivery.after_customer_id),
            )
            .order_by(col(WebhookDelivery.id))
            .limit(self.batch_size)
        )
        if not await self._anything_due(now):
            return []
        async with self.db.transaction() as session:
            if on_postgres(session):
                statement = statement.with_for_update(of=WebhookDelivery, skip_locked=True)  # type: ignore[arg-type]
            rows = (await session.exec(statement)).all()
            claimed = []
            for delivery, event_payload, endpoint in rows:
                payload = delivery.payload if delivery.payload is not None else event_payload
                delivery.locked_until = lease
                delivery.attempts += 1
                delivery.last_attempt_at = now
                session.add(delivery)
                claimed.append(
                    Claimed(
                        delivery_id=delivery.id or 0,
                        lease=lease,
                        attempts=delivery.attempts,
                        url=endpoint.url,
                        authorization=endpoint.authorization_header,
                        secrets=signing_secrets(endpoint, now),
                        event_id=str(payload["event"]["id"]),
                        body=encode_body(payload),
                        request_id=delivery.request_id,
                    )
                )
        return claimed

    async def _anything_due(self, now: datetime) -> bool:
        """A cheap read first: an idle dispatcher must not take SQLite's write lock
        (BEGIN IMMEDIATE) twice a second."""
        statement = (
            select(WebhookDelivery.id)
            .where(col(WebhookDelivery.status).in_(OPEN), col(WebhookDelivery.next_attempt_at) <= now)
            .limit(1)
        )
        async with self.db.engine.connect() as connection:
            return (await connection.execute(statement)).first() is not None

    async def _deliver(self, item: Claimed, sent: list[tuple[Claimed, int | None]]) -> None:
        self.in_flight.add(item)
        async with self.concurrency:
            status = await self._send(item)
        sent.append((item, status))

    async def release_leases(self) -> int:
        """Give back the rows whose delivery was abandoned (shutdown): the attempt is not
        counted and the row is due again at once, for this or another worker."""
        released = 0
        for item in list(self.in_flight):
            async with self.db.transaction() as session:
                result = await session.exec(  # type: ignore[call-overload]
                    update(WebhookDelivery)
                    .where(
                        col(WebhookDelivery.id) == item.delivery_id,
                        col(WebhookDelivery.locked_until) == item.lease,
                    )
                    .values(locked_until=None, attempts=col(WebhookDelivery.attempts) - 1)
                )
                released += result.rowcount or 0
            self.in_flight.discard(item)
        if released:
            log.info("webhook_leases_released", deliveries=released)
        return released

    async def _send(self, item: Claimed) -> int | None:
        started = time.perf_counter()
        status = await self._post(item)
        observe_webhook_delivery(status, time.perf_counter() - started)
        return status

    async def _post(self, item: Claimed) -> int | None:
        headers = {
            "Content-Type": "application/json",
            **delivery_headers(item.secrets, item.event_id, int(time.time()), item.body),
        }
        if item.authorization:
            headers["Authorization"] = item.authorization
        try:
            if item.authorization and not is_header_value(item.authorization):
                # A value stored before the rule existed: sent as is, it would reach the
                # receiver mangled or carry a header of its own.
                raise ValueError("the endpoint's Authorization value is not a header value")
            if not self.allow_private_urls:
                problem = await url_problem(item.url, self.resolve, require_resolution=True)
                if problem is not None:
                    log.warning("webhook_delivery_refused", delivery_id=item.delivery_id, reason=problem)
                    return None
            async with self.session().post(
                item.url, data=item.body, headers=headers, allow_redirects=False
            ) as response:
                await response.content.read(ANSWER_BYTES_READ)
                return response.status
        except Exception as exc:
            # Any failure is an attempt (a header that cannot be encoded, a bad URL, a
            # transport error): it is retried and ends FAILED, never left leased forever.
            log.info(
                "webhook_delivery_error",
                delivery_id=item.delivery_id,
                error=type(exc).__name__,
                request_id=item.request_id,
            )
            return None

    async def _record(self, sent: list[tuple[Claimed, int | None]]) -> None:
        now = self.clock()
        delivered: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for item, status in sent:
            row: dict[str, Any] = {"row_id": item.delivery_id, "lease": item.lease, "http_status": status}
            if status == 200:
                delivered.append(row | {"new_status": DeliveryStatus.DELIVERED.value})
            else:
                next_status, next_at = after_failure(item.attempts, self.retry_delays, now)
                failed.append(row | {"new_status": next_status.value, "next_at": next_at})
        async with self.db.transaction() as session:
            # One Core statement per kind of outcome, for all its rows (executemany).
            connection = await session.connection()
            for rows, statement in ((delivered, _RECORD_DELIVERED), (failed, _RECORD_FAILED)):
                if rows:
                    await connection.execute(statement, rows)
        outcome = {row["row_id"]: row["new_status"] for row in delivered + failed}
        for item, status in sent:
            self.in_flight.discard(item)
            log.info(
                "webhook_delivery",
                delivery_id=item.delivery_id,
                status=outcome[item.delivery_id],
                http_status=status,
                # The request whose change caused this delivery (none for the scheduler's).
                request_id=item.request_id,
            )

    async def run_forever(self, stop: asyncio.Event, poll_seconds: float) -> None:
        while not stop.is_set():
            try:
                sent = await self.run_once()
            except Exception:
                log.exception("webhook_dispatcher_error")
                sent = 0
            if sent == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=poll_seconds)
