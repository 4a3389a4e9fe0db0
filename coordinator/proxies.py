"""The client's address behind reverse proxies. X-Forwarded-For is honoured
only when the request comes from a proxy listed in TRUSTED_PROXIES; anyone
else could write any address into it. Werkzeug's ProxyFix does the rewriting."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """Addresses and CIDR networks; raises ValueError naming a bad entry."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"BIRLIK_TRUSTED_PROXIES: {entry!r} is not an address or network") from exc
    return tuple(networks)


class TrustedProxies:
    """WSGI middleware: for a request from a trusted proxy, ProxyFix takes the
    client's address from X-Forwarded-For, skipping every trusted proxy from
    the right (nginx, then a load balancer before it, and so on), and the
    scheme from X-Forwarded-Proto. Any other request is passed on untouched."""

    def __init__(self, app, networks: tuple[Network, ...]) -> None:
        self.app = app
        self.networks = networks
        self._fixes: dict[int, ProxyFix] = {}

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.strip())
        except ValueError:
            return False
        return any(ip in net for net in self.networks)

    def hops(self, environ: dict) -> int:
        """How many proxies in front of the app are trusted (0: the peer is not)."""
        if not self._trusted(environ.get("REMOTE_ADDR", "")):
            return 0
        forwarded = [a for a in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        hops = 1
        # The rightmost entries were written by the proxies nearest the app;
        # the leftmost entry is the client's as far as it can be known.
        while hops < len(forwarded) and self._trusted(forwarded[-hops]):
            hops += 1
        return hops

    def __call__(self, environ, start_response):
        hops = self.hops(environ)
        if not hops:
            return self.app(environ, start_response)
        if hops not in self._fixes:
            self._fixes[hops] = ProxyFix(self.app, x_for=hops, x_proto=1)
        return self._fixes[hops](environ, start_response)


def init_app(app: Flask) -> None:
    """Wrap the WSGI app; call last, so the proxy fix sees every request first
    (Socket.IO's included)."""
    networks = parse_networks(app.config["TRUSTED_PROXIES"])
    if networks:
        app.wsgi_app = TrustedProxies(app.wsgi_app, networks)
