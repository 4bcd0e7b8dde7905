"""Writing timeline events: every change becomes an event, with its webhook body, in
the same transaction as the change."""

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.models import AppUserId, Attribute, Customer, CustomerEvent, WebhookDelivery, WebhookEndpoint
from app.domain.enums import CustomerEventType, Store
from app.domain.events import WEBHOOK_TYPES, describe
from app.domain.identity import choose_app_user_id
from app.webhooks.outbox import matching_endpoints
from app.webhooks.payloads import CustomerSnapshot, PayloadFields, build_payload


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
    original = next((row.app_user_id for row in ids if row.is_original), ids[0].app_user_id)
    return CustomerSnapshot(
        app_user_id=choose_app_user_id(ids),  # type: ignore[arg-type]
        original_app_user_id=original,
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

    async def record(
        self,
        customer: Customer,
        event_type: CustomerEventType,
        *,
        purchased_at: datetime,
        fields: PayloadFields | None = None,
        description: str | None = None,
        actor: str | None = None,
        reason: str | None = None,
        purchase_id: int | None = None,
        price_is_estimated: bool = False,
        send_webhook: bool = True,
        show_price: bool = True,
        **extra: Any,
    ) -> CustomerEvent:
        assert customer.id is not None
        webhook_type = WEBHOOK_TYPES[event_type]
        event_id = str(uuid.uuid4())
        base = fields or PayloadFields(
            event_id=event_id,
            type=webhook_type,
            event_timestamp=self.now,
            project_id=self.project_id,
            store=None,
            environment="PRODUCTION",
        )
        payload_fields = replace(
            base, event_id=event_id, type=webhook_type, event_timestamp=self.now, project_id=self.project_id
        )
        payload = build_payload(payload_fields, await self.snapshot(customer))
        row = CustomerEvent(
            project_id=self.project_id,
            customer_id=customer.id,
            purchase_id=purchase_id,
            event_uuid=event_id,
            type=event_type.value,
            webhook_type=webhook_type.value,
            description=description or describe(event_type),
            purchased_at=purchased_at,
            event_timestamp=self.now,
            environment=payload_fields.environment,
            store=payload_fields.store.value if isinstance(payload_fields.store, Store) else None,
            product_id=payload_fields.product_id,
            new_product_id=payload_fields.new_product_id,
            entitlement_ids=list(payload_fields.entitlement_ids),
            period_type=payload_fields.period_type,
            transaction_id=payload_fields.transaction_id,
            original_transaction_id=payload_fields.original_transaction_id,
            cancel_reason=payload_fields.cancel_reason,
            expiration_reason=payload_fields.expiration_reason,
            price=payload_fields.price if show_price else None,
            currency=payload_fields.currency if show_price else None,
            price_usd=payload_fields.price_usd if show_price else None,
            price_is_estimated=price_is_estimated,
            transferred_from=list(payload_fields.transferred_from) or None,
            transferred_to=list(payload_fields.transferred_to) or None,
            virtual_currency_code=payload_fields.virtual_currency_code,
            virtual_currency_amount=payload_fields.virtual_currency_amount,
            actor=actor,
            reason=reason,
            payload=payload,
            **extra,
        )
        self.session.add(row)
        self.written.append(row)
        if send_webhook:
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
                    next_attempt_at=self.now,
                    created_at=self.now,
                )
            )

    async def flush(self) -> list[CustomerEvent]:
        await self.session.flush()
        return self.written
