"""Real servers for the test suite: a private Valkey, a throwaway PostgreSQL
cluster, the Birlik web app under gunicorn (any process role), and nginx in
front of several of them. Each listens on 127.0.0.1 and is stopped by the
fixture that started it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from coordinator.common.ports import free_port

ROOT = Path(__file__).resolve().parent.parent


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    return None


class Postgres:
    """A PostgreSQL cluster in a temporary directory (run as `postgres` when we are root)."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.data = base / "data"
        self.log = base / "pg.log"
        self.port = free_port()
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str) -> None:
        subprocess.run([*self.prefix, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> str:
        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not initdb or not pg_ctl:
            raise RuntimeError("PostgreSQL is not installed: run `make deps` (apt-get install postgresql).")
        self.base.mkdir(parents=True, exist_ok=True)
        if self.prefix:
            shutil.chown(self.base, "postgres")
            os.chmod(self.base, 0o755)
        self._run(initdb, "-D", str(self.data), "-U", "birlik", "--auth=trust", "-E", "UTF8", "--locale=C")
        opts = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"
        opts += " -c synchronous_commit=off -c full_page_writes=off"
        self._run(pg_ctl, "-D", str(self.data), "-o", opts, "-l", str(self.log), "-w", "start")
        self.url = f"postgresql+psycopg://birlik@127.0.0.1:{self.port}/postgres"
        return self.url

    def stop(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")


class WebServer:
    """The real app under gunicorn, configured through BIRLIK_ variables
    (BIRLIK_WEB_ROLE picks the process role, config/gunicorn.py). It runs in
    its own process group, so `kill` takes the master and its workers at once,
    as a machine that loses power would."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env, "BIRLIK_ENV": "test", "BIRLIK_BIND": f"127.0.0.1:{self.port}"}
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> WebServer:
        self._log = open(self.log, "wb")  # noqa: SIM115  (closed in stop)
        cmd = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "config" / "gunicorn.py"), "coordinator:create_app()"]
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._log.close()
                raise RuntimeError(f"web server exited: {self.log.read_text()[-3000:]}")
            try:
                if requests.get(self.url + "/login", timeout=10).status_code == 200:
                    return self
            except requests.RequestException:
                pass  # not listening yet, or still loading the app
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"web server did not start in time: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the master and its workers, with no chance to finish a request."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            # Gunicorn's quick shutdown: a graceful one (SIGTERM) waits up to
            # 30 s for workers whose threads hold open sockets (a browser's).
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            # A master that did not finish its graceful stop in time (open
            # sockets keep its workers busy) was killed alone: its workers
            # would live on, orphaned, holding memory for the rest of the run.
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass  # the whole group is gone already
        self._log.close()


class Nginx:
    """The Debian nginx in the foreground with the configuration `make demo`
    uses (coordinator/demo/proxy.py), in front of the given realtime and api
    processes."""

    def __init__(self, var: Path, *, realtime_ports: list[int], api_ports: list[int]) -> None:
        from coordinator.demo import proxy

        self.binary = proxy.binary()
        if self.binary is None:
            raise RuntimeError("nginx is not installed: run `make system-deps` (apt-get install nginx).")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.conf = proxy.render(var, port=self.port, realtime_ports=realtime_ports, api_ports=api_ports, sockets=500)
        self.log = var / "nginx" / "nginx.log"
        self.command = proxy.command(self.binary, self.conf).split()
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 20) -> Nginx:
        self._log = open(self.log, "wb")  # noqa: SIM115  (closed in stop)
        self.proc = subprocess.Popen(self.command, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._log.close()
                raise RuntimeError(f"nginx exited: {self.log.read_text()[-3000:]}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"nginx did not start in time: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            # Gunicorn's quick shutdown: a graceful one (SIGTERM) waits up to
            # 30 s for workers whose threads hold open sockets (a browser's).
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            # A master that did not finish its graceful stop in time (open
            # sockets keep its workers busy) was killed alone: its workers
            # would live on, orphaned, holding memory for the rest of the run.
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass  # the whole group is gone already
        self._log.close()
