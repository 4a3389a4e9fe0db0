"""Behind nginx every request comes from nginx's address. X-Forwarded-For
names the client, but anyone can write it: it counts only when the request
comes from a proxy in BIRLIK_TRUSTED_PROXIES. The login lock shows which
address the app believes."""

import re

import pytest

from config.settings import from_env
from coordinator import create_app
from tests.factories import PASSWORD

NGINX = "10.0.0.1"
LOAD_BALANCER = "10.9.0.5"


@pytest.fixture
def config(config):
    return {**config, "TRUSTED_PROXIES": (NGINX, "10.9.0.0/16")}


def attempt(client, user, password, peer, forwarded_for=None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post(
        "/api/v1/auth/tokens",
        json={"username": user.username, "password": password},
        headers=headers,
        environ_base={"REMOTE_ADDR": peer},
    )


def fail_until_locked(app, client, user, peer, forwarded_for=None):
    for _ in range(app.config["LOGIN_LOCK_AFTER"]):
        assert attempt(client, user, "wrong", peer, forwarded_for).status_code == 422


def test_behind_a_trusted_proxy_each_client_is_locked_on_its_own(app, client, make):
    user = make.account("hq").user
    fail_until_locked(app, client, user, NGINX, "203.0.113.7")
    assert attempt(client, user, PASSWORD, NGINX, "203.0.113.7").status_code == 429
    # Everyone else comes through the same nginx and still signs in.
    assert attempt(client, user, PASSWORD, NGINX, "198.51.100.2").status_code == 201


def test_from_an_untrusted_peer_x_forwarded_for_is_ignored(app, client, make):
    user = make.account("hq").user
    for n in range(app.config["LOGIN_LOCK_AFTER"]):  # a new made-up address each time
        assert attempt(client, user, "wrong", "192.0.2.50", f"198.51.100.{n}").status_code == 422
    assert attempt(client, user, PASSWORD, "192.0.2.50", "198.51.100.99").status_code == 429


def test_trusted_hops_are_skipped_and_a_forged_first_entry_is_not_believed(app, client, make):
    user = make.account("hq").user
    # The client forged "1.1.1.1"; the load balancer added the client's real
    # address, nginx added the load balancer's.
    fail_until_locked(app, client, user, NGINX, f"1.1.1.1, 203.0.113.7, {LOAD_BALANCER}")
    assert attempt(client, user, PASSWORD, NGINX, f"5.5.5.5, 203.0.113.7, {LOAD_BALANCER}").status_code == 429
    assert attempt(client, user, PASSWORD, NGINX, f"1.1.1.1, 198.51.100.2, {LOAD_BALANCER}").status_code == 201


def test_signing_in_through_nginx_over_https(client, make):
    # nginx ends TLS and says so in X-Forwarded-Proto. Knowing the request is
    # HTTPS, the CSRF check also wants a same-origin Referer, as a browser sends.
    acc = make.account("hq")
    via_nginx = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    page = client.get("/login", headers=via_nginx, environ_base={"REMOTE_ADDR": NGINX})
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    form = {"username": acc.user.username, "password": PASSWORD, "csrf_token": token}
    no_referer = client.post("/login", data=form, headers=via_nginx, environ_base={"REMOTE_ADDR": NGINX})
    assert no_referer.status_code == 400 and "CSRF" in no_referer.get_data(as_text=True)
    resp = client.post(
        "/login",
        data=form,
        headers={**via_nginx, "Referer": "https://localhost/login"},
        environ_base={"REMOTE_ADDR": NGINX},
    )
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/"


def test_trusted_proxies_come_from_the_environment_and_a_bad_one_stops_the_start(config):
    env = from_env({"BIRLIK_TRUSTED_PROXIES": "10.0.0.1, 10.9.0.0/16"})
    assert env["TRUSTED_PROXIES"] == ("10.0.0.1", "10.9.0.0/16")
    with pytest.raises(ValueError, match="BIRLIK_TRUSTED_PROXIES: 'nginx'"):
        create_app({**config, "TRUSTED_PROXIES": ("nginx",)})
