"""Full garbage collections between bursts of live events, not during them.

Python's cyclic collector stops the whole process while it runs. A full
collection walks every tracked object, and a realtime worker with 2,000
sockets holds hundreds of thousands of them (greenlets, queues, packets):
150-400 ms in which no socket gets anything. Python starts one whenever
enough objects have survived, which under a stream of events is every few
seconds, in the middle of a fan-out (bench/fanout.py: one event in fifty
reached every screen 250 ms late).

`QuietCollector` takes the full collections over: Python's own become rare
(a backstop for a process that is never quiet), and a background greenlet
runs one when Python would have considered it (`DUE_AFTER` middle-generation
collections since the last full one, its default) and no event has been
relayed for `quiet` seconds. Cycles are still collected, between bursts."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

DUE_AFTER = 10  # middle-generation collections before a full one is due (Python's default threshold)
BACKSTOP = 1000  # Python's own full collections: after this many (a process never quiet)


class QuietCollector:
    def __init__(
        self,
        *,
        quiet: float = 1.0,
        now: Callable[[], float] = time.monotonic,
        collect: Callable[[], Any] = gc.collect,
    ) -> None:
        self.quiet, self.now, self.collect = quiet, now, collect
        self.last_busy = now()
        self.since_full = 0  # middle-generation collections since the last full one

    def busy(self) -> None:
        """An event is on its way to the sockets: no full collection for `quiet` seconds."""
        self.last_busy = self.now()

    def counted(self, phase: str, info: dict[str, int]) -> None:
        """A `gc.callbacks` hook: counts collections by generation."""
        if phase != "stop":
            return
        if info["generation"] == 1:
            self.since_full += 1
        elif info["generation"] == 2:
            self.since_full = 0

    def due(self) -> bool:
        return self.since_full >= DUE_AFTER and self.now() - self.last_busy >= self.quiet

    def step(self) -> bool:
        """Runs a full collection if one is due; says whether it did."""
        if not self.due():
            return False
        self.collect()
        self.since_full = 0  # also reset by `counted` when gc.collect is the collector
        return True

    def run(self) -> None:  # pragma: no cover  (a green loop, for the life of the process)
        while True:
            time.sleep(self.quiet)
            self.step()


_installed: QuietCollector | None = None


def install(spawn: Callable[[Callable[[], None]], Any], *, quiet: float = 1.0) -> QuietCollector:
    """Take this process's full collections over (once per process) and
    start the loop with `spawn` (a green background task). Returns the collector."""
    global _installed
    if _installed is None:
        _installed = QuietCollector(quiet=quiet)
        first, second, _ = gc.get_threshold()
        gc.set_threshold(first, second, BACKSTOP)
        gc.callbacks.append(_installed.counted)
        spawn(_installed.run)
    return _installed
