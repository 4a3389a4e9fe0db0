"""Runs the whole system as `make demo` does (private Redis, web, one worker,
demo data, embedded defaults) in a scratch directory, for a benchmark."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DemoSystem:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="birlik-bench-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> DemoSystem:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BIRLIK_")}
        env.update(BIRLIK_PORT=str(self.port), BIRLIK_VAR_DIR=str(self.dir / "var"), BIRLIK_DEMO_SIMULATE="0")
        self.log = open(self.dir / "system.log", "wb")  # noqa: SIM115  (closed in __exit__)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "coordinator.demo.launch"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/healthz", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.__exit__()
        raise RuntimeError(f"the system did not become healthy; see {self.dir / 'system.log'}")

    def token(self, username: str = "admin") -> str:
        resp = requests.post(
            self.url + "/api/v1/auth/tokens", json={"username": username, "password": "birlik-demo"}, timeout=10
        )
        resp.raise_for_status()
        return resp.json()["token"]

    @property
    def env(self) -> dict[str, str]:
        """Settings for another process to use this system's database and Redis."""
        var = self.dir / "var"
        return {
            **os.environ,
            "BIRLIK_VAR_DIR": str(var),
            "BIRLIK_DATABASE_URL": f"sqlite:///{var / 'birlik.db'}",
            "BIRLIK_REDIS_URL": (var / "redis" / "url").read_text().strip(),
            "BIRLIK_SECRET_KEY": (var / "secret_key").read_text().strip(),
        }

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()
