"""Sign-in through the page and the token API: throttling, CSRF and sessions."""

import re

from tests.factories import PASSWORD


def test_password_login_reaches_the_role_home_page(app, client, make, csrf_token):
    acc = make.account("hq")
    app.config["WTF_CSRF_ENABLED"] = True
    token = csrf_token()
    resp = client.post("/login", data={"username": acc.user.username, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200
    assert "Situation map" in home.get_data(as_text=True)


def test_password_is_stored_with_argon2(make):
    acc = make.account("field")
    assert acc.user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in acc.user.password_hash


def test_login_form_without_csrf_token_is_rejected(client, make):
    acc = make.account("hq")
    resp = client.post("/login", data={"username": acc.user.username, "password": PASSWORD})
    assert resp.status_code == 400
    assert client.get("/").status_code == 302  # still signed out


def test_session_post_without_csrf_header_is_rejected(app, client, make, login):
    acc = make.account("hq")
    hq = make.hq("almaty")
    login(acc)
    body = {"staff_on_duty": 1, "open_cases": 0}
    forged = client.post(f"/api/v1/hqs/{hq.id}/status-reports", json=body)
    assert forged.status_code == 400
    assert "CSRF" in forged.get_json()["message"]
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    header = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    ok = client.post(f"/api/v1/hqs/{hq.id}/status-reports", json=body, headers={"X-CSRFToken": header})
    assert ok.status_code == 201


def test_repeated_failures_are_slowed_then_refused(app, client, make):
    acc = make.account("hq")
    lock_after = app.config["LOGIN_LOCK_AFTER"]
    for _ in range(lock_after):
        bad = client.post("/api/v1/auth/tokens", json={"username": acc.user.username, "password": "wrong"})
        assert bad.status_code == 422
    refused = client.post("/api/v1/auth/tokens", json={"username": acc.user.username, "password": PASSWORD})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Try again" in refused.get_json()["message"]


def test_failures_from_one_address_lock_out_other_accounts_too(app, client, make):
    accounts = [make.account("hq") for _ in range(app.config["LOGIN_LOCK_AFTER"])]
    for acc in accounts:
        client.post("/api/v1/auth/tokens", json={"username": acc.user.username, "password": "nope"})
    fresh = make.account("hq")
    resp = client.post("/api/v1/auth/tokens", json={"username": fresh.user.username, "password": PASSWORD})
    assert resp.status_code == 429


def test_token_api_issues_a_working_bearer_token(client, make):
    acc = make.account("facility_manager")
    resp = client.post("/api/v1/auth/tokens", json={"username": acc.user.username, "password": PASSWORD})
    assert resp.status_code == 201
    token = resp.get_json()["token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.get_json()["username"] == acc.user.username
    assert client.get("/api/v1/auth/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_language_choice_is_remembered(client, make, db_session, login, csrf_token):
    acc = make.account("hq")
    login(acc)
    client.post("/lang", data={"lang": "ru", "next": "/", "csrf_token": csrf_token("/hq/overview")})
    assert "Обзор штаба" in client.get("/hq/overview").get_data(as_text=True)
    db_session.refresh(acc.user)
    assert acc.user.locale == "ru"


def test_accept_language_decides_for_anonymous_visitors(client):
    page = client.get("/login", headers={"Accept-Language": "kk,ru;q=0.8"}).get_data(as_text=True)
    assert "Birlik жүйесіне кіру" in page
