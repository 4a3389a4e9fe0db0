"""A live gunicorn server with operations settings of the test's choosing,
and raw-socket requests whose bodies trickle in (real slow clients)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest
import requests

from tests.servers import WebServer


@pytest.fixture
def ops_server(config, tmp_path) -> Iterator[Callable[..., WebServer]]:
    """Starts the app under gunicorn with extra BIRLIK_ (or GUNICORN_CMD_ARGS) settings."""
    servers: list[WebServer] = []

    def start(**env: str) -> WebServer:
        base = {
            "BIRLIK_DATABASE_URL": config["DATABASE_URL"],
            "BIRLIK_REDIS_URL": config["REDIS_URL"],
            "BIRLIK_SECRET_KEY": config["SECRET_KEY"],
            "BIRLIK_VAR_DIR": config["VAR_DIR"],
        }
        server = WebServer({**base, **env}, tmp_path / f"web{len(servers)}.log").start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


class SlowPost:
    """A POST whose body arrives a byte at first and the rest on `finish`:
    the app holds its slot while it waits to read the body."""

    def __init__(self, server: WebServer, path: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.body = body
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\nConnection: close\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self.sock.sendall(head.encode() + b"\r\n" + body[:1])

    @property
    def local_port(self) -> int:
        return self.sock.getsockname()[1]

    def finish(self) -> bytes:
        """Send the rest of the body; the whole response (a request refused
        at once has its answer waiting and may have been closed meanwhile)."""
        try:
            self.sock.sendall(self.body[1:])
        except OSError:
            pass  # answered and closed already: read what it said
        chunks = []
        try:
            while chunk := self.sock.recv(65536):
                chunks.append(chunk)
        except OSError:
            pass  # reset by the server: what came before is the answer
        finally:
            self.sock.close()
        return b"".join(chunks)


def unread_bytes(server_port: int, client_port: int) -> int | None:
    """Bytes the server has not read yet from one client connection (its
    receive queue in /proc/net/tcp), or None when the connection is not there."""
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        fields = line.split()
        local, remote, queues = fields[1], fields[2], fields[4]
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == client_port:
            return int(queues.split(":")[1], 16)
    return None


def sample(scrape: str, name: str, **labels: str) -> float:
    """The value of one series in a Prometheus text scrape (summed over
    the label sets that match `labels`); 0 when absent."""
    total = 0.0
    for line in scrape.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        series, _, value = line.rpartition(" ")
        head, _, rest = series.partition("{")
        if head != name:
            continue
        if all(f'{k}="{v}"' in rest for k, v in labels.items()):
            total += float(value)
    return total


def fill(server: WebServer, path: str, body: bytes, headers: dict[str, str], slow: list[SlowPost]) -> bool:
    """One step of filling a server's bound: True once a request is refused,
    else one more slow request held open (for `wait_for`)."""
    if requests.get(server.url + "/login", timeout=10).status_code == 503:
        return True
    slow.append(SlowPost(server, path, body, headers))
    return False
