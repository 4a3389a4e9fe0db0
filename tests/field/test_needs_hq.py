"""Tasks nobody takes reach HQ, and offers go only to teams that can answer
them nearby (issue 13, points 1 and 2): through the API, the jobs a worker
runs, the HQ screen's queue and its alert feed."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from coordinator.common.clock import now
from coordinator.field.models import TaskOffer

TASK = {"kind": "delivery", "title": "Masks to City Hospital No. 4", "lat": 43.25, "lon": 76.95}
GROUP = {"contact_phone": "+7 701 555 12 12", "origin": "Almaty", "head_count": 3, "needs_transport": True}


def _team(make, db_session, lat, lon, **kw):
    team = make.team("almaty", **kw)
    team.last_lat, team.last_lon = lat, lon
    db_session.commit()
    return team


def _expire(app, enqueue, run_jobs, rounds: int) -> None:
    """Let the open offer's minutes run out, `rounds` offers after the start."""
    app.config["CLOCK_OFFSET_SECONDS"] = rounds * (app.config["OFFER_SECONDS"] + 5)
    enqueue("expire_offers")
    run_jobs()


def _offers(db_session, task_id: int) -> int:
    return db_session.scalar(select(func.count(TaskOffer.id)).where(TaskOffer.task_id == task_id))


def test_after_the_offer_limit_the_task_goes_to_hq_though_teams_are_left(
    app, make, db_session, run_jobs, enqueue, api, client
):
    app.config["OFFER_ATTEMPTS"] = 2
    for i in range(4):  # four capable teams nearby: plenty left to try after two
        _team(make, db_session, 43.26 + i * 0.01, 76.95, can_deliver=True)
    hq = make.account("hq")
    _, task = api("POST", "/tasks", hq, json=TASK)
    run_jobs()
    _expire(app, enqueue, run_jobs, 1)
    _expire(app, enqueue, run_jobs, 2)

    _, task = api("GET", f"/tasks/{task['id']}", hq)
    assert (task["status"], task["team_id"], task["needs_hq"]) == ("created", None, True)
    assert task["status_reason"] == "Offered 2 times; no team took it."
    assert _offers(db_session, task["id"]) == 2
    assert task["timeline"][-1]["type"] == "task.needs_hq"
    assert task["timeline"][-1]["reason"] == "Offered 2 times; no team took it."

    # HQ's queue of unassigned tasks holds it, with the reason, and the alert feed says so.
    queues = api("GET", "/map/panels", hq)[1]["queues"]
    [row] = [r for r in queues["tasks"] if r["id"] == task["id"]]
    assert row["reason"] == "Offered 2 times; no team took it."
    page = client.get("/hq", headers=hq.auth).get_data(as_text=True)
    assert re.search(r'data-queue="tasks".*?Unassigned tasks <span class="badge" data-count>1</span>', page, re.S)
    board = client.get("/hq/teams", headers=hq.auth).get_data(as_text=True)
    assert re.search(rf'id="task-{task["id"]}".*?needs HQ</span> <small class="reason">Offered 2 times', board, re.S)
    [alert] = [a for a in api("GET", "/alerts?kind=offer_expired", hq)[1] if a["subject_id"] == task["id"]]
    assert alert["message"] == (
        f"Task #{task['id']} needs HQ: Masks to City Hospital No. 4. Offered 2 times; no team took it."
    )

    # Later sweeps leave it with HQ: nobody else is offered it.
    enqueue("offer_tasks")
    run_jobs()
    assert _offers(db_session, task["id"]) == 2


def test_a_transfer_whose_group_checked_in_is_closed_instead_of_offered_again(
    app, make, db_session, run_jobs, enqueue, api
):
    make.facility("almaty", beds={"standard": 10})
    vans = [_team(make, db_session, 43.24 + i * 0.02, 76.9, can_transfer=True, seats=8) for i in range(2)]
    hq = make.account("hq")
    status, placement = api("POST", "/placements", hq, json=GROUP)
    assert status == 201
    run_jobs()  # placed, and the transfer task is offered to a van
    [task] = [t for t in api("GET", "/tasks", hq)[1] if t["source_id"] == placement["id"]]
    assert task["status"] == "offered" and task["team_id"] in {v.id for v in vans}

    # The group made its own way and checked in; the van never answered.
    status, _ = api("POST", f"/placements/{placement['id']}/check-in", hq, json={"count": 3})
    assert status == 200
    _expire(app, enqueue, run_jobs, 1)

    _, task = api("GET", f"/tasks/{task['id']}", hq)
    assert (task["status"], task["team_id"], task["needs_hq"]) == ("cancelled", None, False)
    assert task["status_reason"] == "The group has already checked in."
    assert [t["type"] for t in task["timeline"]][-2:] == ["task.offer_expired", "task.closed"]
    assert _offers(db_session, task["id"]) == 1  # the second van was never asked
    assert all(r["id"] != task["id"] for r in api("GET", "/map/panels", hq)[1]["queues"]["tasks"])


