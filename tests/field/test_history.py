"""Task history (issue 13, point 12): finished tasks stay visible to HQ with
who was asked, each step, and what the team reported: a delivery's proof per
stop, an inspection's checklist and photos, a transfer's pick-up and arrival;
filtered by team, kind and days, paged, and a regional HQ sees its region only."""

import base64
from datetime import date, timedelta

import pytest

from coordinator.field.models import Task
from tests.i18n import shown
from tests.supplies import delivery_setup

PHOTO = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64).decode()
TASK = {"kind": "delivery", "title": "Masks to City Hospital No. 4", "lat": 43.25, "lon": 76.95}


def _teams(make, db_session, *places):
    teams = []
    for lat, lon in places:
        team = make.team("almaty", can_deliver=True, can_inspect=True)
        team.last_lat, team.last_lon = lat, lon
        teams.append(team)
    db_session.commit()
    return teams


def _declined_then_done(make, db_session, run_jobs, api, hq):
    """A task the nearer team declines and the farther one does, with its own report."""
    near, far = _teams(make, db_session, (43.26, 76.95), (43.40, 77.10))
    near_crew, far_crew = make.account("field", team_id=near.id), make.account("field", team_id=far.id)
    status, task = api("POST", "/tasks", hq, json=TASK)
    assert status == 201
    run_jobs()
    assert api("POST", f"/tasks/{task['id']}/decline", near_crew, json={"reason": "Van has a flat tyre"})[0] == 200
    run_jobs()
    for step in ("accept", "en-route", "on-site"):
        assert api("POST", f"/tasks/{task['id']}/{step}", far_crew)[0] == 200
    report = {
        "recipient": "Nurse Akhmetova",
        "received": {"masks": 200},
        "notes": "Left at the back door",
        "photos": [PHOTO],
    }
    assert api("POST", f"/tasks/{task['id']}/done", far_crew, json=report)[0] == 200
    return task["id"], near, far


def test_a_finished_task_keeps_its_timeline_and_the_teams_report(make, db_session, run_jobs, api, client):
    hq = make.account("hq")
    task_id, near, far = _declined_then_done(make, db_session, run_jobs, api, hq)
    status, cancelled = api("POST", "/tasks", hq, json={**TASK, "title": "Gloves, no longer needed"})
    assert api("POST", f"/tasks/{cancelled['id']}/cancel", hq)[0] == 200
    status, still_open = api("POST", "/tasks", hq, json={**TASK, "title": "Still open"})

    status, page = api("GET", "/tasks/history", hq)
    assert status == 200, page
    assert page["total"] == 2 and [i["id"] for i in page["items"]] == [cancelled["id"], task_id]
    done = page["items"][1]
    assert done["status"] == "done" and done["team"] == far.name
    steps = [(s["type"], s["team_id"], s["reason"]) for s in done["timeline"]]
    assert steps == [
        ("task.created", None, None),
        ("task.offered", near.id, None),
        ("task.declined", near.id, "Van has a flat tyre"),
        ("task.offered", far.id, None),
        ("task.accepted", far.id, None),
        ("task.en_route", far.id, None),
        ("task.on_site", far.id, None),
        ("task.done", far.id, None),
    ]
    assert done["timeline"][2]["text"] == f"Declined by {near.name}: Van has a flat tyre"
    report = done["report"]
    assert report["source_type"] is None
    assert report["data"] == {"recipient": "Nurse Akhmetova", "received": {"masks": 200},
                              "notes": "Left at the back door", "photos": 1}  # fmt: skip
    photo = client.get(f"/hq/tasks/{task_id}/photos/1", headers=hq.auth)
    assert photo.status_code == 200 and photo.mimetype == "image/png"
    assert client.get(f"/hq/tasks/{task_id}/photos/2", headers=hq.auth).status_code == 404
    assert page["items"][0]["timeline"][-1]["type"] == "task.cancelled"


