"""The checked-in schema.graphql (DESIGN.md section 5).

Rules checked here: schema.graphql is exactly what the code exports (`make schema`), and
it is a superset of the API contract (../shared/contract/check_contract.py).
"""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

from app.graphql.schema import build_schema, schema_sdl
from app.settings import Settings


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


def test_schema_honours_the_contract(repo_root: Path) -> None:
    result = subprocess.run(
        [sys.executable, "../shared/contract/check_contract.py", "schema.graphql"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
