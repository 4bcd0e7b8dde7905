"""Long loops of a unit of work give the event loop a turn now and then.

A receipt of 1,000 transactions builds 1,000 rows and 1,000 events in plain Python
loops; run in one go, each loop holds the event loop for tens of milliseconds, and a
small request waits for every such stretch it meets on each of its awaits (issue 13: a
probe's p99 went from 9 ms to 400-800 ms while max-size receipts were posted). Yielding
every `TURN` items keeps each stretch to a millisecond or two.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from typing import TypeVar

T = TypeVar("T")
TURN = 10


async def in_turns(items: Iterable[T], turn: int = TURN) -> AsyncIterator[T]:
    for index, item in enumerate(items):
        if index and index % turn == 0:
            await asyncio.sleep(0)
        yield item
