"""Offering tasks to teams: scoring, timeouts with a controlled clock, batches, HQ alerts."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from coordinator.events.models import Event
from coordinator.field.models import Task

TASK = {"kind": "delivery", "title": "Masks to City Hospital No. 4", "lat": 43.25, "lon": 76.95}


def _teams(make, db_session, *places):
    """On-duty delivery teams at the given (lat, lon) places."""
    teams = []
    for lat, lon in places:
        team = make.team("almaty", can_deliver=True)
        team.last_lat, team.last_lon = lat, lon
        teams.append(team)
    db_session.commit()
    return teams


def test_unanswered_offer_goes_to_the_next_team_then_hq_is_alerted(app, make, db_session, run_jobs, enqueue, api):
    app.config["OFFER_ATTEMPTS"] = 2
    near, farther = _teams(make, db_session, (43.26, 76.95), (43.40, 77.10))
    hq = make.account("hq")
    status, task = api("POST", "/tasks", hq, json=TASK)
    assert status == 201
    run_jobs()
    _, task = api("GET", f"/tasks/{task['id']}", hq)
    assert task["status"] == "offered" and task["team_id"] == near.id and task["offer_expires_at"]

    app.config["CLOCK_OFFSET_SECONDS"] = app.config["OFFER_SECONDS"] + 5  # the offer's minutes run out
    enqueue("expire_offers")
    run_jobs()
    _, task = api("GET", f"/tasks/{task['id']}", hq)
    assert task["status"] == "offered" and task["team_id"] == farther.id

    app.config["CLOCK_OFFSET_SECONDS"] = 2 * (app.config["OFFER_SECONDS"] + 5)
    enqueue("expire_offers")
    run_jobs()
    _, task = api("GET", f"/tasks/{task['id']}", hq)
    assert task["needs_hq"] is True and task["status"] == "created" and task["team_id"] is None
    steps = [t["type"] for t in task["timeline"]]
    assert steps == [
        "task.created",
        "task.offered",
        "task.offer_expired",
        "task.offered",
        "task.offer_expired",
        "task.needs_hq",
    ]
    # HQ assigns by hand.
    status, task = api("POST", f"/tasks/{task['id']}/reassign", hq, json={"team_id": near.id})
    assert status == 200 and task["status"] == "offered" and task["team_id"] == near.id


def test_a_busy_near_team_loses_to_a_free_one_nearby(make, db_session, run_jobs, api):
    busy, free = _teams(make, db_session, (43.25, 76.95), (43.30, 76.95))  # 0 km and ~5.5 km away
    for _ in range(2):
        make.task(busy).status = "accepted"
    db_session.commit()
    hq = make.account("hq")
    _, task = api("POST", "/tasks", hq, json=TASK)
    run_jobs()
    assert api("GET", f"/tasks/{task['id']}", hq)[1]["team_id"] == free.id


def test_no_capable_team_alerts_hq(make, db_session, run_jobs, api):
    _teams(make, db_session, (43.25, 76.95))  # delivery only
    hq = make.account("hq")
    _, task = api("POST", "/tasks", hq, json={**TASK, "kind": "inspection"})
    run_jobs()
    task = api("GET", f"/tasks/{task['id']}", hq)[1]
    assert task["needs_hq"] is True


def test_batch_assignment_beats_greedy(app, make, db_session):
    """Two tasks, two teams: greedy gives the first task the team the second task needs."""
    from coordinator.extensions import db
    from coordinator.field import dispatch

    a, b = _teams(make, db_session, (43.0, 77.0), (43.0, 77.6))
    t1 = make.task(None, lat=43.0, lon=77.3)  # equally far from both teams (~24 km)
    t2 = make.task(None, lat=43.0, lon=77.02)  # right next to team a
    with app.app_context():
        result = dispatch.assign_pending(session=db.session)
        db.session.commit()
    assert result["offered"] == 2 and result["optimal_km"] < result["greedy_km"]
    db_session.expire_all()
    assert db_session.get(Task, t2.id).team_id == a.id and db_session.get(Task, t1.id).team_id == b.id


def test_the_same_action_five_times_has_one_effect(app, make, db_session):
    team = make.team("almaty", can_deliver=True)
    crew = make.account("field", team_id=team.id)
    task = make.task(team)
    headers = {**crew.auth, "Idempotency-Key": "phone-action-7f3a"}

    def accept(_):
        return app.test_client().post(f"/api/v1/tasks/{task.id}/accept", headers=headers, json={})

    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(accept, range(3)))
    answers += [accept(0), accept(0)]
    assert [r.status_code for r in answers] == [200] * 5
    accepted = select(func.count(Event.id)).where(Event.type == "task.accepted", Event.subject_id == task.id)
    assert db_session.scalar(accepted) == 1
    other = app.test_client().post(f"/api/v1/tasks/{task.id}/decline", headers=headers, json={"reason": "x"})
    assert other.status_code == 422  # same key, another body


def test_stale_action_after_reassignment_is_a_conflict(make, db_session, api):
    first = make.team("almaty", can_deliver=True)
    second = make.team("almaty", can_deliver=True)
    crew = make.account("field", team_id=first.id)
    hq = make.account("hq")
    task = make.task(first)
    assert api("POST", f"/tasks/{task.id}/accept", crew, json={})[0] == 200
    assert api("POST", f"/tasks/{task.id}/reassign", hq, json={"team_id": second.id})[0] == 200
    status, body = api("POST", f"/tasks/{task.id}/en-route", crew, json={})
    assert status == 409 and "another team" in body["message"]
    assert body["current"]["team_id"] == second.id and body["current"]["status"] == "offered"


def test_action_on_another_teams_task_is_403_and_bad_steps_409(make, api):
    mine, theirs = make.team("almaty", can_deliver=True), make.team("almaty", can_deliver=True)
    crew = make.account("field", team_id=mine.id)
    their_task, my_task = make.task(theirs), make.task(mine)
    assert api("POST", f"/tasks/{their_task.id}/accept", crew, json={})[0] == 403
    status, body = api("POST", f"/tasks/{my_task.id}/done", crew, json={})
    assert status == 409 and body["status"] == "offered"
    status, body = api("POST", f"/tasks/{my_task.id}/decline", crew, json={})
    assert status == 422 and "reason" in body["errors"]["json"]


def test_positions_outside_the_box_or_from_the_future_are_refused(make, api):
    team = make.team("almaty", can_deliver=True)
    crew = make.account("field", team_id=team.id)
    ok = api(
        "POST",
        f"/teams/{team.id}/position",
        crew,
        json={"lat": 43.24, "lon": 76.9, "at": "2020-01-01T00:00:00Z"},
    )
    assert ok[0] == 422 and "12 hours" in ok[1]["message"]
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    assert (
        api("POST", f"/teams/{team.id}/position", crew, json={"lat": 48.85, "lon": 2.35, "at": now.isoformat()})[0]
        == 422
    )
    assert (
        api(
            "POST",
            f"/teams/{team.id}/position",
            crew,
            json={"lat": 43.24, "lon": 76.9, "at": (now + timedelta(hours=1)).isoformat()},
        )[0]
        == 422
    )
    status, body = api(
        "POST", f"/teams/{team.id}/position", crew, json={"lat": 43.24, "lon": 76.9, "at": now.isoformat()}
    )
    assert status == 200 and body["last_lat"] == 43.24 and body["stale"] is False
