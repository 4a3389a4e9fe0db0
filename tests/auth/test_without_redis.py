"""Sign-in while Redis is stopped: the login throttle counts failures in the
web process instead, so signing in never fails for want of Redis."""

import pytest

from coordinator.embedded_redis import PrivateRedis
from tests.factories import PASSWORD


@pytest.fixture
def own_valkey(tmp_path):
    """A Valkey of this test's own, which the test stops."""
    server = PrivateRedis(tmp_path / "own-valkey")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(own_valkey):
    # Overrides conftest's: the app of each test here uses the test's own Valkey.
    return own_valkey.url


def test_page_and_token_sign_in_work_while_redis_is_stopped(app, client, make, own_valkey, csrf_token):
    acc = make.account("hq")
    wrong = client.post("/api/v1/auth/tokens", json={"username": acc.user.username, "password": "nope"})
    assert wrong.status_code == 422  # counted in Redis, which is still up
    own_valkey.stop()

    resp = client.post("/api/v1/auth/tokens", json={"username": acc.user.username, "password": PASSWORD})
    assert resp.status_code == 201
    token = resp.get_json()["token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.get_json()["username"] == acc.user.username

    wrong_page = client.post(
        "/login", data={"username": acc.user.username, "password": "nope", "csrf_token": csrf_token()}
    )
    assert wrong_page.status_code == 401
    page = client.post("/login", data={"username": acc.user.username, "password": PASSWORD, "csrf_token": csrf_token()})
    assert page.status_code == 302
    assert client.get("/api/v1/auth/me").get_json()["username"] == acc.user.username


def test_while_redis_is_stopped_a_failing_address_is_still_locked(app, make, own_valkey):
    own_valkey.stop()
    acc = make.account("hq")
    guesser, colleague = app.test_client(), app.test_client()
    guess = {"username": acc.user.username, "password": "guess"}
    right = {"username": acc.user.username, "password": PASSWORD}
    for _ in range(app.config["LOGIN_LOCK_AFTER"]):
        assert guesser.post("/api/v1/auth/tokens", json=guess).status_code == 422
    refused = guesser.post("/api/v1/auth/tokens", json=right)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    other = colleague.post("/api/v1/auth/tokens", json=right, environ_base={"REMOTE_ADDR": "198.51.100.2"})
    assert other.status_code == 201
