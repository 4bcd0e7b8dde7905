"""Size before parse (DESIGN 4.11).

Rules checked here:
- a body whose Content-Length is over MAX_BODY_BYTES (1 MiB) is refused with 413 before
  a single byte of it is read, and before authentication (no key, production: 413, not 401);
- a body without a length is counted while it streams and refused once past the limit,
  without reading the rest;
- store notification routes (/stores/...) take at most 256 KiB;
- a receipt of more than 1,000 transactions is the userError TOO_LARGE and changes nothing,
  also when it is far longer (the guard cuts it before coercion);
- setAttributes with more than 100 attributes is TOO_LARGE and changes nothing;
- any other list over 1,000 items is refused before coercion (code TOO_LARGE).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from app.db.engine import Database
from app.main import create_app
from tests.api.helpers import RECORD_RECEIPT, txn
from tests.api.test_support_common import mutate, open_app
from tests.conftest import ApiClient, make_settings

LIMIT = 1_048_576
STORE_LIMIT = 262_144


class Receiver:
    """An ASGI `receive` that counts what the application read of the body."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.reads = 0
        self.bytes_read = 0

    async def __call__(self) -> dict[str, Any]:
        self.reads += 1
        if not self.chunks:
            return {"type": "http.disconnect"}
        chunk = self.chunks.pop(0)
        self.bytes_read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(self.chunks)}


async def call(
    app: Any, path: str, receive: Receiver, content_length: int | None
) -> tuple[int, dict[str, str], bytes]:
    headers = [(b"content-type", b"application/json"), (b"host", b"test")]
    if content_length is not None:
        headers.append((b"content-length", str(content_length).encode()))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": headers, "client": ("127.0.0.1", 5000), "server": ("test", 80),
    }  # fmt: skip
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    response_headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], response_headers, body


def production_app(db: Database, url: str) -> Any:
    return create_app(make_settings(url), db)


async def test_declared_length_over_the_limit_is_refused_without_reading_the_body(
    db: Database, database_urls: dict[str, str], backend: str
) -> None:
    app = production_app(db, database_urls[backend])
    receive = Receiver([b'{"query": "{ __typename }"}'])
    # No Authorization header in production: the size refusal comes before the 401.
    status, headers, body = await call(app, "/graphql", receive, content_length=200_000_000)
    assert status == 413
    assert receive.reads == 0
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_declared_length_at_the_limit_reaches_authentication(
    db: Database, database_urls: dict[str, str], backend: str
) -> None:
    app = production_app(db, database_urls[backend])
    query = b'{"query": "{ __typename }"}'
    padded = query + b" " * (LIMIT - len(query))
    status, _, _ = await call(app, "/graphql", Receiver([padded]), content_length=LIMIT)
    assert status == 401  # past the size check; refused for the missing key


async def test_streamed_body_is_refused_once_past_the_limit_and_the_rest_is_not_read(
    db: Database, database_urls: dict[str, str], backend: str
) -> None:
    app = production_app(db, database_urls[backend])
    chunk = b" " * 65_536
    receive = Receiver([chunk] * 64)  # 4 MiB, no Content-Length
    status, _, body = await call(app, "/graphql", receive, content_length=None)
    assert status == 413
    assert json.loads(body)["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert LIMIT < receive.bytes_read <= LIMIT + len(chunk)
    assert len(receive.chunks) > 0  # the rest was never read


async def test_store_routes_take_at_most_256_kib(
    db: Database, database_urls: dict[str, str], backend: str
) -> None:
    app = production_app(db, database_urls[backend])
    status, _, _ = await call(app, "/stores/app-store/1", Receiver([b"{}"]), STORE_LIMIT + 1)
    assert status == 413
    # The same size is fine for /graphql (refused later, for the missing key).
    body = b'{"query": "{ __typename }"}'.ljust(STORE_LIMIT + 1)
    status, _, _ = await call(app, "/graphql", Receiver([body]), STORE_LIMIT + 1)
    assert status == 401


async def test_non_numeric_content_length_is_a_clean_400(
    db: Database, database_urls: dict[str, str], backend: str
) -> None:
    app = production_app(db, database_urls[backend])
    receive = Receiver([b"{}"])
    scope_length: Any = "12abc"
    status, _, body = await call(app, "/graphql", receive, content_length=scope_length)
    assert status == 400 and receive.reads == 0
    assert json.loads(body)["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def compact_transactions(count: int) -> list[dict[str, Any]]:
    bought = datetime(2026, 1, 1, tzinfo=UTC)
    return [txn(f"t{i}", bought, None, product_id="coins", original=None) for i in range(count)]


async def receipt_errors(api: ApiClient, app_user_id: str, count: int) -> list[dict[str, Any]]:
    variables = {
        "input": {
            "appUserId": app_user_id,
            "store": "APP_STORE",
            "environment": "PRODUCTION",
            "transactions": compact_transactions(count),
        }
    }
    data = await api.gql(RECORD_RECEIPT, variables)
    assert data["recordReceipt"]["customer"] is None
    return data["recordReceipt"]["userErrors"]  # type: ignore[no-any-return]


async def test_receipt_of_more_than_1000_transactions_is_too_large(api: ApiClient) -> None:
    for count in (1001, 6000):
        errors = await receipt_errors(api, f"big-{count}", count)
        assert [(e["code"], e["field"]) for e in errors] == [("TOO_LARGE", ["input", "transactions"])]
        assert (await api.gql(f'{{ customer(appUserId: "big-{count}") {{ id }} }}'))["customer"] is None


async def test_receipt_of_1000_transactions_is_not_too_large(api: ApiClient) -> None:
    variables = {
        "input": {
            "appUserId": "full",
            "store": "APP_STORE",
            "environment": "PRODUCTION",
            "transactions": compact_transactions(1000),
        }
    }
    data = await api.gql(RECORD_RECEIPT, variables)
    assert "TOO_LARGE" not in [e["code"] for e in data["recordReceipt"]["userErrors"]]


async def test_more_than_100_attributes_in_one_call_is_too_large(api: ApiClient) -> None:
    await open_app(api, "attr")
    attributes = [{"key": f"k{i}", "value": None} for i in range(150)]
    result = await mutate(api, "setAttributes", {"appUserId": "attr", "attributes": attributes})
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [("TOO_LARGE", ["input", "attributes"])]


async def test_any_other_list_over_1000_items_is_refused_before_coercion(api: ApiClient) -> None:
    mutation = (
        """mutation($input: CreateProductInput!) { createProduct(input: $input) { userErrors { code } } }"""
    )
    product = {
        "identifier": "p",
        "store": "APP_STORE",
        "type": "CONSUMABLE",
        "price": {"amount": "1.00", "currency": "USD"},
        "entitlementIdentifiers": [f"e{i}" for i in range(1001)],
    }
    response = await api.post(mutation, {"input": product})
    body = response.json()
    assert body.get("data") is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["TOO_LARGE"]


async def test_a_literal_list_over_1000_items_is_refused(api: ApiClient) -> None:
    ids = ", ".join(f'"e{i}"' for i in range(1001))
    mutation = (
        'mutation { createProduct(input: {identifier: "p", store: APP_STORE, type: CONSUMABLE, '
        f'price: {{amount: "1.00", currency: "USD"}}, entitlementIdentifiers: [{ids}]}}) {{ userErrors {{ code }} }} }}'
    )
    body = (await api.post(mutation)).json()
    assert "TOO_LARGE" in [e.get("extensions", {}).get("code") for e in body["errors"]]
