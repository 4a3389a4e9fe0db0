"""The launcher's (and the tests') servers get ports that no outgoing
connection can take between the pick and the server's bind."""

import socket
from pathlib import Path

from coordinator.common import ports
from coordinator.common.ports import free_port


def test_a_free_port_lies_below_the_range_outgoing_connections_use():
    low, _high = (int(x) for x in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    ports = {free_port() for _ in range(20)}
    assert all(20000 <= port < low for port in ports), ports
    # Random, so two servers started at once do not reach for the same one.
    assert len(ports) > 1
    for port in ports:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))


def test_a_port_in_use_is_not_handed_out(monkeypatch):
    with socket.socket() as held:
        held.bind(("127.0.0.1", free_port()))
        held.listen()
        taken = held.getsockname()[1]
        # The random pick lands on the taken port first, then on others.
        picks = iter([taken, taken, taken + 1, taken + 2, taken + 3])
        monkeypatch.setattr(ports.random, "randrange", lambda *_: next(picks))
        assert free_port() != taken
