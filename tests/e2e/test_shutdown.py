"""SIGTERM (DESIGN 4.11, issue 13 item 8): a server with a webhook delivery in flight to a
receiver that never answers (60 s timeout) exits within 10 seconds, and gives the
delivery's lease back: the row is due again at once, its abandoned attempt not counted.
"""

import asyncio
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from tests.e2e.processes import Process, run, service_env
from tests.e2e.test_webhook_delivery import ADJUST, ADMIN_KEY, CREATE_ENDPOINT, wait_for
from tests.receiver import Receiver

pytestmark = pytest.mark.e2e


async def test_sigterm_exits_within_10_seconds_and_releases_the_delivery_lease(tmp_path: Path) -> None:
    receiver = await Receiver(default="hang", hang_seconds=120).start()
    database = tmp_path / "shutdown.db"
    env = service_env(
        DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        APP_ENV="production",
        BOOTSTRAP_ADMIN_KEY=ADMIN_KEY,
        WEBHOOK_DISPATCHER="on",
        WEBHOOK_TIMEOUT_SECONDS="60",
        DISPATCHER_POLL_SECONDS="0.1",
    )
    await run(env, "migrate")
    server = await Process.server(env)
    try:
        await server.graphql(CREATE_ENDPOINT, ADMIN_KEY, url=receiver.url)
        await server.graphql(ADJUST, ADMIN_KEY, id="leaving", n=1)
        await wait_for(lambda: len(receiver.received) >= 1, 20)  # the delivery is in flight

        started = time.monotonic()
        code = await server.terminate()
        elapsed = time.monotonic() - started
        # uvicorn shuts down cleanly, then re-raises the signal it caught: -15 is its clean exit.
        assert code in (0, -signal.SIGTERM), code
    finally:
        await server.kill()
        await receiver.stop()
    assert elapsed < 10, f"shutdown took {elapsed:.1f} s"

    def open_rows() -> list[tuple[str, int, object]]:
        with sqlite3.connect(database) as connection:
            return connection.execute(
                "SELECT status, attempts, locked_until FROM webhook_delivery"
            ).fetchall()

    rows = await asyncio.to_thread(open_rows)
    assert rows == [("PENDING", 0, None)], rows
