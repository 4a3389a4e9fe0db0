"""The HQ screen's KPI strip and queues, through the API."""

from datetime import timedelta

from sqlalchemy import update

from coordinator.common.clock import now
from coordinator.housing.models import PlacementRequest


def test_kpis_count_what_the_database_holds(client, make, db_session):
    make.facility("almaty", beds={"standard": 10})
    make.placement(make.facility("almaty", beds={"standard": 6}), head_count=4)
    w = make.warehouse("almaty")
    make.stock(w, "FFP2 respirator", on_hand=100, per_day=20)  # 5 days
    make.stock(w, "Gloves", on_hand=1000, per_day=10)  # 100 days
    make.case("almaty", due_in_minutes=-30)
    make.case("almaty", due_in_minutes=300)
    available, busy = make.team("almaty"), make.team("almaty")
    make.task(busy).status = "accepted"
    stale = make.team("almaty")
    stale.last_seen_at = now() - timedelta(hours=1)
    busy.last_seen_at = available.last_seen_at = now()
    db_session.commit()

    hq = make.account("hq")
    body = client.get("/api/v1/map/panels", headers=hq.auth).get_json()
    k = body["kpis"]
    assert (k["beds_free"], k["beds_held"]) == (12, 4)
    assert (k["cover_item"], k["cover_days"]) == ("FFP2 respirator", 5.0)
    assert (k["cases_open"], k["cases_breached"]) == (2, 1)
    assert (k["teams_available"], k["teams_busy"], k["teams_stale"]) == (1, 1, 1)


def test_queues_give_age_reason_and_action(client, make, db_session, run_jobs):
    make.facility("almaty", beds={"standard": 2})
    hq = make.account("hq")
    big = client.post(
        "/api/v1/placements",
        json={"head_count": 30, "contact_phone": "+7 700 1", "origin": "Almaty"},
        headers=hq.auth,
    ).get_json()
    run_jobs()
    # Each row was waiting for a known time: its age is that many minutes.
    db_session.execute(
        update(PlacementRequest)
        .where(PlacementRequest.id == big["id"])
        .values(created_at=now() - timedelta(minutes=45, seconds=20))
    )
    db_session.commit()
    case = make.case("almaty", due_in_minutes=20)
    case.created_at = now() - timedelta(minutes=130, seconds=20)
    make.case("almaty", due_in_minutes=600)  # not due soon: not in the queue
    task = make.task(
        None, kind="inspection", needs_hq=True, offer_attempts=3, created_at=now() - timedelta(minutes=75, seconds=20)
    )
    db_session.commit()

    queues = client.get("/api/v1/map/panels", headers=hq.auth).get_json()["queues"]
    [row] = [r for r in queues["placements"] if r["id"] == big["id"]]
    assert "30" in row["title"] and row["reason"] and row["age_minutes"] >= 0
    assert row["title"] == f"#{big['id']} · 30 · Almaty"
    assert row["reason"] == db_session.get(PlacementRequest, big["id"]).wait_reason
    assert "larger than any suitable facility" in row["reason"]
    assert row["age_minutes"] in (45, 46)  # 46 if a minute turned while the test ran
    assert row["action"]["url"] == f"/api/v1/placements/{big['id']}/dispatch"
    assert queues["tasks"][0]["reason"] == "Offered 3 times; no team took it."
    [task_row] = queues["tasks"]
    assert task_row["id"] == task.id and task_row["title"] == f"#{task.id} Inspection: {task.title}"
    assert task_row["age_minutes"] in (75, 76)
    assert queues["cases"][0]["reason"].startswith("SLA due in")
    [case_row] = queues["cases"]
    assert case_row["id"] == case.id and case_row["reason"] in ("SLA due in 19 min", "SLA due in 20 min")
    assert case_row["age_minutes"] in (130, 131)

    # The re-dispatch action queues a new attempt; it still waits (no bed fits 30).
    resp = client.post(row["action"]["url"], headers=hq.auth)
    assert resp.status_code == 202
    assert run_jobs() == 1
    assert client.get(f"/api/v1/placements/{big['id']}", headers=hq.auth).get_json()["status"] == "waiting"


def test_redispatch_of_a_placed_group_is_a_409(client, make):
    p = make.placement(make.facility("almaty"), head_count=1)
    hq = make.account("hq")
    resp = client.post(f"/api/v1/placements/{p.id}/dispatch", headers=hq.auth)
    assert resp.status_code == 409 and "only a waiting group" in resp.get_json()["message"]


def test_regional_panels_stay_in_region(client, make):
    make.case("pavlodar", due_in_minutes=10)
    mine = make.case("almaty", due_in_minutes=10)
    regional = make.account("hq", region_id=make.region("almaty").id)
    body = client.get("/api/v1/map/panels", headers=regional.auth).get_json()
    assert body["kpis"]["cases_open"] == 1 and len(body["queues"]["cases"]) == 1
    assert [c["id"] for c in body["queues"]["cases"]] == [mine.id]
    other = make.region("pavlodar").id
    assert client.get(f"/api/v1/map/panels?region_id={other}", headers=regional.auth).status_code == 403
    field = make.account("field")
    assert client.get("/api/v1/map/panels", headers=field.auth).status_code == 403
