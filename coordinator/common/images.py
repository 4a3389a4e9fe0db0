"""Photos a phone sent inline (a `data:image/...;base64,` URL) served back as images."""

from __future__ import annotations

import base64
import binascii

from flask import Response

from coordinator.common.errors import NotFound
from coordinator.i18n import N_, text

_MAGIC = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"GIF8", "image/gif"))


def _sniff(data: bytes) -> str | None:
    for magic, content_type in _MAGIC:
        if data.startswith(magic):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def data_url_response(data_url: str | None) -> Response:
    """The photo as an image response; NotFound when it is no image. The type
    comes from the bytes, not the URL's claim, and the response runs nothing:
    a team's upload cannot become a page."""
    head, _, body = (data_url or "").partition(",")
    if not head.startswith("data:image/") or not head.endswith(";base64"):
        raise NotFound(text(N_("There is no such photo.")))
    try:
        data = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise NotFound(text(N_("There is no such photo."))) from None
    kind = _sniff(data)
    if kind is None:
        raise NotFound(text(N_("There is no such photo.")))
    resp = Response(data, mimetype=kind)
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
