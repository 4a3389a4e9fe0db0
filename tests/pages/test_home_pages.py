"""Each role's home page shows that role's own data, with user text escaped."""

import pytest


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
def test_each_role_lands_on_its_home(client, make, login, role, heading):
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


def test_field_user_sees_own_team_and_exactly_its_open_assignments(client, make, db_session, login, parse_html):
    accounts = make.every_role()
    team, other_team = make.scope["team"], make.team("almaty")
    login(accounts["field"])
    assert client.get("/").headers["Location"] == "/field"
    html = client.get("/field").get_data(as_text=True)
    page = parse_html(html)
    assert team.name in html and other_team.name not in html
    assert f'data-team="{team.id}"' in html
    # The server renders the empty state; static/js/field.js replaces it with
    # what GET /api/v1/tasks answers, with the session the page was loaded in.
    assert "No assignments yet" in page.text("current-body")
    assert client.get("/api/v1/tasks").get_json() == []

    offered, accepted, done, theirs = make.task(team), make.task(team), make.task(team), make.task(other_team)
    accepted.status, done.status = "accepted", "done"
    db_session.commit()
    listed = client.get("/api/v1/tasks").get_json()
    assert [(t["id"], t["title"], t["status"]) for t in listed] == [
        (offered.id, offered.title, "offered"),
        (accepted.id, accepted.title, "accepted"),
    ]
    assert listed[0]["offer_expires_at"] and listed[1]["team_id"] == team.id
    assert theirs.id not in {t["id"] for t in listed}


def test_pages_redirect_anonymous_visitors_to_sign_in(client):
    resp = client.get("/")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


def test_open_redirect_is_refused(client, make, csrf_token):
    acc = make.account("hq")
    resp = client.post(
        "/login?next=//evil.example/x",
        data={"username": acc.user.username, "password": acc.password, "csrf_token": csrf_token()},
    )
    assert resp.headers["Location"] == "/"
