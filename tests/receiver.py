"""A real HTTP webhook receiver on loopback (uvicorn), for tests.

It records every request and answers with the statuses a test scripts: a number, or
"hang" to never answer within the sender's timeout.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)  # type: ignore[no-any-return]

    @property
    def event(self) -> dict[str, Any]:
        return self.json["event"]  # type: ignore[no-any-return]


@dataclass
class Receiver:
    """`answers` is consumed one per request; when empty, `default` answers."""

    answers: list[int | str] = field(default_factory=list)
    default: int | str = 200
    hang_seconds: float = 30.0
    received: list[Received] = field(default_factory=list)
    on_request: Callable[[Received], None] | None = None
    answer_body: bytes = b"ok"

    def __post_init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self._server = uvicorn.Server(
            uvicorn.Config(
                self._app, log_level="warning", access_log=False, lifespan="off", interface="asgi3"
            )
        )
        self._task: asyncio.Task[None] | None = None

    async def _app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        request = Received({k.decode().lower(): v.decode() for k, v in scope["headers"]}, body)
        self.received.append(request)
        if self.on_request:
            self.on_request(request)
        answer = self.answers.pop(0) if self.answers else self.default
        if answer == "hang":
            await asyncio.sleep(self.hang_seconds)
            answer = 200
        await send(
            {
                "type": "http.response.start",
                "status": int(answer),
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        await send({"type": "http.response.body", "body": self.answer_body})

    async def start(self) -> Receiver:
        self._task = asyncio.create_task(self._server.serve(sockets=[self._socket]))
        while not self._server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
            await asyncio.sleep(0.01)
        return self

    async def stop(self) -> None:
        self._server.should_exit = True
        self._server.force_exit = True
        if self._task:
            await asyncio.wait_for(self._task, timeout=10)

    def events(self) -> list[dict[str, Any]]:
        return [r.event for r in self.received]
