"""The checked-in schema.graphql (DESIGN.md section 5).

Rules checked here: schema.graphql is exactly what the code exports (`make schema`), and
it is a superset of the API contract (`check_contract.py` beside the contract, in the
shared folder next to the repository). The contract grows ahead of the code: the
differences still pending are listed below, each with the issue that removes it, so any
other difference fails. Where the contract folder is absent (a plain clone), the contract
check is skipped with that reason.
"""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

import pytest

from app.graphql.schema import build_schema, schema_sdl
from app.settings import Settings

# Differences from the contract that open issues still have to build. Each issue deletes
# its own lines when it lands; a line that no longer appears fails the test too, so the
# list can only shrink with real work.
PENDING_CONTRACT_DIFFERENCES: set[str] = set()


def test_checked_in_schema_is_up_to_date(repo_root: Path) -> None:
    exported = schema_sdl(build_schema(Settings(app_env="development")))
    checked_in = (repo_root / "schema.graphql").read_text()
    diff = "".join(
        difflib.unified_diff(
            checked_in.splitlines(keepends=True),
            exported.splitlines(keepends=True),
            "schema.graphql (checked in)",
            "schema.graphql (exported)",
        )
    )
    assert checked_in == exported, f"schema.graphql is stale: run `make schema`.\n{diff}"


def test_schema_honours_the_contract_but_for_pending_issues(repo_root: Path) -> None:
    checker = repo_root.parent / "shared" / "contract" / "check_contract.py"
    if not checker.is_file():
        pytest.skip(f"no API contract beside the repository ({checker} is absent)")
    result = subprocess.run(
        [sys.executable, str(checker), "schema.graphql"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    differences = {
        line.strip()
        for line in result.stdout.splitlines()
        if ":" in line and not line.strip().endswith("schema.graphql")
    }
    unexpected = differences - PENDING_CONTRACT_DIFFERENCES
    resolved = PENDING_CONTRACT_DIFFERENCES - differences
    assert not unexpected, "schema.graphql breaks the contract:\n" + "\n".join(sorted(unexpected))
    assert not resolved, (
        "these contract differences are gone: remove them from PENDING_CONTRACT_DIFFERENCES:\n"
        + "\n".join(sorted(resolved))
    )
    if not PENDING_CONTRACT_DIFFERENCES:
        assert result.returncode == 0, result.stdout + result.stderr
