"""Copies the pinned GraphiQL and React builds from frontend/graphiql/node_modules into
app/static/graphiql/ and writes their manifest (package, version, sha384), which the
GraphiQL page uses for its integrity attributes. Run by `make graphiql-assets` after
`npm ci`, which checks every package against the lock file's sha512 integrity.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "frontend" / "graphiql"
TARGET = ROOT / "app" / "static" / "graphiql"

# file served -> (npm package, path inside the package)
FILES = {
    "react.production.min.js": ("react", "umd/react.production.min.js"),
    "react-dom.production.min.js": ("react-dom", "umd/react-dom.production.min.js"),
    "graphiql.min.js": ("graphiql", "graphiql.min.js"),
    "graphiql.min.css": ("graphiql", "graphiql.min.css"),
}


def sha384(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def main() -> int:
    pinned = json.loads((SOURCE / "package.json").read_text())["dependencies"]
    modules = SOURCE / "node_modules"
    TARGET.mkdir(parents=True, exist_ok=True)
    (TARGET / "licenses").mkdir(exist_ok=True)
    manifest: dict[str, dict[str, str]] = {}
    for served, (package, inner) in FILES.items():
        installed = json.loads((modules / package / "package.json").read_text())["version"]
        if installed != pinned[package]:
            print(
                f"{package} {installed} is installed, {pinned[package]} is pinned: run npm ci",
                file=sys.stderr,
            )
            return 1
        data = (modules / package / inner).read_bytes()
        (TARGET / served).write_bytes(data)
        shutil.copyfile(modules / package / "LICENSE", TARGET / "licenses" / f"{package}-LICENSE")
        manifest[served] = {"package": package, "version": installed, "integrity": sha384(data)}
    (TARGET / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    print(f"wrote {len(manifest)} files to {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
