"""`make demo`: migrate and seed, then run the private Redis, the web
processes, one RQ worker with the scheduler and the scenario generator, with
their logs prefixed. Ctrl-C stops everything; running it again reuses var/.

The web side is nginx on BIRLIK_PORT in front of one `realtime` gunicorn
(gevent, /socket.io/) and one `api` gunicorn (gthread, BIRLIK_WEB_WORKERS
processes), each on a free local port (config/gunicorn.py). Without nginx
installed, one `all` process serves everything on BIRLIK_PORT instead.

Environment: BIRLIK_PORT (default 5000), BIRLIK_DEMO_SIMULATE (actions per
second, default 0.5; 0 turns the generator off), and any BIRLIK_ setting."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

from honcho.manager import Manager

from coordinator import embedded_redis
from coordinator.common.ports import free_port
from coordinator.demo import proxy

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "birlik-demo"


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


GUNICORN = f"{sys.executable} -m gunicorn -c config/gunicorn.py 'coordinator:create_app()'"


def add_web(manager: Manager, env: dict[str, str], var: Path, port: int) -> str:
    """The web processes: nginx, realtime and api, or one `all` process
    without nginx. Returns a line saying which."""
    nginx = proxy.binary()
    if nginx is None:
        web_env = {**env, "BIRLIK_BIND": f"127.0.0.1:{port}", "BIRLIK_WEB_ROLE": "all"}
        manager.add_process("web", GUNICORN, env=web_env, cwd=str(ROOT))
        return "nginx is not installed (scripts/demo-deps.sh installs it): one web process serves everything."
    realtime_port = free_port()
    api_port = free_port(exclude={realtime_port})
    # nginx on this host is the one proxy whose X-Forwarded-For counts.
    env = {**env, "BIRLIK_TRUSTED_PROXIES": env.get("BIRLIK_TRUSTED_PROXIES") or "127.0.0.1"}
    for role, role_port in (("realtime", realtime_port), ("api", api_port)):
        role_env = {**env, "BIRLIK_BIND": f"127.0.0.1:{role_port}", "BIRLIK_WEB_ROLE": role}
        manager.add_process(role, GUNICORN, env=role_env, cwd=str(ROOT))
    conf = proxy.render(var, port=port, realtime_ports=[realtime_port], api_ports=[api_port])
    manager.add_process("nginx", proxy.command(nginx, conf), env=env, cwd=str(ROOT))
    return f"nginx on {port}: /socket.io/ to realtime (port {realtime_port}), the rest to api (port {api_port})."


def _secret(var: Path) -> str:
    path = var / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _flask(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "coordinator", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"`flask {' '.join(args)}` failed")
    return result.stdout


def main() -> int:
    var = Path(os.environ.get("BIRLIK_VAR_DIR", ROOT / "var")).resolve()
    var.mkdir(parents=True, exist_ok=True)
    port = int(os.environ.get("BIRLIK_PORT", "5000"))
    if not _port_free(port):
        raise SystemExit(f"Port {port} is in use. Stop what uses it or set BIRLIK_PORT to another port.")
    env = {**os.environ, "BIRLIK_VAR_DIR": str(var), "PYTHONUNBUFFERED": "1"}
    env.setdefault("BIRLIK_SECRET_KEY", _secret(var))
    env.setdefault("BIRLIK_DATABASE_URL", f"sqlite:///{var / 'birlik.db'}")
    redis_server = None
    if not env.get("BIRLIK_REDIS_URL"):
        redis_server = embedded_redis.PrivateRedis(var)
        env["BIRLIK_REDIS_URL"] = redis_server.start()
    try:
        print("Migrating the database and loading the demo country…", flush=True)
        _flask(env, "db-upgrade")
        seeded = _flask(env, "seed-demo", "--password", PASSWORD)
        manager = Manager()
        web = add_web(manager, env, var, port)
        manager.add_process("worker", f"{sys.executable} -m flask --app coordinator worker", env=env, cwd=str(ROOT))
        rate = float(env.get("BIRLIK_DEMO_SIMULATE", "0.5"))
        if rate > 0:
            manager.add_process(
                "simulate",
                f"{sys.executable} -m flask --app coordinator simulate --rate {rate}",
                env=env,
                cwd=str(ROOT),
            )
        if redis_server is not None:
            manager.add_process("redis", f"tail -n 0 -F {redis_server.log_path}", env=env)
        print(
            f"\n  Birlik is starting at http://127.0.0.1:{port}/\n  {web}\n"
            f"  Health: http://127.0.0.1:{port}/healthz   API docs: http://127.0.0.1:{port}/api/v1/docs\n"
            + "".join(f"  {line.strip()}\n" for line in seeded.splitlines() if line.startswith("  "))
            + f"  Password for every demo login: {PASSWORD}\n  Press Ctrl-C to stop.\n",
            flush=True,
        )
        manager.loop()
        return manager.returncode or 0
    finally:
        if redis_server is not None:
            redis_server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
