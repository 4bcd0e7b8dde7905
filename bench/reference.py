"""The read benchmark's ceiling: a hand-written Starlette + asyncpg + orjson endpoint that
answers the benchmark's two operations (bench/reads.py: Profile and Page) with the same
bytes as the service, from one SQL statement each.

It speaks just enough of the service's /graphql: the same request bodies are sent to
both, it looks only at `operationName` and `variables`, and it checks the key against
the same table. Business rules that are pure functions (which App User ID stands for the
customer, purchase and entitlement status) are the service's own: they cost
microseconds and the point is what the stack costs, not a second implementation.

    python -m bench.reference --port 8101   (DATABASE_URL=postgresql://...)
"""

from __future__ import annotations

import argparse
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg
import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.domain.attributes import ATTRIBUTION_KEYS, is_reserved
from app.domain.entitlement_status import EntitlementGrantSource, entitlement_statuses
from app.domain.enums import PeriodType, Store
from app.domain.identity import choose_app_user_id
from app.domain.purchase_status import purchase_status
from app.domain.receipts import TransactionState
from app.domain.spending import CENT
from app.graphql.ids import encode_cursor, encode_id
from app.graphql.scalars import serialize_datetime
from app.services.keys import hash_secret

# Everything a customer shows, per customer row `c` ($1 = history rows wanted).
_CUSTOMER_COLUMNS = """
 c.id, c.country, c.first_seen_at, c.last_opened_at, c.last_seen_at,
 (SELECT json_agg(json_build_object('app_user_id', a.app_user_id, 'is_anonymous', a.is_anonymous,
    'is_original', a.is_original, 'created_at', a.created_at, 'last_seen_at', a.last_seen_at)
    ORDER BY a.created_at, a.id) FROM app_user_id a WHERE a.customer_id = c.id) AS ids,
 (SELECT json_agg(json_build_object('id', n.id, 'body', n.body, 'author', n.author,
    'created_at', n.created_at) ORDER BY n.created_at, n.id) FROM note n WHERE n.customer_id = c.id) AS notes,
 (SELECT json_agg(json_build_object('key', t.key, 'value', t.value) ORDER BY t.key)
    FROM attribute t WHERE t.customer_id = c.id) AS attributes,
 (SELECT sum(s.price_usd::numeric) FROM store_transaction s WHERE s.customer_id = c.id
    AND s.environment = 'PRODUCTION' AND s.refunded_at IS NULL) AS total_spent,
 (SELECT json_agg(p ORDER BY p.purchased_at DESC, p.id DESC) FROM (
    SELECT pu.id, pu.product_id, pu.store, pu.environment, pu.is_granted, pu.granted_entitlement,
      pu.purchased_at, pu.expires_at, pu.access_expires_at, pu.period_type, pu.will_renew,
      pu.cancel_reason, pu.renewal_product_id, pu.billing_issue_detected_at,
      pu.grace_period_expires_at, pu.refunded_at, pu.paused_at, pu.auto_resume_at,
      pu.original_transaction_id, l.price, l.currency,
      (SELECT json_agg(e.identifier ORDER BY e.identifier) FROM product pr
         JOIN product_entitlement pe ON pe.product_id = pr.id JOIN entitlement e ON e.id = pe.entitlement_id
         WHERE pr.project_id = pu.project_id AND pr.store = pu.store AND pr.identifier = pu.product_id)
        AS granted
    FROM purchase pu LEFT JOIN LATERAL (SELECT s.price, s.currency FROM store_transaction s
      WHERE s.purchase_id = pu.id ORDER BY s.purchased_at DESC, s.transaction_id DESC LIMIT 1) l ON true
    WHERE pu.customer_id = c.id AND pu.environment = 'PRODUCTION') p) AS purchases,
 (SELECT json_agg(h ORDER BY h.purchased_at DESC, h.id DESC) FROM (
    SELECT e.id, e.type, e.description, e.purchased_at, e.price_usd FROM customer_event e
    WHERE e.customer_id = c.id AND e.environment = 'PRODUCTION'
    ORDER BY e.purchased_at DESC, e.id DESC LIMIT $1) h) AS history
"""

PROFILE_SQL = f"""SELECT {_CUSTOMER_COLUMNS} FROM app_user_id k JOIN customer c ON c.id = k.customer_id
 WHERE k.project_id = $2 AND k.app_user_id = $3"""

