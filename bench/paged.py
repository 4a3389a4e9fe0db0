"""Reading a paged API list whole: follow the `Link: <...>; rel="next"`
headers (see README, "The API") until the last page."""

from __future__ import annotations

import requests


def every_row(url: str, *, headers: dict[str, str], timeout: float = 30) -> list:
    """All rows of a paged list, in order."""
    rows: list = []
    next_url: str | None = url
    while next_url:
        resp = requests.get(next_url, headers=headers, timeout=timeout)
        resp.raise_for_status()
        rows.extend(resp.json())
        next_url = resp.links.get("next", {}).get("url")
    return rows
