"""Request bodies over the limit are refused with 413 before they are read.

The declared Content-Length is checked before the application sees the request, so an
oversized body is never read, parsed or authenticated; a body without a length (chunked)
is counted while it streams and refused as soon as it passes the limit. Either way the
rest of the body is left unread and the connection is closed.
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from app.http.responses import send_error

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOO_LARGE_CODE = "PAYLOAD_TOO_LARGE"
CLOSE = {"connection": "close"}


class BodyTooLarge(Exception):
    """Raised from `receive` when a streamed body passes the limit."""


def declared_length(scope: Scope) -> int | None:
    """The Content-Length header as a number; -1 when it is present but not a number."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else -1
    return None


class BodySizeLimit:
    """`limit` bytes for every path, except those under a prefix of `path_limits`."""

    def __init__(self, app: ASGIApp, limit: int, path_limits: Sequence[tuple[str, int]] = ()) -> None:
        self.app = app
        self.limit = limit
        self.path_limits = tuple(path_limits)

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.path_limits:
            if path.startswith(prefix):
                return limit
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        length = declared_length(scope)
        if length == -1:
            await send_error(send, 400, "Content-Length is not a number.", "BAD_REQUEST", CLOSE)
            return
        if length is not None and length > limit:
            await _refuse(send, limit)
            return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:  # nothing sensible can be sent any more; the server closes it
                raise
            await _refuse(send, limit)


async def _refuse(send: Send, limit: int) -> None:
    await send_error(
        send, 413, f"The request body is larger than the limit of {limit} bytes.", TOO_LARGE_CODE, CLOSE
    )
