"""Must show 4: the reporter's name and contact are shown only to hotline
operators and the HQ handling the case, and each view is recorded; every
other response of every role, every socket message to the `hq` room, the
map, the exports and the events go without them."""

import re
import time

import pytest
from sqlalchemy import select

from coordinator.events.models import Event
from coordinator.hotline.models import Case, ReporterView

NAME, PHONE = "Zhanna Secretova", "+7 777 123 4567"
LEAKS = ("Secretova", "123 4567", "1234567", "123-4567")


def _leaks(text: str) -> list[str]:
    return [s for s in LEAKS if s in text]


@pytest.fixture
def reported(file_report, submit_public, operator, make, run_jobs, db_session):
    """The same employer reported by phone (with name and number) and on the web (with a contact)."""
    phone = file_report(
        employer_name="Aktobe Ferroalloy", reporter_name=NAME, reporter_contact=PHONE, lat=43.25, lon=76.95
    )
    web = submit_public(employer_name="Aktobe Ferroalloy", reporter_name=NAME, reporter_contact="87771234567")
    assert web.status_code == 201
    run_jobs()
    return db_session.get(Case, phone["case_id"])


def _url(rule, ids: dict) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(ids.get(m.group(1), 1)), rule.rule)


def test_no_response_of_a_role_not_allowed_carries_the_reporter(app, client, make, reported, api, operator, db_session):
    accounts = make.every_role("almaty")
    accounts["hq_elsewhere"] = make.account("hq", region_id=make.region("pavlodar").id)
    accounts["hotline_operator"] = operator
    link = api("get", f"/hotline/cases/{reported.id}", operator)[1]["links"][0]
    ids = {"case_id": reported.id, "link_id": link["id"], "layer": "cases", "fmt": "csv", "hq_id": make.hq("almaty").id}
    allowed = {  # who may see it: the hotline, and the regional HQ of the case's region
        ("hotline_operator", "/api/v1/hotline/cases/<int:case_id>/reporters"),
        ("hq_regional", "/api/v1/hotline/cases/<int:case_id>/reporters"),
    }
    seen = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.startswith(("static", "vendor.", "api-docs.")):
            continue
        for name, account in accounts.items():
            resp = client.get(_url(rule, ids), headers=account.auth)
            leaked = _leaks(resp.get_data().decode("utf-8", "replace"))  # icons and photos are bytes
            if (name, rule.rule) in allowed:
                assert resp.status_code == 200 and leaked, (name, rule.rule)
                seen.append(account.user.id)
            else:
                assert not leaked, (name, rule.rule, resp.status_code, leaked)
    for fmt in ("csv", "geojson"):
        body = client.get(f"/api/v1/map/export/cases.{fmt}", headers=accounts["admin"].auth).get_data(as_text=True)
        assert reported.number in body and not _leaks(body)
    # The printed case file carries the reporter only when asked for, by those allowed.
    assert _leaks(
        client.get(f"/hotline/cases/{reported.id}/print?reporter=1", headers=operator.auth).get_data(as_text=True)
    )
    seen.append(operator.user.id)
    for name in ("hq", "admin", "hq_elsewhere"):
        resp = client.get(f"/hotline/cases/{reported.id}/print?reporter=1", headers=accounts[name].auth)
        assert resp.status_code in (403, 409) and not _leaks(resp.get_data(as_text=True)), name

    # Each allowed view was recorded: who, when, how.
    db_session.expire_all()
    views = db_session.scalars(
        select(ReporterView).where(ReporterView.case_id == reported.id).order_by(ReporterView.id)
    ).all()
    assert [v.user_id for v in views] == seen and all(v.at for v in views)
    assert [v.via for v in views] == ["api", "api", "print"]
    page = client.get(f"/hotline/cases/{reported.id}", headers=operator.auth).get_data(as_text=True)
    assert f"({len(seen)})" in page and not _leaks(page)

    # No event carries it either.
    for ev in db_session.scalars(select(Event)):
        assert not _leaks(str(ev.before) + str(ev.after)), ev.type


def test_the_national_hq_sees_the_reporter_once_the_case_is_escalated(client, make, reported, db_session):
    national = make.account("hq")
    resp = client.get(f"/api/v1/hotline/cases/{reported.id}/reporters", headers=national.auth)
    assert resp.status_code == 409 and not _leaks(resp.get_data(as_text=True))
    reported = db_session.get(Case, reported.id)
    reported.escalated_national = True
    db_session.commit()
    resp = client.get(f"/api/v1/hotline/cases/{reported.id}/reporters", headers=national.auth)
    assert resp.status_code == 200 and [r["name"] for r in resp.get_json()] == [NAME]
    assert (
        db_session.scalar(select(ReporterView.user_id).where(ReporterView.case_id == reported.id)) == national.user.id
    )


def test_no_socket_message_to_the_hq_room_carries_the_reporter(
    client, make, operator, file_report, api, socket_client, run_jobs, wait_for
):
    national = make.account("hq")
    regional = make.account("hq", region_id=make.region("almaty").id)
    hq_room = socket_client(national.token)
    desk = socket_client(operator.token)
    assert wait_for(lambda: getattr(hq_room, "welcome", None) and getattr(desk, "welcome", None))
    first = file_report(employer_name="Almaty Bread", reporter_name=NAME, reporter_contact=PHONE, lat=43.25, lon=76.95)
    second = file_report(employer_name="Almaty Bread", reporter_name=NAME, reporter_contact=PHONE, channel="api")
    run_jobs()
    case = first["case_id"]
    link = api("get", f"/hotline/cases/{second['case_id']}", operator)[1]["links"][0]
    api("post", f"/hotline/cases/{second['case_id']}/links/{link['id']}/accept", operator)
    api("post", f"/hotline/cases/{case}/triage", operator, json={"severity": "critical"})
    api("post", f"/hotline/cases/{case}/comments", operator, json={"text": f"Called {NAME} back on {PHONE}"})
    api("get", f"/hotline/cases/{case}/reporters", regional)
    api(
        "post",
        f"/hotline/cases/{case}/pause",
        operator,
        json={"waiting_on": "reporter", "reason": "Calls back tomorrow"},
    )
    assert wait_for(lambda: any(e["type"] == "case.paused" for e in hq_room.received))
    time.sleep(0.3)
    types = {e["type"] for e in hq_room.received}
    assert {"case.opened", "case.linked", "case.triaged", "case.commented", "case.paused"} <= types
    for e in hq_room.received + desk.received:
        assert not _leaks(str(e)), e["type"]
