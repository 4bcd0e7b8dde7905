"""Loaders of timeline events: one event, and a page of each customer's history."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import tuple_
from sqlmodel import col, select

from app.db.models import CustomerEvent
from app.domain.enums import Environment
from app.graphql.dataloaders.base import (
    ByIdLoader,
    ProjectLoader,
)
from app.graphql.dataloaders.customer_parts import HISTORY_KINDS, TIMELINE_COLUMNS, CustomerPartsLoader


class EventByIdLoader(ByIdLoader[CustomerEvent]):
    model = CustomerEvent


HistoryKey = tuple[int, int, tuple[datetime, int] | None, bool]
"""(customer id, rows wanted, after (purchased_at, id) or None, include sandbox)."""


class HistoryByCustomerIdLoader(ProjectLoader[HistoryKey, list[CustomerEvent]]):
    """A page of each customer's timeline, newest first.

    First pages of many customers come with the rest of their parts, in the request's
    one parts statement (customer_parts.py): the limit per customer is applied in SQL
    with row_number() over each customer's events, not by reading every event. A page
    after a cursor is specific to one customer and gets a statement of its own.
    """

    async def batch_load_fn(self, keys: Sequence[HistoryKey]) -> list[list[CustomerEvent]]:
        results: dict[HistoryKey, list[CustomerEvent]] = {}
        first_pages = [key for key in keys if key[2] is None]
        parts = CustomerPartsLoader(self.context)
        pages = await parts.load_many(
            [(HISTORY_KINDS[sandbox], customer_id, limit) for customer_id, limit, _, sandbox in first_pages]
        )
        results.update(zip(first_pages, pages, strict=True))
        for key in keys:
            if key[2] is not None:
                results[key] = await self._after_cursor(key)
        return [results[key] for key in keys]

    def _scope(self, customer_ids: Sequence[int], sandbox: bool) -> list[Any]:
        conditions = [
            CustomerEvent.project_id == self.project_id,
            col(CustomerEvent.customer_id).in_(customer_ids),
        ]
        if not sandbox:
            conditions.append(CustomerEvent.environment == Environment.PRODUCTION.value)
        return conditions

    async def _after_cursor(self, key: HistoryKey) -> list[CustomerEvent]:
        customer_id, limit, after, sandbox = key
        assert after is not None
        purchased_at, event_id = after
        statement = (
            select(*TIMELINE_COLUMNS)
            .where(
                *self._scope([customer_id], sandbox),
                # A row comparison: one range of the (customer_id, purchased_at, id) index.
                tuple_(col(CustomerEvent.purchased_at), col(CustomerEvent.id))
                < tuple_(purchased_at, event_id),
            )
            .order_by(col(CustomerEvent.purchased_at).desc(), col(CustomerEvent.id).desc())
            .limit(limit)
        )
        return await self.fetch(statement)
