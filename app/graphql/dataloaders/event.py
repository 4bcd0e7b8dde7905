"""Loaders of timeline events: one event, and a page of each customer's history."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, tuple_
from sqlmodel import col, select

from app.db.models import CustomerEvent
from app.domain.enums import Environment
from app.graphql.dataloaders.base import (
    PROJECT_ID,
    ByIdLoader,
    ProjectLoader,
    keys_in,
    many_per_key,
    prepared,
)


class EventByIdLoader(ByIdLoader[CustomerEvent]):
    model = CustomerEvent


# The timeline's columns: all but the webhook body (about 1 kB an event, which a
# timeline rarely shows; CustomerEvent.payload loads it by id when selected).
TIMELINE_COLUMNS = [column for column in CustomerEvent.__table__.c if column.name != "payload"]  # type: ignore[attr-defined]

HistoryKey = tuple[int, int, tuple[datetime, int] | None, bool]
"""(customer id, rows wanted, after (purchased_at, id) or None, include sandbox)."""


@prepared
def _first_pages(sandbox: bool) -> Any:
    """The newest :limit events of each customer in :keys."""
    position = (
        func.row_number()
        .over(
            partition_by=col(CustomerEvent.customer_id),
            order_by=(col(CustomerEvent.purchased_at).desc(), col(CustomerEvent.id).desc()),
        )
        .label("position")
    )
    scope = [col(CustomerEvent.project_id) == PROJECT_ID, keys_in(col(CustomerEvent.customer_id))]
    if not sandbox:
        scope.append(col(CustomerEvent.environment) == Environment.PRODUCTION.value)
    ranked = select(col(CustomerEvent.id), position).where(*scope).subquery()
    return (
        select(*TIMELINE_COLUMNS)
        .join(ranked, ranked.c.id == col(CustomerEvent.id))
        .where(ranked.c.position <= bindparam("limit"))
        .order_by(col(CustomerEvent.purchased_at).desc(), col(CustomerEvent.id).desc())
    )


class HistoryByCustomerIdLoader(ProjectLoader[HistoryKey, list[CustomerEvent]]):
    """A page of each customer's timeline, newest first.

    First pages of many customers are one statement: the limit per customer is applied
    in SQL with row_number() over each customer's events, not by reading every event.
    A page after a cursor is specific to one customer and gets a statement of its own.
    """

    async def batch_load_fn(self, keys: Sequence[HistoryKey]) -> list[list[CustomerEvent]]:
        results: dict[HistoryKey, list[CustomerEvent]] = {}
        first_pages: dict[tuple[int, bool], list[HistoryKey]] = defaultdict(list)
        for key in keys:
            if key[2] is None:
                first_pages[(key[1], key[3])].append(key)
            else:
                results[key] = await self._after_cursor(key)
        for (limit, sandbox), group in first_pages.items():
            rows = await self._first_pages([k[0] for k in group], limit, sandbox)
            for key, page in zip(
                group, many_per_key([k[0] for k in group], rows, lambda r: r.customer_id), strict=True
            ):
                results[key] = page
        return [results[key] for key in keys]

    def _scope(self, customer_ids: Sequence[int], sandbox: bool) -> list[Any]:
        conditions = [
            CustomerEvent.project_id == self.project_id,
            col(CustomerEvent.customer_id).in_(customer_ids),
        ]
        if not sandbox:
            conditions.append(CustomerEvent.environment == Environment.PRODUCTION.value)
        return conditions

    async def _first_pages(self, customer_ids: list[int], limit: int, sandbox: bool) -> list[CustomerEvent]:
        return await self.fetch_prepared(_first_pages(sandbox), customer_ids, limit=limit)

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
