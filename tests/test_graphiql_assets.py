"""The GraphiQL page loads only files the project ships: each is the pinned npm
package's build, with the integrity hash the page declares, and nothing points off-site."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

from app.graphql.graphiql import SCRIPTS, STATIC_DIR, STATIC_URL, STYLESHEET, graphiql_page, manifest


def test_every_shipped_file_matches_its_manifest_hash() -> None:
    files = manifest()
    assert set(files) == {*SCRIPTS, STYLESHEET}
    for name, entry in files.items():
        digest = hashlib.sha384((STATIC_DIR / name).read_bytes()).digest()
        assert entry["integrity"] == "sha384-" + base64.b64encode(digest).decode(), name


def test_manifest_versions_are_the_pinned_and_locked_ones(repo_root: Path) -> None:
    source = repo_root / "frontend" / "graphiql"
    pinned = json.loads((source / "package.json").read_text())["dependencies"]
    locked = json.loads((source / "package-lock.json").read_text())["packages"]
    for entry in manifest().values():
        package = entry["package"]
        assert entry["version"] == pinned[package] == locked[f"node_modules/{package}"]["version"]
        assert locked[f"node_modules/{package}"]["integrity"].startswith("sha512-")


def test_page_uses_only_local_assets_with_integrity() -> None:
    page = graphiql_page()
    assert not re.search(r"(src|href)=\"(https?:)?//", page), "no CDN or other site"
    for name, entry in manifest().items():
        assert f'"{STATIC_URL}/{name}" integrity="{entry["integrity"]}"' in page
