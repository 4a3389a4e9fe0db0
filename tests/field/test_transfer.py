"""A group that needs transport: the transfer task is offered to a team, and pick-up puts the group in transit."""

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