def test_a_transfer_waiting_with_hq_leaves_the_queue_when_its_placement_is_cancelled(
    make, db_session, run_jobs, enqueue, api
):
    make.facility("almaty", beds={"standard": 10})  # no van anywhere: the transfer goes to HQ
    hq = make.account("hq")
    _, placement = api("POST", "/placements", hq, json=GROUP)
    run_jobs()
    [task] = [t for t in api("GET", "/tasks", hq)[1] if t["source_id"] == placement["id"]]
    assert task["needs_hq"] is True
    assert api("POST", f"/placements/{placement['id']}/cancel", hq, json={})[0] == 200
    enqueue("offer_tasks")  # the periodic sweep
    run_jobs()
    _, task = api("GET", f"/tasks/{task['id']}", hq)
    assert (task["status"], task["needs_hq"], task["status_reason"]) == (
        "cancelled",
        False,
        "The placement was cancelled.",
    )
    assert all(r["id"] != task["id"] for r in api("GET", "/map/panels", hq)[1]["queues"]["tasks"])


def test_a_stale_team_is_never_offered_a_task(make, db_session, run_jobs, api):
    stale = _team(make, db_session, 43.25, 76.95, can_deliver=True)  # right at the task
    stale.last_seen_at = now() - timedelta(hours=1)
    fresh = _team(make, db_session, 43.35, 76.95, can_deliver=True)  # ~11 km away
    db_session.commit()
    hq = make.account("hq")
    assert api("GET", f"/teams/{stale.id}", hq)[1]["stale"] is True  # as the teams board shows it
    _, task = api("POST", "/tasks", hq, json=TASK)
    run_jobs()
    _, task = api("GET", f"/tasks/{task['id']}", hq)
    assert (task["status"], task["team_id"]) == ("offered", fresh.id)


def test_no_team_within_the_distance_cap_sends_the_task_to_hq_saying_so(app, make, db_session, run_jobs, api):
    app.config["OFFER_MAX_KM"] = 150
    far = _team(make, db_session, 42.90, 71.37, can_deliver=True)  # Taraz, ~450 km from Almaty
    hq = make.account("hq")
    _, task = api("POST", "/tasks", hq, json=TASK)
    run_jobs()
    _, task = api("GET", f"/tasks/{task['id']}", hq)
    assert (task["status"], task["needs_hq"], _offers(db_session, task["id"])) == ("created", True, 0)
    assert re.fullmatch(r"No capable team within 150 km \(the nearest is 4\d\d km away\)\.", task["status_reason"])
    # HQ gives it to a team by hand: the reason goes with the "needs HQ" mark.
    status, task = api("POST", f"/tasks/{task['id']}/reassign", hq, json={"team_id": far.id})
    assert (status, task["needs_hq"], task["status_reason"]) == (200, False, None)


def test_the_nearer_capable_team_within_reach_gets_the_offer(make, db_session, run_jobs, api):
    _team(make, db_session, 43.25, 76.95, can_inspect=True)  # nearest, but cannot deliver
    _team(make, db_session, 42.90, 71.37, can_deliver=True)  # capable, ~450 km away
    near = _team(make, db_session, 43.60, 76.95, can_deliver=True)  # capable, ~40 km away
    _, task = api("POST", "/tasks", make.account("hq"), json=TASK)
    run_jobs()
    assert api("GET", f"/tasks/{task['id']}")[1]["team_id"] == near.id


def test_task_titles_and_needs_hq_reasons_read_in_the_readers_language(app, make, db_session, run_jobs, enqueue, api):
    make.facility("almaty", beds={"standard": 10})
    _team(make, db_session, 42.90, 71.37, can_transfer=True, seats=8)  # the only van: ~450 km away
    hq, ru, kk = make.account("hq"), make.account("hq"), make.account("hq")
    ru.user.locale, kk.user.locale = "ru", "kk"
    db_session.commit()
    _, placement = api("POST", "/placements", hq, json={**GROUP, "head_count": 1})
    run_jobs()
    [task] = [t for t in api("GET", "/tasks", hq)[1] if t["source_id"] == placement["id"]]
    facility = task["details"]["facility"]
    assert task["title"] == f"Transfer from Almaty to {facility} (group of 1)"
    assert api("GET", f"/tasks/{task['id']}", ru)[1]["title"] == (
        f"Перевозка из пункта «Almaty» в «{facility}» (группа: 1 чел.)"
    )
    assert api("GET", f"/tasks/{task['id']}", kk)[1]["title"] == (
        f"«Almaty» жерінен «{facility}» нысанына тасымалдау (топ: 1 адам)"
    )
    ru_reason = api("GET", f"/tasks/{task['id']}", ru)[1]["status_reason"]
    assert ru_reason.startswith("В радиусе 150 км нет подходящей бригады (ближайшая — в 4")
    [row] = [r for r in api("GET", "/map/panels", kk)[1]["queues"]["tasks"] if r["id"] == task["id"]]
    assert row["reason"].startswith("150 км радиуста лайықты топ жоқ")
    assert row["title"].endswith("нысанына тасымалдау (топ: 1 адам)")