PAGE_SQL = f"""SELECT {_CUSTOMER_COLUMNS} FROM customer c WHERE c.project_id = $2
 ORDER BY c.last_seen_at DESC, c.id DESC LIMIT $3"""

KEY_SQL = "SELECT project_id FROM api_key WHERE key_hash = $1 AND revoked_at IS NULL"


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(UTC)


def _dt(value: datetime | None) -> str | None:
    return None if value is None else serialize_datetime(value)


class _Alias:
    __slots__ = ("app_user_id", "created_at", "is_anonymous", "is_original", "last_seen_at")

    def __init__(self, raw: dict[str, Any]) -> None:
        self.app_user_id = raw["app_user_id"]
        self.is_anonymous = raw["is_anonymous"]
        self.is_original = raw["is_original"]
        self.created_at = _time(raw["created_at"])
        self.last_seen_at = _time(raw["last_seen_at"])


def _purchase(raw: dict[str, Any], now: datetime) -> tuple[dict[str, Any], EntitlementGrantSource]:
    times = {
        name: _time(raw[name])
        for name in (
            "purchased_at",
            "expires_at",
            "access_expires_at",
            "billing_issue_detected_at",
            "grace_period_expires_at",
            "refunded_at",
            "paused_at",
            "auto_resume_at",
        )
    }
    state = TransactionState(
        transaction_id=raw["original_transaction_id"],
        original_transaction_id=raw["original_transaction_id"],
        product_id=raw["product_id"],
        purchased_at=times["purchased_at"],  # type: ignore[arg-type]
        expires_at=times["expires_at"],
        period_type=PeriodType(raw["period_type"]),
        will_renew=raw["will_renew"],
        cancel_reason=raw["cancel_reason"],
        renewal_product_id=raw["renewal_product_id"],
        billing_issue_detected_at=times["billing_issue_detected_at"],
        grace_period_expires_at=times["grace_period_expires_at"],
        refunded_at=times["refunded_at"],
        paused_at=times["paused_at"],
        auto_resume_at=times["auto_resume_at"],
    )
    if raw["is_granted"]:
        granted = [raw["granted_entitlement"]] if raw["granted_entitlement"] else []
        price = {"amount": "0", "currency": "USD"}
    else:
        granted = raw["granted"] or []
        price = None if raw["price"] is None else {"amount": raw["price"], "currency": raw["currency"]}
    shown = {
        "id": encode_id("Purchase", raw["id"]),
        "productId": raw["product_id"],
        "store": raw["store"],
        "status": purchase_status(state, now).value,
        "expiresAt": _dt(times["expires_at"]),
        "price": price,
    }
    source = EntitlementGrantSource(
        purchase_key=raw["id"],
        entitlement_identifiers=tuple(granted),
        product_id=raw["product_id"],
        store=Store(raw["store"]),
        environment=raw["environment"],
        period_type=PeriodType(raw["period_type"]),
        purchased_at=times["purchased_at"],  # type: ignore[arg-type]
        expires_at=times["access_expires_at"],
        refunded=times["refunded_at"] is not None,
        will_renew=raw["will_renew"],
        is_granted=raw["is_granted"],
    )
    return shown, source