def test_history_filters_by_team_kind_and_days_and_pages(make, db_session, run_jobs, api):
    hq = make.account("hq")
    task_id, near, far = _declined_then_done(make, db_session, run_jobs, api, hq)
    other = make.task(far, kind="inspection")
    other.status, other.finished_at = "failed", other.created_at
    old = make.task(near, kind="delivery")
    old.status, old.finished_at = "done", old.created_at - timedelta(days=10)
    db_session.commit()
    today = date.today().isoformat()

    def ids(query):
        status, page = api("GET", f"/tasks/history?{query}", hq)
        assert status == 200, page
        return [i["id"] for i in page["items"]]

    assert set(ids("")) == {task_id, other.id, old.id}
    assert set(ids(f"team_id={far.id}")) == {task_id, other.id}
    assert ids(f"team_id={near.id}") == [old.id]  # the team that declined did not do it
    assert ids("kind=inspection") == [other.id]
    assert set(ids(f"since={today}")) == {task_id, other.id}
    assert ids(f"until={(date.today() - timedelta(days=5)).isoformat()}") == [old.id]
    status, first = api("GET", "/tasks/history?per_page=2", hq)
    status, second = api("GET", "/tasks/history?per_page=2&page=2", hq)
    assert (first["total"], first["pages"], len(first["items"]), len(second["items"])) == (3, 2, 2, 1)
    assert api("GET", "/tasks/history?kind=parade", hq)[0] == 422
    assert api("GET", "/tasks/history?since=0001-01-01&until=9999-12-31", hq)[0] == 200
    assert api("GET", f"/tasks/history?since={today}&until=2020-01-01", hq)[0] == 422


def test_a_regional_hq_sees_its_regions_history_only(make, db_session, api):
    almaty, pavlodar = make.team("almaty"), make.team("pavlodar")
    mine, theirs = make.task(almaty), make.task(pavlodar, region_code="pavlodar")
    for t in (mine, theirs):
        t.status, t.finished_at = "done", t.created_at
    db_session.commit()
    regional = make.account("hq", region_id=make.region("almaty").id)
    assert [i["id"] for i in api("GET", "/tasks/history", regional)[1]["items"]] == [mine.id]
    assert api("GET", f"/tasks/history?team_id={pavlodar.id}", regional)[1]["items"] == []
    assert {i["id"] for i in api("GET", "/tasks/history", make.account("hq"))[1]["items"]} == {mine.id, theirs.id}
    assert api("GET", "/tasks/history", make.account("field", team_id=almaty.id))[0] == 403


def test_a_delivery_runs_history_shows_the_proof_at_each_stop(app, make, api, run_jobs, client, parse_html):
    one = delivery_setup.one_run(app, make, api, run_jobs)
    proof = one.proof(lines=one.lines(masks=(95, 5, "damaged")), photo=PHOTO)
    status, body = api("POST", f"/deliveries/{one.stop['id']}/proof", one.crew.account, json=proof)
    assert status == 200, body
    delivery_setup.steps(api, one.crew.account, one.run["task_id"], "done")

    status, page = api("GET", "/tasks/history?kind=delivery", make.account("hq"))
    [item] = page["items"]
    assert item["id"] == one.run["task_id"] and item["report"]["source_type"] == "delivery_run"
    [stop] = item["report"]["data"]["stops"]
    assert stop["received_by"] == "Dr. Sadykova" and stop["received_at"]
    lines = {li["item"]: (li["quantity"], li["accepted"], li["rejected"], li["reject_reason"]) for li in stop["lines"]}
    assert lines == {"Medical mask": (100, 95, 5, "damaged"), "Gloves (pair)": (50, 50, 0, None)}
    photo = client.get(stop["photo_url"], headers=make.account("hq").auth)
    assert photo.status_code == 200 and photo.mimetype == "image/png"
    shown = parse_html(client.get("/hq/tasks/history", headers=make.account("hq").auth).get_data(as_text=True))
    text = shown.text(f"task-{item['id']}")
    assert "Dr. Sadykova" in text and "5 rejected (damaged)" in text and "Proof photo" in text


def test_an_inspections_history_shows_its_checklist_and_photos(make, api, run_jobs, client, db_session, parse_html):
    operator, hq = make.account("hotline_operator"), make.account("hq")
    case = make.case("almaty")
    team = make.team("almaty", can_inspect=True)
    inspector = make.account("field", team_id=team.id)
    triage = {"severity": "high", "region_id": case.region_id}
    assert api("POST", f"/hotline/cases/{case.id}/triage", operator, json=triage)[0] == 200
    assert api("POST", f"/hotline/cases/{case.id}/inspection", hq)[0] == 201
    run_jobs()
    task = db_session.query(Task).filter_by(source_type="case", source_id=case.id).one()
    for step in ("accept", "en-route", "on-site"):
        assert api("POST", f"/tasks/{task.id}/{step}", inspector)[0] == 200
    findings = {"checklist": {"PPE given to workers": False, "Distancing kept": True}, "notes": "No masks handed out",
                "photos": [PHOTO]}  # fmt: skip
    assert api("POST", f"/tasks/{task.id}/done", inspector, json=findings)[0] == 200

    status, page = api("GET", "/tasks/history?kind=inspection", hq)
    [item] = page["items"]
    data = item["report"]["data"]
    assert item["report"]["source_type"] == "case" and data["case"] == case.number
    assert data["checklist"] == [
        {"key": "ppe_issued", "label": "PPE given to workers", "ok": False},
        {"key": "distancing", "label": "Distancing kept", "ok": True},
    ]
    assert data["notes"] == "No masks handed out"
    [photo] = data["photos"]
    got = client.get(photo["url"], headers=hq.auth)
    assert got.status_code == 200 and got.mimetype == "image/png"
    hq.user.locale = "kk"
    db_session.commit()
    shown = parse_html(client.get("/hq/tasks/history", headers=hq.auth).get_data(as_text=True))
    text = shown.text(f"task-{task.id}")
    assert "✘ Жұмысшыларға ЖҚҚ берілген" in text, text
    assert f"{case.number} өтініші" in text and "No masks handed out" in text


