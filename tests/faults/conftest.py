"""Faults for real: a Valkey the test stops and starts on the same port, and
worker processes (`flask --app coordinator worker`) the test can kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest

from coordinator.embedded_redis import PrivateRedis
from tests.servers import ROOT


class Valkey:
    """A private Valkey on a fixed port, stopped and started by the test."""

    def __init__(self, base) -> None:
        self.server = PrivateRedis(base)
        self.url = self.server.start()
        self.port = int(self.url.rsplit(":", 1)[1].split("/")[0])

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        self.server.start(port=self.port)


@pytest.fixture
def valkey(tmp_path) -> Iterator[Valkey]:
    server = Valkey(tmp_path / "valkey")
    yield server
    server.stop()


@pytest.fixture
def redis_url(valkey) -> str:
    """The app, the live server and the workers all use the test's own Valkey."""
    return valkey.url


@pytest.fixture
def workers(config, tmp_path) -> Iterator[Callable[..., list[subprocess.Popen]]]:
    """Starts worker processes as production does; kills what is left at the end."""
    procs: list[subprocess.Popen] = []

    def start(n: int = 1, **settings: str) -> list[subprocess.Popen]:
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",  # the log is complete even when the test kills the worker
            "BIRLIK_ENV": "test",
            "BIRLIK_DATABASE_URL": config["DATABASE_URL"],
            "BIRLIK_VAR_DIR": config["VAR_DIR"],  # its metrics files too, not the repository's var/
            "BIRLIK_REDIS_URL": config["REDIS_URL"],
            "BIRLIK_SECRET_KEY": "x",
            **{f"BIRLIK_{k}": v for k, v in settings.items()},
        }
        new = []
        for _ in range(n):
            log = open(tmp_path / f"worker-{len(procs)}.log", "wb")  # noqa: SIM115  (closed with the process)
            proc = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "coordinator", "worker"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            proc.log = log  # type: ignore[attr-defined]
            procs.append(proc)
            new.append(proc)
        return new

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.log.close()  # type: ignore[attr-defined]
