"""Who a run of wrong passwords locks out: the address they come from, never
the account they aim at. A stranger guessing at `admin` slows the
administrator's sign-in down a little and locks only the stranger's address."""

import re
import time

from tests.factories import PASSWORD

STRANGER = {"REMOTE_ADDR": "203.0.113.7"}
ADMIN_DESK = {"REMOTE_ADDR": "198.51.100.2"}


def ask_for_token(client, where, username, password):
    return client.post("/api/v1/auth/tokens", json={"username": username, "password": password}, environ_base=where)


def sign_in_on_the_page(client, where, username, password):
    page = client.get("/login", environ_base=where).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}, environ_base=where
    )


def test_a_stranger_guessing_at_admin_locks_only_their_own_address(app, make):
    app.config["LOGIN_SLOW_SECONDS"] = 0.1
    slow_after, lock_after = app.config["LOGIN_SLOW_AFTER"], app.config["LOGIN_LOCK_AFTER"]
    admin = make.account("admin")
    stranger, desk = app.test_client(), app.test_client()

    for _ in range(lock_after):
        assert ask_for_token(stranger, STRANGER, admin.user.username, "admin123").status_code == 422
    # From the stranger's address even the right password is refused, on the API and the page.
    refused = ask_for_token(stranger, STRANGER, admin.user.username, PASSWORD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "from your address" in refused.get_json()["message"]
    page = sign_in_on_the_page(stranger, STRANGER, admin.user.username, PASSWORD)
    assert page.status_code == 429
    assert "Too many failed sign-ins" in page.get_data(as_text=True)

    # The administrator, at another address, signs in: slowed, not locked.
    started = time.monotonic()
    assert sign_in_on_the_page(desk, ADMIN_DESK, admin.user.username, PASSWORD).status_code == 302
    assert time.monotonic() - started >= 0.1 * (lock_after - slow_after + 1)
    assert desk.get("/api/v1/auth/me", environ_base=ADMIN_DESK).get_json()["username"] == admin.user.username
    assert ask_for_token(app.test_client(), ADMIN_DESK, admin.user.username, PASSWORD).status_code == 201


def test_an_account_under_attack_from_many_addresses_is_slowed_by_a_bounded_delay(app, make):
    app.config.update(LOGIN_SLOW_SECONDS=0.1, LOGIN_SLOW_AFTER=1, LOGIN_LOCK_AFTER=3)
    admin = make.account("admin")
    client = app.test_client()
    for n in range(9):  # a botnet: each address fails once, so none is locked
        where = {"REMOTE_ADDR": f"192.0.2.{n + 1}"}
        assert ask_for_token(client, where, admin.user.username, "letmein").status_code == 422
    started = time.monotonic()
    assert ask_for_token(client, ADMIN_DESK, admin.user.username, PASSWORD).status_code == 201
    waited = time.monotonic() - started
    # The delay grows with the failures up to the lock threshold's worth (3 x 0.1 s), not 9 x 0.1 s.
    assert 0.3 <= waited < 0.9
