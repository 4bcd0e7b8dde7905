"""Gauges read from the database at scrape time: the webhook outbox is one queue for
every process and worker, so its depth is counted where it lives, not per process."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func
from sqlmodel import col, select

from app.db.engine import Database
from app.db.models import StoreNotification, WebhookDelivery
from app.domain.enums import DeliveryStatus, NotificationStatus
from app.logging import log

OPEN_STATUSES = (DeliveryStatus.PENDING.value, DeliveryStatus.RETRYING.value)
# Inbox rows not (yet) applied: waiting, waiting for their purchase's owner, given up.
INBOX_STATUSES = (
    NotificationStatus.PENDING.value,
    NotificationStatus.PARKED.value,
    NotificationStatus.FAILED.value,
)


class _Families:
    """A collector of ready-made families: no per-process sample files are written."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterable[Metric]:
        return self.families


async def database_facts(db: Database) -> CollectorRegistry:
    depth = GaugeMetricFamily(
        "webhook_outbox_depth", "Webhook deliveries waiting to be sent, by status.", labels=["status"]
    )
    inbox = GaugeMetricFamily(
        "store_notification_inbox_depth", "Store notifications not applied, by status.", labels=["status"]
    )
    up = GaugeMetricFamily("database_up", "1 when the database answered this scrape.")
    try:
        statement = (
            select(WebhookDelivery.status, func.count())
            .where(col(WebhookDelivery.status).in_(OPEN_STATUSES))
            .group_by(WebhookDelivery.status)
        )
        inbox_statement = (
            select(StoreNotification.status, func.count())
            .where(col(StoreNotification.status).in_(INBOX_STATUSES))
            .group_by(StoreNotification.status)
        )
        async with db.read() as session:
            counts = dict((await session.exec(statement)).all())
            inbox_counts = dict((await session.exec(inbox_statement)).all())
    except Exception as exc:
        log.warning("metrics_database_unavailable", error=type(exc).__name__)
        up.add_metric([], 0)
        families: list[Metric] = [up]
    else:
        for status in OPEN_STATUSES:
            depth.add_metric([status.lower()], counts.get(status, 0))
        for status in INBOX_STATUSES:
            inbox.add_metric([status.lower()], inbox_counts.get(status, 0))
        up.add_metric([], 1)
        families = [depth, inbox, up]
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families(families))  # type: ignore[arg-type]
    return registry