def customer_json(row: asyncpg.Record, history_size: int, now: datetime) -> dict[str, Any]:
    """The customer as the benchmark's selection shows it, fields in query order."""
    ids = [_Alias(raw) for raw in orjson.loads(row["ids"])]
    notes = orjson.loads(row["notes"]) if row["notes"] else []
    attributes = orjson.loads(row["attributes"]) if row["attributes"] else []
    values = {a["key"]: a["value"] for a in attributes}
    purchases = [_purchase(raw, now) for raw in orjson.loads(row["purchases"] or "[]")]
    statuses = entitlement_statuses([source for _, source in purchases], now, include_sandbox=True)
    history = orjson.loads(row["history"]) if row["history"] else []
    page = history[:history_size]
    total = (row["total_spent"] or Decimal(0)).quantize(CENT)
    last = page[-1] if page else None
    original = next((a.app_user_id for a in ids if a.is_original), ids[0].app_user_id)
    return {
        "id": encode_id("Customer", row["id"]),
        "appUserId": choose_app_user_id(ids),  # type: ignore[arg-type]
        "originalAppUserId": original,
        "country": row["country"],
        "firstSeenAt": _dt(row["first_seen_at"]),
        "lastOpenedAt": _dt(row["last_opened_at"]),
        "aliases": [
            {"appUserId": a.app_user_id, "isAnonymous": a.is_anonymous, "createdAt": _dt(a.created_at)}
            for a in ids
            if not a.is_original
        ],
        "notes": [
            {
                "id": encode_id("Note", n["id"]),
                "body": n["body"],
                "author": n["author"],
                "createdAt": _dt(_time(n["created_at"])),
            }
            for n in notes
        ],
        "attributes": [
            {"key": a["key"], "value": a["value"], "isReserved": is_reserved(a["key"])} for a in attributes
        ],
        "attribution": {
            "network": values.get(ATTRIBUTION_KEYS["network"]),
            "campaign": values.get(ATTRIBUTION_KEYS["campaign"]),
        },
        "totalSpent": {"amount": str(total), "currency": "USD"},
        "entitlements": [
            {
                "entitlement": {"identifier": s.entitlement_identifier},
                "isActive": s.is_active,
                "expiresAt": _dt(s.source.expires_at),
                "productId": s.source.product_id,
            }
            for s in statuses
        ],
        "purchases": [shown for shown, _ in purchases],
        "history": {
            "pageInfo": {
                "hasNextPage": len(history) > history_size,
                "endCursor": None
                if last is None
                else encode_cursor(_time(last["purchased_at"]).isoformat(), last["id"]),  # type: ignore[union-attr]
            },
            "edges": [
                {
                    "node": {
                        "id": encode_id("CustomerEvent", e["id"]),
                        "type": e["type"],
                        "description": e["description"],
                        "purchasedAt": _dt(_time(e["purchased_at"])),
                        "priceUsd": None
                        if e["price_usd"] is None
                        else {"amount": e["price_usd"], "currency": "USD"},
                    }
                }
                for e in page
            ],
        },
    }


class Reference:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.pool: asyncpg.Pool | None = None

    async def start(self) -> None:
        self.pool = await asyncpg.create_pool(
            self.dsn, min_size=8, max_size=8, server_settings={"TimeZone": "UTC"}
        )

    async def stop(self) -> None:
        if self.pool is not None:
            await self.pool.close()

    async def graphql(self, request: Request) -> Response:
        body = orjson.loads(await request.body())
        secret = request.headers.get("authorization", "").partition(" ")[2].strip()
        variables = body.get("variables") or {}
        now = datetime.now(UTC)
        assert self.pool is not None
        async with self.pool.acquire() as connection:
            project_id = await connection.fetchval(KEY_SQL, hash_secret(secret))
            if project_id is None:
                return Response(b'{"errors":[{"message":"Invalid API key."}]}', 401)
            if body.get("operationName") == "Profile":
                size = variables.get("history", 20)
                row = await connection.fetchrow(PROFILE_SQL, size + 1, project_id, variables["id"])
                data: dict[str, Any] = {"customer": None if row is None else customer_json(row, size, now)}
            else:
                size, first = variables.get("history", 5), variables.get("first", 100)
                rows = await connection.fetch(PAGE_SQL, size + 1, project_id, first + 1)
                data = {"customers": _page(rows, first, size, now)}
        return Response(orjson.dumps({"data": data}), media_type="application/json")


def _page(rows: list[asyncpg.Record], first: int, history_size: int, now: datetime) -> dict[str, Any]:
    shown = rows[:first]
    cursors = [encode_cursor(row["last_seen_at"].astimezone(UTC).isoformat(), row["id"]) for row in shown]
    return {
        "pageInfo": {"hasNextPage": len(rows) > first, "endCursor": cursors[-1] if cursors else None},
        "edges": [
            {"cursor": cursor, "node": customer_json(row, history_size, now)}
            for cursor, row in zip(cursors, shown, strict=True)
        ],
    }


def build(dsn: str) -> Starlette:
    reference = Reference(dsn)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await reference.start()
        yield
        await reference.stop()

    return Starlette(routes=[Route("/graphql", reference.graphql, methods=["POST"])], lifespan=lifespan)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8101)
    port = parser.parse_args().port
    dsn = os.environ["DATABASE_URL"].replace("+asyncpg", "")
    uvicorn.run(build(dsn), host="127.0.0.1", port=port, access_log=False, log_level="warning")


if __name__ == "__main__":
    main()
