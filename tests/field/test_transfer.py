"""A group that needs transport: the transfer task is made through the field
service like every task, offered to a team, and its pick-up reaches housing
through the task registry (`field.hooks`), which puts the group in transit."""

from coordinator.extensions import db
from coordinator.field import hooks, tasks

GROUP = {"contact_phone": "+7 701 555 12 12", "origin": "Almaty", "head_count": 3, "needs_transport": True}


def test_transfer_pickup_moves_the_group_in_transit(client, make, run_jobs, db_session):
    make.facility("almaty", beds={"standard": 10})
    van = make.team("almaty", can_transfer=True, seats=8)
    crew = make.account("field", team_id=van.id)
    hq = make.account("hq")
    placement = client.post("/api/v1/placements", json=GROUP, headers=hq.auth).get_json()
    run_jobs()  # dispatch places the group, creates the transfer task and offers it
    tasks = client.get("/api/v1/tasks", headers=crew.auth).get_json()
    assert len(tasks) == 1 and tasks[0]["kind"] == "transfer" and tasks[0]["details"]["head_count"] == 3
    task_id = tasks[0]["id"]
    for step in ("accept", "en-route", "on-site"):
        assert client.post(f"/api/v1/tasks/{task_id}/{step}", json={}, headers=crew.auth).status_code == 200
    group = client.get(f"/api/v1/placements/{placement['id']}", headers=hq.auth).get_json()
    assert group["status"] == "in_transit"
    done = client.post(f"/api/v1/tasks/{task_id}/done", json={"handed_over": 3}, headers=crew.auth).get_json()
    assert done["status"] == "done" and done["report"] == {"handed_over": 3}


def test_every_task_is_created_in_one_shape_whatever_its_source(client, make, run_jobs):
    make.facility("almaty", beds={"standard": 10})
    hq = make.account("hq")
    placement = client.post("/api/v1/placements", json=GROUP, headers=hq.auth).get_json()
    run_jobs()
    by_hand = {"kind": "delivery", "title": "Masks to clinic 4", "lat": 43.25, "lon": 76.92}
    assert client.post("/api/v1/tasks", json=by_hand, headers=hq.auth).status_code == 201
    events = client.get("/api/v1/events?after=0", headers=hq.auth).get_json()["events"]
    created = {e["after"]["kind"]: e for e in events if e["type"] == "task.created"}
    transfer, delivery = created["transfer"], created["delivery"]
    assert set(transfer["after"]) == set(delivery["after"])  # one shape
    assert set(transfer["rooms"]) == set(delivery["rooms"]) == {"hq", f"region:{make.region('almaty').id}"}
    assert (transfer["after"]["source_type"], transfer["after"]["source_id"]) == ("placement", placement["id"])
    assert (delivery["after"]["source_type"], delivery["after"]["source_id"]) == (None, None)


def test_a_source_domain_hears_its_tasks_steps_through_the_registry(app, client, make, run_jobs):
    heard = []
    for status in ("on_site", "done"):
        hooks.on_step(app, "checklist", status, lambda *, session, step, actor: heard.append((step, actor.id)))
    team = make.team("almaty", can_inspect=True)
    crew = make.account("field", team_id=team.id)
    with app.app_context():
        task = tasks.create(
            session=db.session,
            kind="inspection",
            title="Check the canteen",
            lat=43.25,
            lon=76.92,
            source_type="checklist",
            source_id=77,
        )
        db.session.commit()
        task_id = task.id
    run_jobs()  # offered to the only team
    for step in ("accept", "en-route", "on-site"):
        assert client.post(f"/api/v1/tasks/{task_id}/{step}", json={}, headers=crew.auth).status_code == 200
    report = {"checklist": {"ppe": False}}
    assert client.post(f"/api/v1/tasks/{task_id}/done", json=report, headers=crew.auth).status_code == 200
    assert [(s.status, s.source_type, s.source_id, s.task_id, who) for s, who in heard] == [
        ("on_site", "checklist", 77, task_id, crew.user.id),
        ("done", "checklist", 77, task_id, crew.user.id),
    ]
    assert heard[1][0].report == report
