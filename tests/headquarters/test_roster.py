"""The duty roster: staff sign themselves on and off duty, an HQ's lead signs
others off, the board shows who is on duty now, and shifts keep their history;
through the API and through the HQ's page."""

from sqlalchemy import select

from coordinator.events.models import Event
from coordinator.headquarters.models import HQShift


def _board_line(api, account, hq):
    status, lines = api("get", "/hqs/board", account=account)
    assert status == 200
    return next(line for line in lines if line["hq_id"] == hq.id)


def test_sign_on_and_off_through_the_api(make, api, attach, db_session):
    almaty = make.hq("almaty")
    region_id = almaty.region_id
    lead, worker, outsider = (make.account("hq", region_id=region_id) for _ in range(3))
    attach(almaty, lead, lead=True)
    attach(almaty, worker)

    status, shift = api("post", f"/hqs/{almaty.id}/shifts", account=worker)
    assert status == 201 and shift["user_id"] == worker.user.id and shift["ended_at"] is None
    status, body = api("post", f"/hqs/{almaty.id}/shifts", account=worker)
    assert status == 409 and "on duty already" in body["message"]
    line = _board_line(api, lead, almaty)
    assert [d["name"] for d in line["on_duty"]] == [worker.user.display_name]
    assert api("get", f"/hqs/{almaty.id}/status-reports/prefill", account=worker)[1]["staff_on_duty"] == 1

    # Someone not on the staff cannot sign on, nor sign another off.
    status, body = api("post", f"/hqs/{almaty.id}/shifts", account=outsider)
    assert status == 409 and "not on the staff" in body["message"]
    status, body = api("post", f"/hqs/{almaty.id}/shifts/{shift['id']}/end", account=outsider)
    assert status == 403 and "lead" in body["message"]

    # The lead signs the worker off; the shift records who did.
    status, ended = api("post", f"/hqs/{almaty.id}/shifts/{shift['id']}/end", account=lead)
    assert status == 200 and ended["ended_at"] and ended["ended_by_id"] == lead.user.id
    assert api("post", f"/hqs/{almaty.id}/shifts/{shift['id']}/end", account=lead)[0] == 409
    assert _board_line(api, lead, almaty)["on_duty"] == []

    # The worker signs on again and off again, by themself.
    status, again = api("post", f"/hqs/{almaty.id}/shifts", account=worker)
    assert status == 201
    assert api("post", f"/hqs/{almaty.id}/shifts/{again['id']}/end", account=worker)[0] == 200
    status, history = api("get", f"/hqs/{almaty.id}/shifts", account=lead)
    assert [s["id"] for s in history] == [again["id"], shift["id"]]
    assert all(s["ended_at"] for s in history)
    types = db_session.scalars(select(Event.type).where(Event.type.like("hq.shift_%")).order_by(Event.id)).all()
    assert types == ["hq.shift_started", "hq.shift_ended", "hq.shift_started", "hq.shift_ended"]


def test_leaving_the_staff_ends_the_shift_and_staff_come_from_the_hqs_region(make, api, attach, count):
    almaty = make.hq("almaty")
    worker = make.account("hq", region_id=almaty.region_id)
    attach(almaty, worker)
    assert api("post", f"/hqs/{almaty.id}/shifts", account=worker)[0] == 201
    assert api("delete", f"/hqs/{almaty.id}/staff/{worker.user.id}") == (200, [])
    assert count(HQShift, HQShift.ended_at.is_(None)) == 0
    assert api("delete", f"/hqs/{almaty.id}/staff/{worker.user.id}")[0] == 404

    for stranger in (make.account("hq", region_id=make.region("pavlodar").id), make.account("field")):
        status, body = api("post", f"/hqs/{almaty.id}/staff", json={"username": stranger.user.username})
        assert status == 422 and "username" in body["errors"]
    status, body = api("post", f"/hqs/{almaty.id}/staff", json={"username": "nobody-here"})
    assert status == 422 and "nobody-here" in body["errors"]["username"][0]

    # One HQ per person: another HQ's member is refused until removed there.
    national_hq = make.hq(None)
    member = make.account("admin")
    attach(national_hq, member)
    status, body = api("post", f"/hqs/{almaty.id}/staff", json={"username": member.user.username})
    assert status == 409 and "another HQ" in body["message"]


def test_sign_on_and_off_from_the_hq_page(make, client, login, attach, page_csrf, parse_html):
    almaty = make.hq("almaty")
    lead, worker = (make.account("hq", region_id=almaty.region_id) for _ in range(2))
    attach(almaty, lead, lead=True)
    attach(almaty, worker)
    path = f"/hq/headquarters/{almaty.id}"

    login(worker)
    html = client.get(path).get_data(as_text=True)
    assert f'data-api="POST /api/v1/hqs/{almaty.id}/shifts"' in html
    # What the sign-on button's form sends (app.js: the page's session and CSRF header).
    resp = client.post(f"/api/v1/hqs/{almaty.id}/shifts", json={}, headers=page_csrf(path))
    assert resp.status_code == 201
    shift_id = resp.get_json()["id"]
    page = parse_html(client.get(path).get_data(as_text=True))
    assert "sign-on" not in page.ids()
    assert worker.user.display_name in page.text(f"shift-{shift_id}")
    assert "Sign off" in page.text(f"shift-{shift_id}")

    # The lead's page offers to sign the worker off, and the board shows them on duty.
    client.post("/logout", data={"csrf_token": page_csrf(path)["X-CSRFToken"]})
    login(lead)
    page = parse_html(client.get(path).get_data(as_text=True))
    assert f"Sign off {worker.user.display_name}" in page.text(f"shift-{shift_id}")
    assert "sign-on" in page.ids()
    board = parse_html(client.get("/hq/headquarters").get_data(as_text=True))
    assert board.text(f"hq-{almaty.id}-duty") == worker.user.display_name
    resp = client.post(f"/api/v1/hqs/{almaty.id}/shifts/{shift_id}/end", json={}, headers=page_csrf(path))
    assert resp.status_code == 200
    board = parse_html(client.get("/hq/headquarters").get_data(as_text=True))
    assert board.text(f"hq-{almaty.id}-duty") == "nobody signed on"
