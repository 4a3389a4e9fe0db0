"""Launching Debian's Chromium under Playwright, for the browser tests and the map benchmark."""

from __future__ import annotations

import shutil

# Flags this machine needs: no sandbox as root, and no background network
# traffic (the network is closed and Chromium would keep retrying).
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MISSING = "Chromium is not installed: run `make system-deps` (Debian package chromium)."


def executable() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch(playwright):
    """A headless Chromium from the system package (Playwright's own download does not work here)."""
    return playwright.chromium.launch(executable_path=executable(), headless=True, args=ARGS)
