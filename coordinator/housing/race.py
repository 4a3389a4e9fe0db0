"""Solves raced in processes of their own: the first that settles wins.

HiGHS's time on a surge's batch swings with small changes of the model: a
captured live batch (bench/surge_captured.py) ran out of 10 s with its 4
nearest candidates per kind on one machine, where the same groups with 8
were optimal in 4 s, and on another machine the 4 took 4 s and the 8 took
7 s. Which model is the quick one cannot be told beforehand, so both run at
once, each on a core, and the first to prove its plan stops the other.
Threads would not do: `scipy.optimize.milp` holds the GIL while it solves.

The processes fork from a forkserver (a clean process with the solver
loaded), not from the worker: a worker has threads of its own (its upkeep)
and HiGHS's, which a plain fork would copy half-way.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Sequence
from multiprocessing import forkserver
from multiprocessing.connection import Connection, wait
from typing import Any

PRELOAD = ["coordinator.housing.batch"]  # imported once in the forkserver, not in every solve
START_SECONDS = 10.0  # a solve's process may take this long to start and answer beyond its time limit


def _context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def warm() -> None:
    """Start the forkserver now (about a second, importing the solver), so a
    surge's batch does not wait for it. Cheap when it is running."""
    _context()
    forkserver.ensure_running()


def _answer(conn: Connection, call: Callable, args: tuple) -> None:
    # An exception here ends the process with its traceback on stderr; the
    # parent sees the pipe closed without an answer.
    conn.send(call(*args))
    conn.close()


def race(calls: Sequence[tuple[Callable, tuple]], *, settled: Callable[[Any], bool], seconds: float) -> list:
    """Run each `call(*args)` in a process of its own and return the answers
    in the order they came: up to the first that is `settled` (the others are
    stopped then), or all, or those that came within `seconds` plus
    START_SECONDS. A process that dies gives no answer; an empty list means
    none answered. Calls and their arguments must pickle."""
    context = _context()
    running: dict[Connection, multiprocessing.process.BaseProcess] = {}
    answers: list = []
    try:
        for call, args in calls:
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_answer, args=(send, call, args), daemon=True)
            process.start()
            send.close()  # the child holds its end: when it dies the pipe reads as closed
            running[receive] = process
        deadline = time.monotonic() + seconds + START_SECONDS
        while running and (ready := wait(list(running), timeout=max(0.0, deadline - time.monotonic()))):
            for conn in ready:
                process = running.pop(conn)
                try:
                    answer = conn.recv()  # before the join: an answer larger than the pipe holds
                except EOFError:
                    continue
                finally:
                    conn.close()
                    process.join()
                answers.append(answer)
                if settled(answer):
                    return answers
        return answers
    finally:
        for conn, process in running.items():
            process.kill()
            process.join()
            conn.close()
