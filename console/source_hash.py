"""The hash of the console's sources, recorded beside the built assets at build time.

`make console` writes it after building; tests/browser/test_console_build.py recomputes
it without Node, so a source edit without a rebuild fails `make test`. Only Python's
standard library: it runs before any virtual environment exists.
"""

import hashlib
import sys
from pathlib import Path

CONSOLE = Path(__file__).resolve().parent
RECORD = CONSOLE.parent / "app" / "console_static" / "SOURCE_HASH"
# Everything the build reads: sources (with the generated operations), page, configs, lock.
SOURCES = (
    "src",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "codegen.ts",
    "tsconfig.json",
)


def source_files() -> list[Path]:
    files: list[Path] = []
    for name in SOURCES:
        path = CONSOLE / name
        files.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    return sorted(files)


def source_hash() -> str:
    digest = hashlib.sha256()
    for path in source_files():
        digest.update(path.relative_to(CONSOLE).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).hexdigest().encode() + b"\n")
    return digest.hexdigest()


def recorded_hash() -> str | None:
    return RECORD.read_text().strip() if RECORD.is_file() else None


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        RECORD.write_text(source_hash() + "\n")
    print(source_hash())
