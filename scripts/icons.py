"""Render the app's icons from static/icon.svg with Debian's Chromium (the one
the browser tests use): PNGs at 192 and 512 px (plain and maskable), the
180 px apple-touch-icon and a favicon.ico of 16, 32 and 48 px.

    .venv/bin/python scripts/icons.py

The outputs are committed; run this again after changing icon.svg."""

from __future__ import annotations

import io
import struct
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import chromium  # noqa: E402  (after the path is set)

STATIC = ROOT / "static"
OUT = STATIC / "icons"
BACKGROUND = "#0f2a44"  # the icon's own ground, and the manifest's theme colour


def _page(svg: str, size: int, maskable: bool) -> str:
    # A maskable icon may be cut to a circle of 80 % of its width: the drawing
    # sits inside that safe zone on a full-bleed ground.
    inner = round(size * 0.72) if maskable else size
    ground = BACKGROUND if maskable else "transparent"
    return (
        "<!doctype html><html><body style='margin:0;background:transparent'>"
        f"<div style='width:{size}px;height:{size}px;background:{ground};display:flex;"
        f"align-items:center;justify-content:center'>"
        f"<div style='width:{inner}px;height:{inner}px'>{svg.replace('<svg ', '<svg width=100% height=100% ', 1)}</div>"
        "</div></body></html>"
    )


def render(page, svg: str, size: int, maskable: bool = False) -> bytes:
    """The icon drawn at size × size pixels, as PNG."""
    page.set_viewport_size({"width": size, "height": size})
    page.set_content(_page(svg, size, maskable))
    return page.screenshot(omit_background=True, clip={"x": 0, "y": 0, "width": size, "height": size})


def ico(pngs: dict[int, bytes]) -> bytes:
    """A .ico holding the given PNGs (the format allows PNG entries)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, data in sorted(pngs.items()):
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(data), offset + len(blobs))
        blobs += data
    return header + entries + blobs


def _small(png: bytes) -> bytes:
    # Re-encoded by Pillow so the file is as small as it can be.
    out = io.BytesIO()
    Image.open(io.BytesIO(png)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def main() -> None:
    svg = (STATIC / "icon.svg").read_text()
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = chromium.launch(pw)
        page = browser.new_page()
        files = {
            "icon-192.png": render(page, svg, 192),
            "icon-512.png": render(page, svg, 512),
            "maskable-192.png": render(page, svg, 192, maskable=True),
            "maskable-512.png": render(page, svg, 512, maskable=True),
            "apple-touch-icon.png": render(page, svg, 180, maskable=True),
        }
        favicon = {size: _small(render(page, svg, size)) for size in (16, 32, 48)}
        browser.close()
    for name, data in files.items():
        (OUT / name).write_bytes(_small(data))
    (STATIC / "favicon.ico").write_bytes(ico(favicon))
    print("wrote", ", ".join([*files, "favicon.ico"]))


if __name__ == "__main__":
    main()
