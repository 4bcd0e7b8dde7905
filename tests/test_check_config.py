"""check-config against real databases, and the command's output and exit code."""

import subprocess
import sys
from pathlib import Path

from app.check_config import check_database
from app.settings import Settings
from tests.servers import ROOT, server_env


async def test_migrated_database_is_reachable_and_at_head(
    database_urls: dict[str, str], backend: str
) -> None:
    findings = await check_database(Settings(database_url=database_urls[backend]))
    assert [(f.topic, f.level) for f in findings] == [("database", "ok"), ("migrations", "ok")]


async def test_unmigrated_database_is_named(tmp_path: Path) -> None:
    findings = await check_database(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"))
    assert ("migrations", "FAIL") in [(f.topic, f.level) for f in findings]


def run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "check-config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_command_exits_1_and_says_why(tmp_path: Path) -> None:
    env = server_env(tmp_path / "x.db", DATABASE_URL="postgresql+asyncpg://nobody@127.0.0.1:1/none")
    result = run(env)
    assert result.returncode == 1
    assert "FAIL     database: unreachable" in result.stdout and "nobody" not in result.stdout


def test_command_reads_dot_env_and_passes_on_a_migrated_database(tmp_path: Path) -> None:
    database = tmp_path / "ok.db"
    env = server_env(database)
    subprocess.run(
        [sys.executable, "-m", "app", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    dot_env = tmp_path / "settings.env"
    dot_env.write_text("STRIPE_API_KEY=sk_test_from_dot_env\nAPP_ENV=production\n")
    result = run({**env, "ENV_FILE": str(dot_env)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok       STRIPE_API_KEY" in result.stdout and "APP_ENV=production" in result.stdout
    assert "sk_test_from_dot_env" not in result.stdout
