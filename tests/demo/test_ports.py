"""The launcher's (and the tests') servers get ports that no outgoing
connection can take between the pick and the server's bind."""

import socket

import pytest

from coordinator.common import ports
from coordinator.common.ports import free_port


def test_a_free_port_lies_outside_the_range_outgoing_connections_use():
    low, high = ports._ephemeral()
    if sum(len(s) for s in ports._spans()) < 1000:
        pytest.skip(f"this machine lends ports {low}-{high} to outgoing connections: no room outside")
    picked = {free_port() for _ in range(20)}
    assert all(port >= 20000 and not low <= port <= high for port in picked), picked
    # Random, so two servers started at once do not reach for the same one.
    assert len(picked) > 1
    for port in picked:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))


def test_a_port_in_use_or_already_picked_is_not_handed_out(monkeypatch):
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        taken = held.getsockname()[1]
        picked = free_port()
        # The random pick lands on the port in use, then on the one already
        # picked for another server, then on others.
        candidates = iter([taken, picked, taken, picked, *(p for p in range(20000, 65536) if p not in (taken, picked))])
        monkeypatch.setattr(ports, "_spans", lambda: [range(20000, 65536)])
        monkeypatch.setattr(ports, "_candidate", lambda: next(candidates))
        assert free_port(exclude={picked}) not in (taken, picked)
