"""Running the service's own processes (server, worker) from async tests."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service_env(**values: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "APP_ENV", "BOOTSTRAP", "WEBHOOK"))
    }
    # Test receivers listen on loopback; the public-address rule has tests of its own.
    env["WEBHOOK_ALLOW_PRIVATE_URLS"] = "true"
    env.update(values)
    return env


async def run(env: dict[str, str], *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    return out.decode()


class Process:
    def __init__(self, process: asyncio.subprocess.Process, url: str | None = None) -> None:
        self.process = process
        self.url = url

    @classmethod
    async def server(cls, env: dict[str, str]) -> Process:
        port = free_port()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app", "serve", "--port", str(port), cwd=ROOT, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        server = cls(process, f"http://127.0.0.1:{port}")
        async with httpx.AsyncClient() as client:
            for _ in range(300):
                try:
                    if (await client.get(f"{server.url}/readyz", timeout=1)).status_code == 200:
                        return server
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        await server.kill()
        raise RuntimeError("server did not start")

    @classmethod
    async def worker(cls, env: dict[str, str]) -> Process:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app", "worker", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        return cls(process)

    async def graphql(self, query: str, key: str, **variables: object) -> dict:
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"{self.url}/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {key}"},
                timeout=30,
            )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        return body["data"]  # type: ignore[no-any-return]

    async def kill(self) -> None:
        """SIGKILL: no clean shutdown, no chance to finish anything."""
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()

    async def terminate(self) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), timeout=20)
