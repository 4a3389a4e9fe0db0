"""A free local TCP port for a server this process is about to start.

The port is picked below the kernel's ephemeral range. A port that the kernel
hands out for `bind(0)` comes from that range, and so does the source port of
every outgoing connection on the machine. Between our check and the server's
own bind, any connection could take it ("Address already in use": a CI run
lost `make demo`'s API process so). Below the range, only another server
binding on purpose can, and the random pick makes two such picks unlikely to
meet."""

from __future__ import annotations

import random
import socket
from pathlib import Path

_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
# Below 20000 sit many well-known services' defaults (PostgreSQL, Redis, ...).
_LOWEST = 20000


def _ephemeral_start() -> int:
    try:
        return int(_RANGE_FILE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def _can_bind(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on or connects from now."""
    top = _ephemeral_start()
    if top - _LOWEST >= 1000:
        for _ in range(200):
            port = random.randrange(_LOWEST, top)  # noqa: S311 - not a secret
            if _can_bind(port):
                return port
    # No room below the ephemeral range on this machine: take the kernel's pick.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
