"""Timing assertions that measure the work, not the test session's garbage collector.

A test process holds a large heap (every fixture and app of the session so far); a
full collection that happens to start inside a timed block pauses it for up to a second
on a busy machine. The collector is run before and paused during the block, so a bound
on the block's time is a bound on the work it does.
"""

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Stopwatch:
    seconds: float = 0.0


@contextmanager
def stopwatch() -> Iterator[Stopwatch]:
    watch = Stopwatch()
    gc.collect()
    gc.disable()
    started = time.perf_counter()
    try:
        yield watch
    finally:
        watch.seconds = time.perf_counter() - started
        gc.enable()
