"""Refusals made outside GraphQL execution still answer in GraphQL's JSON error shape,
so a client has one format to read whatever refused it."""

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.responses import JSONResponse

Send = Callable[[dict[str, Any]], Awaitable[None]]


def error_body(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def error_response(
    status: int, message: str, code: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(message, code), status_code=status, headers=dict(headers or {}))


async def send_error(
    send: Send, status: int, message: str, code: str, headers: Mapping[str, str] | None = None
) -> None:
    """The same refusal written straight to an ASGI `send` (for middleware)."""
    body = json.dumps(error_body(message, code)).encode()
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
    ]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})
