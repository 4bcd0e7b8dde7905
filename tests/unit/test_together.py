"""Coroutines run together without a task each (app/graphql/compiled/together.py): all
started before any resumes, each resumed by what it waits on, failures raised after
all have ended, the first in the order given; cancelled, it closes what still runs."""

import asyncio

import pytest

from app.graphql.compiled.together import run_together


async def test_all_start_before_any_resumes_and_each_runs_to_its_end() -> None:
    events: list[str] = []
    gate: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def waits(name: str) -> None:
        events.append(f"start {name}")
        value = await gate
        await asyncio.sleep(0)  # a bare yield: its turn comes again
        events.append(f"end {name} {value}")

    async def at_once() -> None:
        events.append("at once")

    asyncio.get_running_loop().call_soon(lambda: events.append("next turn") or gate.set_result(7))
    await run_together([waits("a"), at_once(), waits("b")])
    assert events[:4] == ["start a", "at once", "start b", "next turn"]
    assert sorted(events[4:]) == ["end a 7", "end b 7"]


async def test_the_first_failure_in_order_is_raised_once_all_have_ended() -> None:
    ended: list[str] = []

    async def fails(name: str, after: float) -> None:
        await asyncio.sleep(after)
        ended.append(name)
        raise ValueError(name)

    async def slow() -> None:
        await asyncio.sleep(0.02)
        ended.append("slow")

    with pytest.raises(ValueError, match="first"):
        await run_together([slow(), fails("first", 0.01), fails("second", 0)])
    assert sorted(ended) == ["first", "second", "slow"]


async def test_nothing_to_run_and_nothing_that_waits() -> None:
    await run_together([])
    done: list[int] = []

    async def now(value: int) -> None:
        done.append(value)

    await run_together([now(1), now(2)])
    assert done == [1, 2]


async def test_cancelled_it_closes_the_coroutines_still_running() -> None:
    closed: list[str] = []
    never: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def waits_forever() -> None:
        try:
            await never
        finally:
            closed.append("closed")

    waiting = asyncio.ensure_future(run_together([waits_forever(), waits_forever()]))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert closed == ["closed", "closed"]
    never.set_result(None)  # its callbacks find nothing left to resume
    await asyncio.sleep(0)
