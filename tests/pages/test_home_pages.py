"""Each role's home page shows that role's own data, with user text escaped."""

import pytest

from tests.factories import PASSWORD


@pytest.mark.parametrize(
    ("role", "heading"),
    [
        ("admin", "Situation map"),
        ("hq", "Situation map"),
        ("facility_manager", "My facilities"),
        ("warehouse_manager", "My warehouses"),
        ("hotline_operator", "Hotline cases"),
        ("requester", "Supply requests of my organization"),
    ],
)
def test_each_role_lands_on_its_home(client, make, role, heading, login):
    accounts = make.every_role()
    login(accounts[role])
    page = client.get("/", follow_redirects=True)
    assert page.status_code == 200
    assert heading in page.get_data(as_text=True)


def test_facility_manager_sees_only_own_facility_and_names_are_escaped(client, make, db_session, login):
    accounts = make.every_role()
    mine = make.scope["facility"]
    mine.name = "<script>alert(1)</script> Sanatorium"
    db_session.commit()
    other = make.facility("almaty")
    login(accounts["facility_manager"])
    page = client.get("/").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Sanatorium" in page
    assert "<script>alert(1)" not in page
    assert other.name not in page


def test_field_user_sees_team_with_empty_state(client, make, login):
    accounts = make.every_role()
    login(accounts["field"])
    assert client.get("/").headers["Location"] == "/field"
    page = client.get("/field").get_data(as_text=True)
    assert make.scope["team"].name in page
    assert "No assignments yet" in page


def test_pages_redirect_anonymous_visitors_to_sign_in(client):
    resp = client.get("/")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


def test_open_redirect_is_refused(client, make, csrf_token):
    acc = make.account("hq")
    resp = client.post(
        "/login?next=//evil.example/x",
        data={"username": acc.user.username, "password": PASSWORD, "csrf_token": csrf_token()},
    )
    assert resp.headers["Location"] == "/"
