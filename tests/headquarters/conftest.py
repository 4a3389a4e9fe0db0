"""Helpers of the headquarters tests: staff attached through the API, the
board's HTML, and the CSRF header a signed-in page sends."""

from __future__ import annotations

import re

import pytest

from tests.factories import Account


@pytest.fixture
def attach(api):
    """Puts an account on an HQ's staff through the API, as the national HQ would."""

    def put(hq, account: Account, lead: bool = False) -> None:
        status, body = api("post", f"/hqs/{hq.id}/staff", json={"username": account.user.username, "lead": lead})
        assert status == 200, body

    return put


@pytest.fixture
def page_csrf(client):
    """The CSRF header of a signed-in page, as app.js sends it with each form."""

    def read(path: str = "/hq/headquarters") -> dict[str, str]:
        html = client.get(path).get_data(as_text=True)
        return {"X-CSRFToken": re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)}

    return read
