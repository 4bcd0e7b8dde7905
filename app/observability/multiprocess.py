"""The directory where server processes share their metric samples.

This module must not import prometheus-client: the client picks its storage (memory or
files) when it is first imported, so `python -m app serve` sets the directory first.
"""

from __future__ import annotations

import os
from pathlib import Path

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROCESS_ENV) or None


def prepare_multiprocess_dir(directory: Path) -> None:
    """Before the server processes start: an empty directory, as prometheus-client
    requires (samples of an earlier run would be added to this one's)."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
