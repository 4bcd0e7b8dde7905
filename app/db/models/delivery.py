"""Webhook endpoints and deliveries (the outbox), and actions at the stores."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from asgi_correlation_id import correlation_id
from sqlmodel import Field

from app.db.models.base import Base, _fk, _ts
from app.db.types import EnumText, UTCDateTime, empty_list, utcnow
from app.domain.enums import DeliveryStatus, Environment


def _current_request_id() -> str | None:
    """The request's X-Request-ID, carried into its deliveries' log lines (a function,
    not `correlation_id.get` itself: see app/db/types.py empty_list)."""
    return correlation_id.get()


class WebhookEndpoint(Base, table=True):
    __tablename__ = "webhook_endpoint"
    project_id: int = _fk("project.id")
    url: str = Field(sa_type=sa.String(2000))
    # Sent verbatim as the Authorization header; shown back only as "has one".
    authorization_header: str | None = Field(default=None, sa_type=sa.String(5000))
    # The HMAC key of X-Signature: it must be readable to sign, so it is not hashed.
    signing_secret: str = Field(sa_type=sa.String(100))
    # The secret before the last rotation, stored as the current one is: deliveries are
    # signed with it too until it expires (24 h after the rotation).
    previous_signing_secret: str | None = Field(default=None, sa_type=sa.String(100))
    previous_secret_expires_at: datetime | None = _ts()
    environment: Environment | None = Field(default=None, sa_type=EnumText(Environment))
    event_types: list[str] = Field(default_factory=empty_list, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookDelivery(Base, table=True):
    """The outbox: one row per event and matching endpoint, written in the event's
    transaction, so nothing is lost if the process dies before sending."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "endpoint_id"),
        # The dispatcher's scan: due rows, oldest first.
        sa.Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        # In-order delivery: the oldest open delivery per endpoint and customer.
        sa.Index("ix_webhook_delivery_order", "endpoint_id", "customer_id", "status", "id"),
    )
    project_id: int = _fk("project.id", index=False)
    # A TEST delivery (sendTestWebhook) belongs to no timeline event and no customer.
    event_id: int | None = _fk("customer_event.id", nullable=True)
    endpoint_id: int = _fk("webhook_endpoint.id", index=False)
    customer_id: int | None = _fk("customer.id", nullable=True)
    # A TRANSFER waits, as the customer's own events do, for every earlier open delivery
    # of the customer it took the purchases from (DESIGN 4.9).
    after_customer_id: int | None = Field(
        default=None, sa_type=sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
    )
    status: DeliveryStatus = Field(default=DeliveryStatus.PENDING, sa_type=EnumText(DeliveryStatus))
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_attempt_at: datetime | None = _ts()
    last_response_status: int | None = Field(default=None)
    # A worker's lease on the row while it sends; a worker that dies lets it lapse.
    locked_until: datetime | None = _ts()
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The id of the HTTP request whose change queued this delivery (X-Request-ID), so the
    # delivery's log lines can be found with the request's; none for the scheduler's.
    request_id: str | None = Field(default_factory=_current_request_id, sa_type=sa.String(64))
    # The body of a delivery that has no timeline event (TEST); others send the event's.
    payload: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)


class StoreAction(Base, table=True):
    """A refund or cancellation asked of a store: the durable record that makes
    "call the store, then record" safe. At most one is in flight per purchase and kind,
    so two simultaneous refunds make one store call; a confirmed action whose recording
    failed is finished later from this row, so a refund the store made is never lost."""

    __tablename__ = "store_action"
    __table_args__ = (
        sa.Index(
            "uq_store_action_in_flight",
            "purchase_id",
            "kind",
            unique=True,
            sqlite_where=sa.text("status IN ('PENDING', 'CONFIRMED')"),
            postgresql_where=sa.text("status IN ('PENDING', 'CONFIRMED')"),
        ),
        sa.Index("ix_store_action_status", "status", "updated_at"),
    )
    project_id: int = _fk("project.id", index=False)
    purchase_id: int = _fk("purchase.id", index=False)
    kind: str = Field(sa_type=sa.String(20))  # REFUND | CANCEL
    status: str = Field(default="PENDING", sa_type=sa.String(20))  # PENDING CONFIRMED RECORDED FAILED
    idempotency_key: str = Field(sa_type=sa.String(64), unique=True)
    actor: str = Field(sa_type=sa.String(200))
    reason: str | None = Field(default=None, sa_type=sa.String(1000))
    store_answer: str | None = Field(default=None, sa_type=sa.String(1000))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