def test_a_transfers_history_shows_pick_up_and_arrival(make, api, db_session, client, parse_html):
    facility = make.facility("almaty", beds={"general": 10})
    team = make.team("almaty", can_transfer=True, seats=8)
    driver = make.account("field", team_id=team.id)
    group = make.placement(facility, head_count=3, status="assigned", bed_category="general")
    task = make.task(team, kind="transfer", source_type="placement", source_id=group.id)
    db_session.commit()
    for step in ("accept", "on-site", "done"):
        status, body = api(
            "POST", f"/tasks/{task.id}/{step}", driver, json={"handed_over": 3} if step == "done" else {}
        )
        assert status == 200, (step, body)

    status, page = api("GET", "/tasks/history?kind=transfer", make.account("hq"))
    [item] = page["items"]
    data = item["report"]["data"]
    assert item["report"]["source_type"] == "placement"
    assert (data["placement_id"], data["head_count"], data["facility"]) == (group.id, 3, facility.name)
    assert data["status"] == "in_transit"  # picked up; the facility checks the group in
    assert [s["type"] for s in item["timeline"]][-3:] == ["task.accepted", "task.on_site", "task.done"]
    shown = parse_html(client.get("/hq/tasks/history", headers=make.account("hq").auth).get_data(as_text=True))
    assert facility.name in shown.text(f"task-{task.id}") and "3 people" in shown.text(f"task-{task.id}")


def test_hq_reads_the_history_page_from_the_teams_board(make, db_session, run_jobs, api, client, parse_html):
    hq = make.account("hq")
    empty = client.get("/hq/tasks/history", headers=hq.auth)
    assert empty.status_code == 200 and "No task has finished yet." in empty.get_data(as_text=True)
    board = parse_html(client.get("/hq/teams", headers=hq.auth).get_data(as_text=True))
    assert "history-link" in board.ids()

    task_id, near, far = _declined_then_done(make, db_session, run_jobs, api, hq)
    page = parse_html(client.get("/hq/tasks/history", headers=hq.auth).get_data(as_text=True))
    assert f"task-{task_id}" in page.inside("history")
    shown = page.text(f"task-{task_id}")
    assert f"Declined by {near.name}: Van has a flat tyre" in shown and f"Accepted by {far.name}" in shown
    assert "Nurse Akhmetova" in shown and "Photo 1" in shown
    filtered = client.get(f"/hq/tasks/history?kind=inspection&team_id={far.id}", headers=hq.auth)
    assert "No finished tasks match." in filtered.get_data(as_text=True)
    # A bad filter is said, not a failure.
    bad = client.get("/hq/tasks/history?since=yesterday", headers=hq.auth)
    assert bad.status_code == 200 and f"task-{task_id}" in parse_html(bad.get_data(as_text=True)).ids()

    hq.user.locale = "ru"
    db_session.commit()
    russian = parse_html(client.get("/hq/tasks/history", headers=hq.auth).get_data(as_text=True))
    assert f"{near.name} — отказ: Van has a flat tyre" in russian.text(f"task-{task_id}")
    assert "История задач" in russian.text("history-title")


@pytest.mark.parametrize("locale", ["ru", "kk"])
def test_the_history_page_speaks_the_readers_language(make, db_session, run_jobs, api, client, locale):
    hq = make.account("hq")
    _, near, far = _declined_then_done(make, db_session, run_jobs, api, hq)
    # Team names are data: ones that are no English word of the catalogue.
    near.name, far.name = "Бригада 1", "Бригада 2"
    hq.user.locale = locale
    db_session.commit()
    catalogue = shown.catalogue()
    for path in ("/hq/tasks/history", "/hq/tasks/history?kind=inspection", "/hq/teams"):
        html = client.get(path, headers=hq.auth).get_data(as_text=True)
        assert shown.english_left(html, catalogue, locale) == [], path
