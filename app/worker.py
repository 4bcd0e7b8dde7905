"""Background work: the webhook dispatcher and the expiration scheduler.

They run inside the server by default (WEBHOOK_DISPATCHER=on) or alone as
`python -m app worker`; any number of workers may run against one PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from datetime import datetime

from app.db.engine import Database, create_engine
from app.db.types import utcnow
from app.logging import configure_logging, log
from app.observability.metrics import watch_pool
from app.services.expiration import expire_due_purchases
from app.services.rates import rate_table
from app.services.store_actions import finish_confirmed_actions, resume_stale_actions
from app.services.store_notifications import InboxWorker
from app.settings import Settings
from app.stores.registry import StoreAdapters
from app.webhooks.dispatcher import Dispatcher

# How long stopping waits for in-flight work before abandoning it.
STOP_GRACE_SECONDS = 2.0


class BackgroundWorker:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        stores: StoreAdapters,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.stores = stores
        self.settings = settings
        self.clock = clock
        self.stop_event = asyncio.Event()
        self.dispatcher = Dispatcher(
            db,
            settings.retry_delays,
            settings.webhook_timeout_seconds,
            clock,
            lease_margin_seconds=settings.webhook_lease_margin_seconds,
            allow_private_urls=settings.webhook_allow_private_urls,
        )
        self.inbox = InboxWorker(db, settings, stores.app_store_api, rate_table(settings), clock)
        self.tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self.tasks = [
            asyncio.create_task(
                self.dispatcher.run_forever(self.stop_event, self.settings.dispatcher_poll_seconds)
            ),
            asyncio.create_task(self._schedule_expirations()),
            asyncio.create_task(self._apply_store_notifications()),
        ]

    async def _apply_store_notifications(self) -> None:
        while not self.stop_event.is_set():
            try:
                applied = await self.inbox.run_once()
            except Exception:
                log.exception("store_notification_worker_error")
                applied = 0
            if applied == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self.stop_event.wait(), timeout=self.settings.store_notification_poll_seconds
                    )

    async def _schedule_expirations(self) -> None:
        while not self.stop_event.is_set():
            try:
                while await expire_due_purchases(self.db, self.clock()):
                    pass
                # Refunds and cancellations the store made but that were not recorded.
                await finish_confirmed_actions(self.db, self.clock())
                await resume_stale_actions(self.db, self.stores, self.clock())
            except Exception:
                log.exception("expiration_scheduler_error")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self.stop_event.wait(), timeout=self.settings.scheduler_interval_seconds
                )

    async def stop(self) -> None:
        """Finish what ends soon, abandon deliveries still waiting on a receiver (up to
        the 60 s timeout) and give their leases back, so shutdown stays under 10 s."""
        self.stop_event.set()
        if self.tasks:
            _, pending = await asyncio.wait(self.tasks, timeout=STOP_GRACE_SECONDS)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        try:
            await self.dispatcher.release_leases()
        except Exception:
            log.exception("webhook_lease_release_failed")  # the leases lapse by themselves
        await self.dispatcher.close()

    async def wait(self) -> None:
        await self.stop_event.wait()
        await self.stop()


async def run_worker(settings: Settings) -> None:
    configure_logging(settings.log_level, json=settings.is_production)
    db = Database(create_engine(settings.database_url))
    watch_pool(db.engine.sync_engine)
    stores = StoreAdapters.from_settings(settings)
    worker = BackgroundWorker(db, settings, stores)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, worker.stop_event.set)
    if settings.worker_metrics_port:
        from prometheus_client import start_http_server

        # The worker answers no HTTP otherwise: its delivery metrics get a port of their own.
        start_http_server(settings.worker_metrics_port, addr=settings.worker_metrics_host)
    worker.start()
    log.info("worker_started", database=db.dialect, metrics_port=settings.worker_metrics_port)
    try:
        await worker.wait()
    finally:
        await stores.close()
        await db.dispose()
