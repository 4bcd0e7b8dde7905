"""Coroutines run together without a task each: what a plan's awaiting fields need.

`asyncio.gather` wraps every coroutine in a Task: its creation, its registration in the
loop's set of tasks (a WeakSet, in Python), a first step scheduled for the next turn,
and a callback per child. A page of 100 customers awaits about 1,000 resolvers, and
that machinery was about 15 % of its CPU (issue 14). Here each coroutine runs at once
until it first waits, and is resumed by the future it waits on, as a Task would resume
it (Python 3.12's eager task factory does the same). Most resolvers wait on a
DataLoader future; one whose data is already loaded finishes in its first step, and
never costs a turn of the event loop.

As with gather, every coroutine is started before any of them resumes, so the keys
they give their loaders in that first step land in one batch. As with `gather(...,
return_exceptions=True)`, all of them run to their end; then the first failure, in
the order given, is raised. Cancelled while waiting, it closes the coroutines still
running.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


class _Together:
    __slots__ = ("_done", "_errors", "_left", "_loop", "_running")

    def __init__(self, coroutines: list[Coroutine[Any, Any, Any]]) -> None:
        self._loop = asyncio.get_running_loop()
        self._done: asyncio.Future[None] = self._loop.create_future()
        self._errors: list[tuple[int, BaseException]] = []
        self._left = len(coroutines)
        self._running: dict[int, Coroutine[Any, Any, Any]] = dict(enumerate(coroutines))
        for index in range(len(coroutines)):
            self._step(index)

    def _step(self, index: int, _waited: object = None) -> None:
        coroutine = self._running.get(index)
        if coroutine is None:  # closed when the wait was cancelled
            return
        try:
            yielded = coroutine.send(None)
        except StopIteration:
            self._end(index)
            return
        except BaseException as error:  # reported after all have ended, as gather does
            self._errors.append((index, error))
            self._end(index)
            return
        if yielded is None:  # a bare yield (asyncio.sleep(0)): its turn comes again
            self._loop.call_soon(self._step, index)
        elif getattr(yielded, "_asyncio_future_blocking", False):
            # Awaiting a future: resumed when it is done, as Task.__step does.
            yielded._asyncio_future_blocking = False
            yielded.add_done_callback(lambda future: self._step(index, future))
        else:
            self._errors.append((index, RuntimeError(f"a coroutine yielded {yielded!r}")))
            coroutine.close()
            self._end(index)

    def _end(self, index: int) -> None:
        del self._running[index]
        self._left -= 1
        if self._left == 0 and not self._done.done():
            self._done.set_result(None)

    async def wait(self) -> None:
        if self._left:
            try:
                await self._done
            except asyncio.CancelledError:
                running, self._running = self._running, {}
                for coroutine in running.values():
                    coroutine.close()
                raise
        if self._errors:
            raise min(self._errors, key=lambda item: item[0])[1]


async def run_together(coroutines: list[Coroutine[Any, Any, Any]]) -> None:
    """Run them all to their end; then raise the first failure, in the order given."""
    await _Together(coroutines).wait()
