"""A real server process on loopback for tests that need one (browser, logs, workers).

`LiveServer.start(tmp_path, ...)` migrates a fresh SQLite database (and seeds the demo
project when asked), runs `python -m app serve` and waits for /readyz; its log lines go
to a file the test can read (`server.log_lines()`), never to a pipe that could fill up.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
# Several processes on a loaded 2-core machine: starting two workers took 40 s once.
START_TIMEOUT_SECONDS = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(database: Path, **values: str) -> dict[str, str]:
    """The environment of this test run without the service's own settings, plus `values`."""
    own = ("DATABASE_URL", "APP_ENV", "BOOTSTRAP", "WEBHOOK", "CORS", "PROMETHEUS", "LOG_LEVEL", "ENV_FILE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        WEBHOOK_DISPATCHER="off",
        ENV_FILE=str(database.with_suffix(".env-absent")),
    )
    env.update(values)
    return env


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120, check=True,
    )  # fmt: skip


class LiveServer:
    def __init__(self, env: dict[str, str], log_path: Path, workers: int = 1) -> None:
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", str(self.port), "--workers", str(workers)],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    @classmethod
    def start(cls, tmp_path: Path, seed: bool = True, workers: int = 1, **env_values: str) -> LiveServer:
        tmp_path.mkdir(parents=True, exist_ok=True)
        env = server_env(tmp_path / "server.db", **env_values)
        run_cli(env, "migrate")
        if seed:
            run_cli(env, "seed-demo")
        server = cls(env, tmp_path / "server.log", workers)
        server.wait_ready()
        return server

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not start:\n{self.log_path.read_text()}")

    def graphql(self, query: str, key: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        headers.update(kwargs.pop("headers", {}))
        return httpx.post(f"{self.url}/graphql", json={"query": query, **kwargs}, headers=headers, timeout=30)

    def log_lines(self) -> list[str]:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text().splitlines()

    def json_log(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log_lines() if line.strip()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
