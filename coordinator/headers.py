"""Security headers on every response the app makes: pages, the API, static
and vendor files, errors. The Content-Security-Policy allows scripts, styles,
fonts and connections from the app's own origin only, so pages carry no
inline script, inline style or event-handler attribute; data for scripts
travels in data- attributes or <script type="application/json"> blocks."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask, Response, current_app

_CSP = "birlik_csp"


def tile_source(tile_url: str) -> str | None:
    """The CSP source of the map tile server, or None when tiles come from the
    app's own origin. Leaflet's `{s}` subdomain becomes CSP's `*.` wildcard."""
    parts = urlsplit(tile_url)
    if not parts.netloc:
        return None
    host = re.sub(r"^\{[^}]+\}\.", "*.", parts.netloc)
    return f"{parts.scheme or 'https'}://{host}"


def content_security_policy(tile_url: str) -> str:
    """The policy for a tile server URL."""
    # data: images: Leaflet points a cancelled tile at a data: GIF, and Swagger
    # UI's stylesheet draws its icons as data: SVGs. An image cannot run script.
    images = " ".join(filter(None, ["'self'", "data:", tile_source(tile_url)]))
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        # Styles set from script through element.style (Leaflet, Chart.js) are
        # not inline styles to CSP; style attributes and <style> in markup are.
        "style-src": "'self'",
        "img-src": images,
        # 'self' covers the same origin's ws:/wss: too (Socket.IO).
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _add_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", current_app.extensions[_CSP])
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for browsers without CSP 2
    headers.setdefault("Referrer-Policy", "same-origin")
    hsts = current_app.config["HSTS_SECONDS"]
    if hsts > 0:
        headers.setdefault("Strict-Transport-Security", f"max-age={hsts}; includeSubDomains")
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response (after_request runs for error pages too)."""
    app.extensions[_CSP] = content_security_policy(app.config["TILE_URL"])
    app.after_request(_add_headers)
