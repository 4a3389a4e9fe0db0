"""Hotline test helpers: an operator, filing through the API and the public
form (as a phone's browser would: CSRF token and form token read from the
page), and the public lookup."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest


@pytest.fixture
def config(config):
    # A person needs seconds to fill the form; these tests post at once.
    return {**config, "HOTLINE_MIN_FILL_SECONDS": 0}


@pytest.fixture
def operator(make):
    return make.account("hotline_operator")


@pytest.fixture
def file_report(client, operator) -> Callable[..., dict]:
    """File a report through the API as the operator (or another account); returns the answer."""

    def file(account=None, expect: int = 201, headers: dict | None = None, **fields) -> dict:
        body = {"channel": "phone", "category": "no_ppe", "description": "No masks on the line", **fields}
        if not {"settlement", "lat", "lon"} & set(fields):
            body["settlement"] = "Almaty"
        resp = client.post(
            "/api/v1/hotline/reports", json=body, headers={**(account or operator).auth, **(headers or {})}
        )
        assert resp.status_code == expect, resp.get_json()
        return resp.get_json()

    return file


def _form_fields(html: str) -> dict[str, str]:
    return {
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1),
        "form_token": re.search(r'name="form_token" value="([^"]+)"', html).group(1),
    }


@pytest.fixture
def public_form(client) -> Callable[..., dict[str, str]]:
    """The hidden fields of a freshly opened public form."""

    def open_form() -> dict[str, str]:
        page = client.get("/report")
        assert page.status_code == 200
        return _form_fields(page.get_data(as_text=True))

    return open_form


@pytest.fixture
def submit_public(client, public_form) -> Callable[..., object]:
    """Send the public form as a phone's script does (JSON answer); returns the response."""

    def submit(form: dict[str, str] | None = None, address: str = "203.0.113.7", **fields):
        data = {
            **(form or public_form()),
            "category": "unsafe_conditions",
            "description": "Forty of us share one room, no masks, no soap.",
            "settlement": "Almaty",
            **fields,
        }
        return client.post(
            "/report", data=data, headers={"Accept": "application/json"}, environ_base={"REMOTE_ADDR": address}
        )

    return submit


@pytest.fixture
def lookup(client) -> Callable[..., object]:
    """The reporter's status lookup, answered as JSON."""

    def ask(number: str, code: str, address: str = "203.0.113.8"):
        page = client.get("/report/status").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return client.post(
            "/report/status",
            data={"csrf_token": token, "number": number, "code": code},
            headers={"Accept": "application/json"},
            environ_base={"REMOTE_ADDR": address},
        )

    return ask
