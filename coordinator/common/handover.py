"""Work a request or job hands over to a thread of its process, done in
rounds: whoever hands it over returns at once, and one round does everything
handed over by then (one transaction for many commits' worth of work).

Used for what must follow a commit but need not hold up the caller: numbering
events on PostgreSQL (`events.relay`) and marking outbox rows sent
(`queue.relay`). Both are safe to lose when a process dies: a sweep of
another process does them later."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Hashable, Iterable
from typing import Any

log = logging.getLogger("birlik.handover")


class Handover:
    """Items handed over under a key (an engine, an app), and a daemon thread
    that passes everything pending to `work` ({key: [items]}) each time it is
    woken. The thread starts with the first `put` in each process, so a forked
    child starts its own. `flush` does a round in the caller's thread after
    the thread's current round has ended: a process about to exit calls it,
    and nothing handed over before is left undone."""

    def __init__(self, name: str, work: Callable[[dict[Any, list[Any]]], None]) -> None:
        self._name = name
        self._work = work
        self._pending: dict[Hashable, list[Any]] = {}
        self._lock = threading.Lock()  # guards `_pending` and the thread
        self._round = threading.Lock()  # held while a round works
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def put(self, key: Hashable, items: Iterable[Any]) -> None:
        with self._lock:
            self._pending.setdefault(key, []).extend(items)
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._thread.start()
        self._wake.set()

    def flush(self, *, wait: float = -1) -> None:
        """A round now, once the thread's running round has ended (at most
        `wait` seconds, if given: a round stuck on a hung server must not
        keep a process from exiting; what it had is done by a sweep later)."""
        if not self._round.acquire(timeout=wait):
            log.warning("%s: a round is still running after %.0f s; not waiting for it", self._name, wait)
            return
        try:
            with self._lock:
                pending, self._pending = self._pending, {}
            if pending:
                self._work(pending)
        finally:
            self._round.release()

    def _loop(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            self.flush()


class Shared:
    """Work that callers wait for, shared between the threads of a process
    (group commit): `run` hands over its items and returns once a round that
    started after it has ended. One caller at a time does a round, for every
    item handed over by then; the others wait for it instead of each doing
    its own round behind the first. `run` raises what the round raised in
    the caller whose round it was; a waiting caller whose round failed logs
    it and returns, as does one still waiting after `wait` seconds (a round
    stuck on a hung server): what it handed over is left to a later round or
    to a sweep. A forked child starts afresh."""

    def __init__(self, work: Callable[[dict[Any, list[Any]]], None]) -> None:
        self._work = work
        self._cv = threading.Condition()
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._pending: dict[Hashable, list[Any]] = {}
        self._started = 0  # rounds begun
        self._ended = 0  # rounds ended (they end in the order they began)
        self._failed = 0  # the last round that raised
        self._running = False

    def run(self, key: Hashable, items: Iterable[Any], *, wait: float) -> None:
        with self._cv:
            if self._pid != os.getpid():
                self._reset()
            self._pending.setdefault(key, []).extend(items)
            needed = self._started + 1  # the next round to begin takes these items
            if not self._cv.wait_for(lambda: self._ended >= needed or not self._running, timeout=wait):
                log.warning("a shared round is still running after %.0f s; not waiting for it", wait)
                return
            if self._ended >= needed:  # another caller's round did it
                if self._failed >= needed:
                    log.warning("the shared round with this caller's items failed; a later one or a sweep does them")
                return
            pending, self._pending = self._pending, {}
            self._started += 1
            self._running = True
            mine = self._started
        failed = True
        try:
            self._work(pending)
            failed = False
        finally:
            with self._cv:
                self._ended = mine
                self._failed = mine if failed else self._failed
                self._running = False
                self._cv.notify_all()
