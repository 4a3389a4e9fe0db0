"""Solves raced in processes of their own: the first that settles wins.

HiGHS's time on a surge's batch swings with small changes of the model: a
captured live batch (bench/surge_captured.py) ran out of 10 s with its 4
nearest candidates per kind on one machine, where the same groups with 8
were optimal in 4 s, and on another machine the 4 took 4 s and the 8 took
7 s. Which model is the quick one cannot be told beforehand, so both run at
once, each on a core, and the first to prove its plan stops the other.
Threads would not do: a solve in `scipy.optimize.milp` cannot be stopped
once started, and the slower one must be.

The processes fork from a forkserver (a clean process with the solver
loaded), not from the worker: a worker has threads of its own (its upkeep)
and HiGHS's, which a plain fork would copy half-way.
"""

from __future__ import annotations

import multiprocessing
import signal
import time
from collections.abc import Callable, Sequence
from multiprocessing import forkserver
from multiprocessing.connection import Connection, wait
from typing import Any

# Imported once in the forkserver, not in every solve. Python 3.11's
# forkserver imports it from its working directory, the worker's (the
# repository: `flask --app coordinator` needs it too); failing that, each
# solve's process imports it itself, a second slower. The solver's own
# modules are named too: the batch module imports them only when it solves.
PRELOAD = ["coordinator.housing.batch", "scipy.optimize", "scipy.sparse"]
START_SECONDS = 5.0  # a solve's process may take this long to start and answer beyond its time limit


def _context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def warm() -> None:
    """Start the forkserver now, so a surge's batch does not wait for it to
    import the solver (a second or more, in the background). Cheap when it
    is running."""
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
        # A job's time limit (RQ's SIGALRM) waits until every process is in
        # `running`: one it cut off mid-start would be left to run out its own.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        try:
            for call, args in calls:
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_answer, args=(send, call, args), daemon=True)
                try:
                    process.start()
                except BaseException:
                    receive.close()
                    raise
                finally:
                    send.close()  # the child holds its end: when it dies the pipe reads as closed
                running[receive] = process
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        deadline = time.monotonic() + seconds + START_SECONDS
        while running and (ready := wait(list(running), timeout=max(0.0, deadline - time.monotonic()))):
            for conn in ready:
                process = running.pop(conn)
                try:
                    answer = conn.recv()  # before the join: an answer larger than the pipe holds
                except (EOFError, OSError):  # died before it answered, or while it did
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
