"""Teams busy: a team carrying an accepted, on-the-way or on-site task is busy,
on the KPI strip, the map and the teams page, even when its phone has been
silent a while or its shift ended mid-task."""

import re
from datetime import timedelta

from coordinator.common.clock import now


def _kpis(client, account) -> tuple[int, int, int]:
    k = client.get("/api/v1/map/panels", headers=account.auth).get_json()["kpis"]
    return k["teams_available"], k["teams_busy"], k["teams_stale"]


def test_teams_with_accepted_tasks_count_as_busy(client, make, db_session):
    hq = make.account("hq")
    idle, silent_idle = make.team("almaty"), make.team("almaty")
    crews = {step: make.team("almaty") for step in ("accept", "en-route", "on-site")}
    for team in (idle, *crews.values()):
        team.last_seen_at = now()
    silent_idle.last_seen_at = now() - timedelta(hours=1)
    db_session.commit()
    assert _kpis(client, hq) == (4, 0, 1)

    for last_step, team in crews.items():
        task = make.task(team)
        crew = make.account("field", team_id=team.id)
        for step in ("accept", "en-route", "on-site"):
            res = client.post(f"/api/v1/tasks/{task.id}/{step}", headers=crew.auth, json={})
            assert res.status_code == 200, res.get_json()
            if step == last_step:
                break
    # The crew on site has had its phone in a pocket for an hour; the one on the
    # way ended its shift mid-task. Both are still at work.
    crews["on-site"].last_seen_at = now() - timedelta(hours=1)
    crews["en-route"].on_duty = False
    db_session.commit()

    assert _kpis(client, hq) == (1, 3, 1)
    teams = client.get("/api/v1/map?layers=teams", headers=hq.auth).get_json()["layers"]["teams"]
    status = {t["id"]: t["status"] for t in teams}
    assert [status[t.id] for t in crews.values()] == ["busy", "busy", "busy"]
    assert (status[idle.id], status[silent_idle.id]) == ("available", "stale")
    silent = next(t for t in teams if t["id"] == crews["on-site"].id)
    assert silent["stale"] is True  # the silence still shows
    board = client.get("/hq/teams", headers=hq.auth).get_data(as_text=True)
    for team in crews.values():
        row = re.search(rf'<tr id="team-{team.id}".*?</tr>', board, re.S).group(0)
        assert "busy" in row and "stale" not in row and "off duty" not in row
    busy_only = client.get("/api/v1/map?layers=teams&status=busy", headers=hq.auth).get_json()["layers"]["teams"]
    assert sorted(t["id"] for t in busy_only) == sorted(t.id for t in crews.values())
