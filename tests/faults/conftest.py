"""Faults for real: a Valkey the test stops and starts on the same port (the
worker processes the test can kill are the top conftest's `workers`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from coordinator.embedded_redis import PrivateRedis


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
