"""A free local TCP port for a server this process is about to start.

The port is picked outside the kernel's ephemeral range. A port that the
kernel hands out for `bind(0)` comes from that range, and so does the source
port of every outgoing connection on the machine. Between our check and the
server's own bind, any connection could take it ("Address already in use": a
CI run lost `make demo`'s API process so). Outside the range, only another
server binding on purpose can, and the random pick makes two such picks
unlikely to meet."""

from __future__ import annotations

import random
import socket
from collections.abc import Collection
from pathlib import Path

_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
# Below 20000 sit many well-known services' defaults (PostgreSQL, Redis, ...).
_LOWEST = 20000
_HIGHEST = 65535


def _ephemeral() -> tuple[int, int]:
    try:
        low, high = (int(x) for x in _RANGE_FILE.read_text().split())
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default
    return low, high


def _spans() -> list[range]:
    """The ports at or above _LOWEST that lie outside the ephemeral range."""
    low, high = _ephemeral()
    return [s for s in (range(_LOWEST, low), range(high + 1, _HIGHEST + 1)) if len(s) > 0]


def _candidate() -> int:
    spans = _spans()
    k = random.randrange(sum(len(s) for s in spans))  # noqa: S311 - not a secret
    for span in spans:
        if k < len(span):
            return span[k]
        k -= len(span)
    raise AssertionError("unreachable")


def _can_bind(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port(*, exclude: Collection[int] = ()) -> int:
    """A port on 127.0.0.1 that nothing listens on or connects from now (and
    not in `exclude`: ports picked for servers that have not bound them yet)."""
    if sum(len(s) for s in _spans()) >= 1000:
        for _ in range(200):
            port = _candidate()
            if port not in exclude and _can_bind(port):
                return port
    # No room outside the ephemeral range on this machine: the kernel's pick.
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in exclude:
            return port
