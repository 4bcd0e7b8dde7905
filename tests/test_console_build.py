"""The committed console build: current with its sources, self-contained, and (where Node
is installed) its operations valid against schema.graphql.

`make run` serves the committed build without Node, so a source edit that was not rebuilt
with `make console` must fail here rather than ship a stale page.
"""

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONSOLE = ROOT / "console"
BUILT = ROOT / "app" / "console_static"


def _source_hash_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("console_source_hash", CONSOLE / "source_hash.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_build_is_built_from_the_current_sources() -> None:
    source_hash = _source_hash_module()
    assert source_hash.recorded_hash() == source_hash.source_hash(), (
        "app/console_static/ is stale: the console's sources changed since the last build. "
        "Run `make console` (Node 20 and npm) and commit app/console_static/."
    )


def test_source_hash_changes_when_any_source_changes(tmp_path: Path) -> None:
    source_hash = _source_hash_module()
    copy = tmp_path / "console"
    shutil.copytree(CONSOLE, copy, ignore=shutil.ignore_patterns("node_modules"))
    source_hash.CONSOLE = copy
    assert source_hash.source_hash() == source_hash.source_hash()
    before = source_hash.source_hash()
    card = copy / "src" / "cards" / "DetailsCard.tsx"
    card.write_text(card.read_text() + "\n")
    assert source_hash.source_hash() != before
    (copy / "src" / "cards" / "NewCard.tsx").write_text("export {};\n")
    assert len(source_hash.source_files()) == len(_source_hash_module().source_files()) + 1


def test_built_page_loads_only_its_own_assets() -> None:
    page = (BUILT / "index.html").read_text()
    references = re.findall(r'(?:src|href)="([^"]+)"', page)
    assets = [ref for ref in references if ref.startswith("/console/assets/")]
    assert any(ref.endswith(".js") for ref in assets) and any(ref.endswith(".css") for ref in assets)
    for ref in assets:
        assert (BUILT / ref.removeprefix("/console/")).is_file(), f"{ref} is missing from the build"
    # No CDN, no other host: every reference is the console's own file (or the empty icon).
    assert set(references) - set(assets) <= {"data:,"}, references
    for built in (BUILT / "assets").iterdir():
        text = built.read_text()
        assert not re.search(r"""(?:import|from|fetch)\s*\(?\s*["']https?://""", text), built.name


@pytest.mark.skipif(shutil.which("npx") is None, reason="Node/npm not installed: codegen check needs Node 20")
def test_operations_are_valid_against_the_schema_and_generated_types_are_current() -> None:
    if not (CONSOLE / "node_modules" / ".bin" / "graphql-codegen").exists():
        pytest.skip("console/node_modules missing: `make test` installs it where npm is present")
    codegen = subprocess.run(
        ["npx", "--no-install", "graphql-codegen", "--config", "codegen.ts", "--check"],
        cwd=CONSOLE, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert codegen.returncode == 0, (
        "An operation is invalid against schema.graphql, or src/generated/graphql.ts is stale "
        f"(run `make console`):\n{codegen.stdout[-3000:]}{codegen.stderr[-3000:]}"
    )
    typecheck = subprocess.run(
        ["npx", "--no-install", "tsc", "--noEmit"], cwd=CONSOLE, capture_output=True, text=True, timeout=300
    )
    assert typecheck.returncode == 0, f"The console does not type-check:\n{typecheck.stdout[-3000:]}"
