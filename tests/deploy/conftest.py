"""A deployment as the README describes it, on one machine: nginx in front of
several `api` and `realtime` gunicorn processes, RQ worker processes,
PostgreSQL and Redis, each a real process the test can kill."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
import socketio

from tests.faults.conftest import workers  # noqa: F401  (real worker processes)
from tests.servers import Nginx, WebServer


@dataclass
class Deployment:
    nginx: Nginx
    api: list[WebServer]
    realtime: list[WebServer]
    workers: list = field(default_factory=list)


@pytest.fixture
def deployment(config, tmp_path, workers) -> Iterator[Callable[..., Deployment]]:  # noqa: F811
    """deployment(api=2, realtime=2, workers=3, **worker settings): the
    processes started (gunicorns at once, they load slowly), nginx last."""
    started: list = []

    def start(*, api: int = 2, realtime: int = 2, n_workers: int = 3, **worker_settings: str) -> Deployment:
        env = {
            "BIRLIK_DATABASE_URL": config["DATABASE_URL"],
            "BIRLIK_REDIS_URL": config["REDIS_URL"],
            "BIRLIK_SECRET_KEY": config["SECRET_KEY"],
            "BIRLIK_VAR_DIR": config["VAR_DIR"],
            # nginx on this host is the proxy whose X-Forwarded-For counts.
            "BIRLIK_TRUSTED_PROXIES": "127.0.0.1",
            "BIRLIK_WEB_WORKERS": "1",
            "BIRLIK_WEB_THREADS": "16",
        }
        roles = ["api"] * api + ["realtime"] * realtime
        servers = [
            WebServer({**env, "BIRLIK_WEB_ROLE": role}, tmp_path / f"{role}-{n}.log") for n, role in enumerate(roles)
        ]
        procs = workers(n_workers, **worker_settings)  # they load while the gunicorns do
        with ThreadPoolExecutor(len(servers)) as pool:
            futures = [pool.submit(s.start) for s in servers]
        started.extend(servers)
        for future in futures:
            future.result()
        apis, realtimes = servers[:api], servers[api:]
        proxy = Nginx(tmp_path, realtime_ports=[s.port for s in realtimes], api_ports=[s.port for s in apis])
        started.append(proxy.start())
        return Deployment(proxy, apis, realtimes, procs)

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def sockets() -> Iterator[Callable[..., socketio.Client]]:
    """sockets(url, token, transport): a python-socketio client whose `event`
    messages collect in `.received`."""
    clients: list[socketio.Client] = []

    def connect(url: str, token: str, transport: str = "websocket") -> socketio.Client:
        sio = socketio.Client(reconnection=False)
        sio.received = []  # type: ignore[attr-defined]
        sio.on("event", lambda payload: sio.received.append(payload))
        sio.on("welcome", lambda payload: setattr(sio, "welcome", payload))
        sio.connect(url, auth={"token": token}, transports=[transport], wait_timeout=20)
        clients.append(sio)
        return sio

    yield connect
    for sio in clients:
        if sio.connected:
            sio.disconnect()
