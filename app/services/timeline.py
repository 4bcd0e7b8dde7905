"""Writing timeline events: every change becomes an event, with its webhook body, in
the same transaction as the change."""

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.mapping import event_row
from app.db.models import AppUserId, Attribute, Customer, CustomerEvent, WebhookDelivery, WebhookEndpoint
from app.domain.enums import CustomerEventType
from app.domain.events import APP, Actor, DomainEvent
from app.domain.identity import choose_app_user_id, original_app_user_id
from app.webhooks.outbox import matching_endpoints
from app.webhooks.payloads import CustomerSnapshot, build_payload


async def load_snapshot(session: AsyncSession, customer: Customer) -> CustomerSnapshot:
    ids = list(
        (
            await session.exec(
                select(AppUserId)
                .where(AppUserId.customer_id == customer.id)
                .order_by(col(AppUserId.created_at), col(AppUserId.id))
            )
        ).all()
    )
    attributes = (await session.exec(select(Attribute).where(Attribute.customer_id == customer.id))).all()
    return CustomerSnapshot(
        app_user_id=choose_app_user_id(ids),  # type: ignore[arg-type]
        original_app_user_id=original_app_user_id(ids),
        aliases=[row.app_user_id for row in ids],
        attributes={row.key: (row.value, row.updated_at) for row in attributes},
        country_code=customer.country,
    )


class Timeline:
    """Writes the events of one unit of work."""

    def __init__(self, session: AsyncSession, project_id: int, now: datetime) -> None:
        self.session = session
        self.project_id = project_id
        self.now = now
        self.written: list[CustomerEvent] = []
        self._snapshots: dict[int, CustomerSnapshot] = {}
        self._endpoints: list[WebhookEndpoint] | None = None

    def forget(self, customer_id: int) -> None:
        """Drop a cached snapshot after the customer's IDs or attributes changed."""
        self._snapshots.pop(customer_id, None)

    async def snapshot(self, customer: Customer) -> CustomerSnapshot:
        assert customer.id is not None
        if customer.id not in self._snapshots:
            self._snapshots[customer.id] = await load_snapshot(self.session, customer)
        return self._snapshots[customer.id]

    async def record(self, customer: Customer, event: DomainEvent, actor: Actor = APP) -> CustomerEvent:
        """Store a domain event as a timeline row with its webhook body, and its outbox
        rows when it sends a webhook."""
        assert customer.id is not None
        row = event_row(event, project_id=self.project_id, customer_id=customer.id, now=self.now, actor=actor)
        row.payload = build_payload(row, await self.snapshot(customer))
        self.session.add(row)
        self.written.append(row)
        if event.sends_webhook:
            await self._enqueue(row)
        return row

    async def _enqueue(self, event: CustomerEvent) -> None:
        """The outbox rows of an event, in the event's own transaction."""
        if self._endpoints is None:
            self._endpoints = list(
                (
                    await self.session.exec(
                        select(WebhookEndpoint).where(WebhookEndpoint.project_id == self.project_id)
                    )
                ).all()
            )
        endpoints = matching_endpoints(self._endpoints, event.webhook_type, event.environment)
        if not endpoints:
            return
        await self.session.flush()
        assert event.id is not None
        for endpoint in endpoints:
            assert endpoint.id is not None
            self.session.add(
                WebhookDelivery(
                    project_id=self.project_id,
                    event_id=event.id,
                    endpoint_id=endpoint.id,
                    customer_id=event.customer_id,
                    after_customer_id=event.related_customer_id
                    if event.type is CustomerEventType.TRANSFERRED
                    else None,
                    next_attempt_at=self.now,
                    created_at=self.now,
                )
            )

    async def flush(self) -> list[CustomerEvent]:
        await self.session.flush()
        return self.written
