"""Runs the whole system as `make demo` does (private Redis, nginx in front of
the realtime and API processes, one worker, demo data, embedded defaults) in
a scratch directory, for a benchmark. With
`own_redis`, the benchmark starts that private Redis itself, on a fixed port,
so it can stop it and start it again while the system runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from coordinator.common.ports import free_port
from coordinator.embedded_redis import PrivateRedis

ROOT = Path(__file__).resolve().parent.parent


class DemoSystem:
    def __init__(self, *, own_redis: bool = False, settings: dict[str, str] | None = None) -> None:
        """`settings`: BIRLIK_ variables for every process (a database URL, worker counts)."""
        self.dir = Path(tempfile.mkdtemp(prefix="birlik-bench-"))
        self.settings = settings or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        # Where the demo would put its own server, so `env` reads the same URL file.
        self.redis = PrivateRedis(self.dir / "var") if own_redis else None
        self.redis_port = 0

    def stop_redis(self) -> None:
        assert self.redis is not None, "DemoSystem(own_redis=True) only"
        self.redis.stop()

    def start_redis(self) -> None:
        """Start the private Redis again on its port; returns once it answers."""
        assert self.redis is not None, "DemoSystem(own_redis=True) only"
        self.redis.start(port=self.redis_port)

    def __enter__(self) -> DemoSystem:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BIRLIK_")}
        env.update(BIRLIK_PORT=str(self.port), BIRLIK_VAR_DIR=str(self.dir / "var"), BIRLIK_DEMO_SIMULATE="0")
        env["TMPDIR"] = str(self.dir)  # what a worker stopped hard leaves (its forkserver's socket) stays with the run
        env.update(self.settings)
        self.log = None
        if self.redis is not None:
            url = self.redis.start()
            self.redis_port = int(url.rsplit(":", 1)[1].split("/")[0])
            env["BIRLIK_REDIS_URL"] = url  # the demo then starts no server of its own
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
    def database_url(self) -> str:
        return self.settings.get("BIRLIK_DATABASE_URL") or f"sqlite:///{self.dir / 'var' / 'birlik.db'}"

    @property
    def env(self) -> dict[str, str]:
        """Settings for another process to use this system's database and Redis."""
        var = self.dir / "var"
        return {
            **os.environ,
            **self.settings,
            "BIRLIK_VAR_DIR": str(var),
            "BIRLIK_DATABASE_URL": self.database_url,
            "BIRLIK_REDIS_URL": (var / "redis" / "url").read_text().strip(),
            "BIRLIK_SECRET_KEY": (var / "secret_key").read_text().strip(),
        }

    def web_processes(self) -> dict[str, list[int]]:
        """The pids of this system's web processes by role (gunicorn masters and
        workers of `realtime`, `api` or `all`, and `nginx`): the launcher's
        descendants (honcho gives each process a session of its own), from /proc."""
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue  # gone meanwhile
        found: dict[str, list[int]] = {}
        for pid in parents:
            ancestor = parents.get(pid)
            while ancestor and self.proc is not None and ancestor != self.proc.pid:
                ancestor = parents.get(ancestor)
            if not ancestor:
                continue
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            except OSError:
                continue
            program = cmdline[0].decode(errors="replace")
            if program.startswith("nginx") or program.endswith("/nginx"):
                found.setdefault("nginx", []).append(pid)
            elif b"gunicorn" in cmdline:
                role = next((e.split(b"=", 1)[1].decode() for e in environ if e.startswith(b"BIRLIK_WEB_ROLE=")), "all")
                found.setdefault(role, []).append(pid)
        return found

    def web_stats(self) -> dict[str, dict[str, float]]:
        """Resident memory (MB) and OS threads of each web role, summed over its processes."""
        stats = {}
        for role, pids in sorted(self.web_processes().items()):
            rss = threads = 0
            for pid in pids:
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Threads:"):
                        threads += int(line.split()[1])
            stats[role] = {"processes": len(pids), "rss_mb": round(rss / 1024, 1), "threads": threads}
        return stats

    def web_cpu(self) -> dict[str, float]:
        """CPU seconds (user and system) each web role has used so far."""
        ticks = os.sysconf("SC_CLK_TCK")
        used: dict[str, float] = {}
        for role, pids in self.web_processes().items():
            for pid in pids:
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                used[role] = used.get(role, 0) + (int(fields[11]) + int(fields[12])) / ticks
        return used

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        if self.log is not None:
            self.log.close()
        if self.redis is not None:
            self.redis.stop()
