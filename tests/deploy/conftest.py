"""A deployment as the README describes it, on one machine: nginx in front of
several `api` and `realtime` gunicorn processes, RQ worker processes,
PostgreSQL and Redis, each a real process the test can kill.

nginx is the Debian package `make test` installs (scripts/system-deps.sh);
on CI (`CI` set) a missing nginx fails the test, elsewhere it is skipped
with the reason."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
import socketio
from engineio import packet as engineio_packet
from engineio.payload import Payload
from redis import Redis
from rq import Worker
from socketio import packet as socketio_packet

from coordinator.demo import proxy
from tests.servers import Nginx, WebServer


@dataclass
class Deployment:
    nginx: Nginx
    api: list[WebServer]
    realtime: list[WebServer]
    workers: list = field(default_factory=list)


@pytest.fixture
def deployment(config, tmp_path, workers, wait_for) -> Iterator[Callable[..., Deployment]]:  # noqa: F811
    """deployment(api=2, realtime=2, workers=3, **worker settings): the
    processes started (gunicorns at once, they load slowly), nginx last."""
    if proxy.binary() is None:
        reason = "nginx is not installed: `make system-deps` installs the Debian package"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
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
            # A key whose api process was killed is taken over by the
            # client's retry within its retrying time.
            "BIRLIK_IDEMPOTENCY_LEASE_SECONDS": "3",
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
        # Workers load the app as slowly as the gunicorns: requests posted
        # before they listen would wait in the queue, not be lost.
        with Redis.from_url(config["REDIS_URL"]) as redis:
            assert wait_for(lambda: Worker.count(connection=redis) >= n_workers, timeout=60), "workers did not start"
        apis, realtimes = servers[:api], servers[api:]
        proxy = Nginx(tmp_path, realtime_ports=[s.port for s in realtimes], api_ports=[s.port for s in apis])
        started.append(proxy.start())
        return Deployment(proxy, apis, realtimes, procs)

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def sockets(tmp_path, monkeypatch) -> Iterator[Callable[..., socketio.Client]]:
    """sockets(url, token, transports, **auth): a python-socketio client whose
    `event` messages collect in `.received` (in the order they came); what
    its Engine.IO layer did goes to client-N.log."""
    # A long-poll answer carries every packet queued for the client (a burst
    # of events is dozens). The Python client refuses a payload of more than
    # 16 packets and drops the connection ("Unexpected packet from server");
    # a browser's client has no such bound, so these clients get none either.
    monkeypatch.setattr(Payload, "max_decode_packets", 10_000)
    clients: list[socketio.Client] = []

    def connect(url: str, token: str, transports: tuple[str, ...] = ("websocket",), **auth) -> socketio.Client:
        log = logging.getLogger(f"{tmp_path.name}.client-{len(clients)}")
        log.setLevel(logging.INFO)
        log.propagate = False
        log.addHandler(logging.FileHandler(tmp_path / f"client-{len(clients)}.log"))
        sio = socketio.Client(reconnection=False, logger=log, engineio_logger=log)
        sio.received = []  # type: ignore[attr-defined]
        # The Python client runs each message's handler in a thread of its
        # own, so handlers may run out of arrival order (a browser's client
        # never does): note events as they arrive, in the reading thread.
        receive = sio.eio._receive_packet

        def arrived(pkt) -> None:
            if pkt.packet_type == engineio_packet.MESSAGE and isinstance(pkt.data, str):
                message = socketio_packet.Packet(encoded_packet=pkt.data)
                if message.packet_type == socketio_packet.EVENT and message.data[0] == "event":
                    sio.received.append(message.data[1])
            receive(pkt)

        sio.eio._receive_packet = arrived
        sio.on("welcome", lambda payload: setattr(sio, "welcome", payload))
        sio.connect(url, auth={"token": token, **auth}, transports=list(transports), wait_timeout=20)
        clients.append(sio)
        return sio

    yield connect
    for sio in clients:
        if sio.connected:
            sio.disconnect()
    for n in range(len(clients)):
        for handler in logging.getLogger(f"{tmp_path.name}.client-{n}").handlers[:]:
            handler.close()
            logging.getLogger(f"{tmp_path.name}.client-{n}").removeHandler(handler)
