"""Webhook endpoints, their secrets and TEST events (admin); resending a delivery (support)."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import Database
from app.db.models import WebhookDelivery, WebhookEndpoint
from app.domain.enums import DeliveryStatus, Environment, WebhookEventType
from app.domain.errors import DomainError, ErrorCode
from app.domain.webhook_endpoints import validate_authorization_header, validate_endpoint_url
from app.services.audit import audit
from app.services.unit_of_work import in_transaction
from app.webhooks.payloads import payload_of_test_event
from app.webhooks.signing import new_signing_secret

# DESIGN 4.9: after a rotation the old secret signs too, for a day.
PREVIOUS_SECRET_VALIDITY = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class NewEndpoint:
    row: WebhookEndpoint
    signing_secret: str


async def create_endpoint(
    db: Database,
    project_id: int,
    url: str,
    authorization_header: str | None,
    environment: Environment | None,
    event_types: Sequence[WebhookEventType],
    actor: str,
    now: datetime,
) -> NewEndpoint:
    url = validate_endpoint_url(url)
    authorization = validate_authorization_header(authorization_header)
    secret = new_signing_secret()

    async def work(session: AsyncSession) -> NewEndpoint:
        row = WebhookEndpoint(
            project_id=project_id,
            url=url,
            authorization_header=authorization,
            signing_secret=secret,
            environment=environment,
            event_types=sorted({t.value for t in event_types}),
            created_at=now,
        )
        session.add(row)
        await session.flush()
        audit(session, project_id, now, actor, "createWebhookEndpoint", None, endpoint_id=row.id)
        return NewEndpoint(row, secret)

    return await in_transaction(db, work)


async def _endpoint(session: AsyncSession, project_id: int, endpoint_id: int | None) -> WebhookEndpoint:
    """The project's endpoint with this id, or the userError that names the input."""
    row = (
        (
            await session.exec(
                select(WebhookEndpoint).where(
                    WebhookEndpoint.id == endpoint_id, WebhookEndpoint.project_id == project_id
                )
            )
        ).first()
        if endpoint_id is not None
        else None
    )
    if row is None or row.id is None:
        raise DomainError(
            ErrorCode.INVALID_INPUT, "No such webhook endpoint.", ("input", "webhookEndpointId")
        )
    return row


async def delete_endpoint(
    db: Database, project_id: int, endpoint_id: int | None, actor: str, now: datetime
) -> int:
    """Deleting an endpoint drops its pending deliveries with it (foreign key cascade)."""

    async def work(session: AsyncSession) -> int:
        row = await _endpoint(session, project_id, endpoint_id)
        deleted = row.id
        assert deleted is not None
        await session.delete(row)
        audit(session, project_id, now, actor, "deleteWebhookEndpoint", None, endpoint_id=deleted)
        return deleted

    return await in_transaction(db, work)


async def rotate_signing_secret(
    db: Database, project_id: int, endpoint_id: int | None, actor: str, now: datetime
) -> NewEndpoint:
    """A new signing secret; the one it replaces keeps signing for PREVIOUS_SECRET_VALIDITY
    so receivers can switch without missing a delivery. Rotating again within that time
    drops the oldest: at most two secrets sign at once."""

    async def work(session: AsyncSession) -> NewEndpoint:
        row = await _endpoint(session, project_id, endpoint_id)
        secret = new_signing_secret()
        row.previous_signing_secret = row.signing_secret
        row.previous_secret_expires_at = now + PREVIOUS_SECRET_VALIDITY
        row.signing_secret = secret
        session.add(row)
        audit(session, project_id, now, actor, "rotateWebhookSigningSecret", None, endpoint_id=row.id)
        return NewEndpoint(row, secret)

    return await in_transaction(db, work)


async def send_test_event(
    db: Database, project_id: int, endpoint_id: int | None, actor: str, now: datetime
) -> WebhookDelivery:
    """Queue a TEST event for one endpoint, whatever its filters, through the outbox: the
    dispatcher delivers it as it does every other (signed, retried, ends FAILED)."""

    async def work(session: AsyncSession) -> WebhookDelivery:
        endpoint = await _endpoint(session, project_id, endpoint_id)
        assert endpoint.id is not None
        environment = endpoint.environment or Environment.SANDBOX
        delivery = WebhookDelivery(
            project_id=project_id,
            endpoint_id=endpoint.id,
            payload=payload_of_test_event(str(uuid.uuid4()), project_id, Environment(environment), now),
            next_attempt_at=now,
            created_at=now,
        )
        session.add(delivery)
        await session.flush()
        audit(session, project_id, now, actor, "sendTestWebhook", None, endpoint_id=endpoint.id)
        return delivery

    return await in_transaction(db, work)


async def retry_delivery(
    db: Database, project_id: int, delivery_id: int | None, actor: str, now: datetime
) -> WebhookDelivery:
    """Send a delivery again at once (a FAILED one, or one waiting for its next retry).

    The body and event id stay the same, so a receiver that already has it sees a
    duplicate it can drop."""

    async def work(session: AsyncSession) -> WebhookDelivery:
        row = (
            (
                await session.exec(
                    select(WebhookDelivery).where(
                        WebhookDelivery.id == delivery_id, WebhookDelivery.project_id == project_id
                    )
                )
            ).first()
            if delivery_id is not None
            else None
        )
        if row is None:
            raise DomainError(ErrorCode.INVALID_INPUT, "No such webhook delivery.", ("input", "deliveryId"))
        row.status = DeliveryStatus.RETRYING
        row.next_attempt_at = now
        row.locked_until = None
        session.add(row)
        audit(session, project_id, now, actor, "retryWebhookDelivery", row.customer_id, delivery_id=row.id)
        return row

    return await in_transaction(db, work)
