"""Work a request or job hands over to a thread of its process, done in
rounds: whoever hands it over goes on (or waits a bounded time for its
round), and one round does everything handed over by then (one transaction
for many commits' worth of work: group commit).

Used for what must follow a commit but need not hold up the caller for
long: numbering events on PostgreSQL (`events.relay`; a request waits for
its round a bounded time) and marking outbox rows sent (`queue.relay`).
Both are safe to lose when a process dies: a sweep of another process does
them later."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Hashable, Iterable
from typing import Any

log = logging.getLogger("birlik.handover")


class Handover:
    """Items handed over under a key (an engine, an app), and a daemon thread
    that passes everything pending to `work` ({key: [items]}) each time it is
    woken. The thread starts with the first `put` in each process (a forked
    child starts its own). `put` returns a ticket: `wait(ticket)` returns once
    the round that took those items has ended. `flush` does a round in the
    caller's thread after the thread's current round has ended: a process
    about to exit calls it, and nothing handed over before is left undone."""

    def __init__(self, name: str, work: Callable[[dict[Any, list[Any]]], None]) -> None:
        self._name = name
        self._work = work
        self._fresh()
        # A forked child starts afresh: what the parent had pending is the
        # parent's to do, and any of its locks may have been held at the fork.
        os.register_at_fork(after_in_child=self._fresh)

    def _fresh(self) -> None:
        self._pending: dict[Hashable, list[Any]] = {}
        self._lock = threading.Lock()  # guards `_pending`, `_taken` and the thread
        self._round = threading.Lock()  # held while a round works
        self._ended_cv = threading.Condition()  # guards `_ended`
        self._taken = 0  # rounds that have taken what was pending
        self._ended = 0  # of those, how many have ended (one at a time, in order)
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def put(self, key: Hashable, items: Iterable[Any]) -> int:
        with self._lock:
            self._pending.setdefault(key, []).extend(items)
            ticket = self._taken + 1  # the next round to take what is pending
            if self._thread is None or not self._thread.is_alive():
                self._start()
        self._wake.set()
        return ticket

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
        self._thread.start()

    def wait(self, ticket: int, *, timeout: float) -> bool:
        """Whether the round that took the items of `ticket` ended within
        `timeout` seconds (whether its work succeeded is the work's to log)."""
        with self._ended_cv:
            return self._ended_cv.wait_for(lambda: self._ended >= ticket, timeout=timeout)

    def flush(self, *, wait: float = -1) -> None:
        """A round now, once the thread's running round has ended (at most
        `wait` seconds, if given: a round stuck on a hung server must not
        keep a process from exiting; what it had is done by a sweep later)."""
        round_lock = self._round  # released below even if a fork in between renews `_round`
        if not round_lock.acquire(timeout=wait):
            log.warning("%s: a round is still running after %.0f s; not waiting for it", self._name, wait)
            return
        try:
            with self._lock:
                pending, self._pending = self._pending, {}
                if pending:
                    self._taken += 1
                    mine = self._taken
            if pending:
                try:
                    self._work(pending)
                finally:
                    with self._ended_cv:
                        self._ended = mine
                        self._ended_cv.notify_all()
        finally:
            round_lock.release()

    def _loop(self) -> None:
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                self.flush()
        finally:
            # A round raised what its work does not handle (threading logs
            # it): a new thread takes over, for what is pending now too.
            if not sys.is_finalizing():
                with self._lock:
                    self._start()
                self._wake.set()
