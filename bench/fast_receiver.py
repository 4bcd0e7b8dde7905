"""A fast local webhook receiver in a process of its own, for the delivery benchmark.

The tests' receiver (tests/receiver.py) runs inside the caller's event loop: measuring
the dispatcher against it charged the dispatcher with the receiver's work as well. A
receiver in another process, as a real one is, lets the figure be the dispatcher's.

It answers 200 to every POST and counts them; `GET /count` answers the count.
Run as `python -m bench.fast_receiver <port>` (it listens on 127.0.0.1).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from typing import Any

import httpx
import uvicorn

_count = 0


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global _count
    assert scope["type"] == "http"
    while (await receive()).get("more_body"):
        pass
    if scope["method"] == "POST":
        _count += 1
        body = b"ok"
    else:
        body = str(_count).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})


class FastReceiver:
    """Starts the receiver process on a loopback port; `url` takes the deliveries."""

    def __enter__(self) -> FastReceiver:
        # A free port, closed again for uvicorn to bind: handing it the socket's file
        # descriptor instead makes uvicorn treat it as a Unix socket and leave Nagle's
        # algorithm on, which costs each request a 40 ms delayed ACK.
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/hook"
        self._process = subprocess.Popen([sys.executable, "-m", "bench.fast_receiver", str(port)])
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/count", timeout=1)
                return self
            except httpx.TransportError:
                if time.monotonic() > deadline or self._process.poll() is not None:
                    raise
                time.sleep(0.05)

    def count(self) -> int:
        return int(httpx.get(self.url.replace("/hook", "/count"), timeout=5).text)

    def __exit__(self, *exc: object) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)


if __name__ == "__main__":
    uvicorn.run(
        app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False, lifespan="off"
    )
