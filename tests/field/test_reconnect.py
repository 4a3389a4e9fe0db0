"""A phone that loses signal while tasks are offered gets them all on reconnect, in order."""

TASK = {"kind": "inspection", "lat": 43.25, "lon": 76.95}


def test_offline_team_receives_missed_offers_in_order(client, make, db_session, socket_client, run_jobs, wait_for):
    team = make.team("almaty", can_inspect=True)
    crew = make.account("field", team_id=team.id)
    hq = make.account("hq")
    sio = socket_client(crew.token)
    assert wait_for(lambda: getattr(sio, "welcome", None))
    last_seen = sio.welcome["last_event_id"]
    sio.disconnect()

    created = []
    for n in range(3):
        resp = client.post("/api/v1/tasks", json={**TASK, "title": f"Inspect workshop {n}"}, headers=hq.auth)
        created.append(resp.get_json()["id"])
        run_jobs()  # each is offered to the only capable team

    back = socket_client(crew.token, last_event_id=last_seen)
    assert wait_for(lambda: getattr(back, "welcome", None))
    offers = [e for e in back.received if e["type"] == "task.offered"]
    assert [e["subject_id"] for e in offers] == created
    assert all(e["after"]["team_id"] == team.id for e in offers)
    assert [e["id"] for e in back.received] == sorted(e["id"] for e in back.received)
