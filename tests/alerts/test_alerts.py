"""Alerts: raised by the scan job from real conditions, acknowledged through
the API (who and when recorded), cleared when the condition ends."""

from datetime import timedelta

from sqlalchemy import select

from coordinator.alerts.models import Alert
from coordinator.common.clock import now


def _open(client, account):
    return client.get("/api/v1/alerts", headers=account.auth).get_json()


def _about(alerts) -> set[tuple[str, str, int]]:
    """What each alert is about: (kind, subject type, subject id)."""
    return {(a["kind"], a["subject_type"], a["subject_id"]) for a in alerts}


def _alert(db_session, kind: str, subject_type: str, subject_id: int) -> Alert:
    """The one alert of this kind about this subject (ids of different tables overlap)."""
    db_session.expire_all()
    return db_session.scalars(
        select(Alert).where(Alert.kind == kind, Alert.subject_type == subject_type, Alert.subject_id == subject_id)
    ).one()


def test_scan_raises_one_alert_per_condition_and_clears_ended_ones(make, db_session, enqueue, run_jobs, client, count):
    w = make.warehouse("almaty")
    make.stock(w, "FFP2 respirator", on_hand=30, per_day=10)  # 3 days: below 7
    make.stock(w, "Gloves", on_hand=5000, per_day=10)  # plenty
    breached = make.case("almaty", due_in_minutes=-5)
    warning = make.case("almaty", due_in_minutes=30)
    make.case("almaty", due_in_minutes=3000)  # nothing yet
    hq = make.hq("pavlodar")
    hq.silent = True
    task = make.task(None, needs_hq=True, offer_attempts=3)
    team = make.team("almaty")
    team.last_seen_at = now() - timedelta(hours=2)
    db_session.commit()

    enqueue("scan_alerts")
    run_jobs()
    national = make.account("hq")
    kinds = sorted(a["kind"] for a in _open(client, national))
    assert kinds == ["hq_silent", "offer_expired", "sla_breach", "sla_warning", "stock_low", "team_stale"]
    raised = _open(client, national)
    assert _about(raised) == {
        ("hq_silent", "hq", hq.id),
        ("offer_expired", "task", task.id),
        ("sla_breach", "case", breached.id),
        ("sla_warning", "case", warning.id),
        ("stock_low", "warehouse", w.id),
        ("team_stale", "hq", team.home_hq_id),
    }
    stock_alert = next(a for a in _open(client, national) if a["kind"] == "stock_low")
    assert "FFP2 respirator, days of cover: 3.0" in stock_alert["message"]

    # Running again raises nothing new and clears nothing.
    enqueue("scan_alerts")
    run_jobs()
    newest = db_session.scalar(select(Alert.id).order_by(Alert.id.desc()))
    assert newest == max(a["id"] for a in _open(client, national))
    assert len(_open(client, national)) == 6
    assert {a["id"] for a in _open(client, national)} == {a["id"] for a in raised}
    assert count(Alert) == 6

    # Conditions end: the case is resolved, the HQ reports, the team's phone comes back.
    breached.status = "resolved"
    team.last_seen_at = now()
    db_session.commit()
    report = {"staff_on_duty": 3, "open_cases": 0}
    client.post(f"/api/v1/hqs/{hq.id}/status-reports", json=report, headers=national.auth)
    enqueue("scan_alerts")
    run_jobs()
    assert sorted(a["kind"] for a in _open(client, national)) == ["offer_expired", "sla_warning", "stock_low"]
    assert _about(_open(client, national)) == {
        ("offer_expired", "task", task.id),
        ("sla_warning", "case", warning.id),
        ("stock_low", "warehouse", w.id),
    }
    assert _alert(db_session, "offer_expired", "task", task.id).cleared_at is None
    ended_conditions = (
        ("sla_breach", "case", breached.id),
        ("hq_silent", "hq", hq.id),
        ("team_stale", "hq", team.home_hq_id),
    )
    for ended in ended_conditions:
        assert _alert(db_session, *ended).cleared_at is not None, ended


def test_acknowledgement_records_who_and_when(make, db_session, enqueue, run_jobs, client, count):
    late = make.case("almaty", due_in_minutes=-5)
    enqueue("scan_alerts")
    run_jobs()
    first, second = make.account("hq"), make.account("admin")
    [alert] = _open(client, first)
    assert _about([alert]) == {("sla_breach", "case", late.id)}
    resp = client.post(f"/api/v1/alerts/{alert['id']}/acknowledge", headers=first.auth)
    assert resp.status_code == 200
    assert resp.get_json()["acknowledged_by"] == first.user.display_name
    db_session.expire_all()
    row = db_session.get(Alert, alert["id"])
    assert row.acknowledged_by_id == first.user.id and abs((row.acknowledged_at - now()).total_seconds()) < 60
    assert _open(client, second) == []
    again = client.post(f"/api/v1/alerts/{alert['id']}/acknowledge", headers=second.auth)
    assert again.status_code == 409 and first.user.display_name in again.get_json()["message"]
    history = client.get("/api/v1/alerts?state=acknowledged", headers=second.auth).get_json()
    assert [a["id"] for a in history] == [alert["id"]]
    # An acknowledged condition that persists is not raised again.
    enqueue("scan_alerts")
    run_jobs()
    assert _open(client, second) == []
    assert count(Alert) == 1 and _alert(db_session, "sla_breach", "case", late.id).cleared_at is None


def test_alert_scope_and_bad_input(make, enqueue, run_jobs, client):
    elsewhere = make.case("pavlodar", due_in_minutes=-5)
    enqueue("scan_alerts")
    run_jobs()
    regional = make.account("hq", region_id=make.region("almaty").id)
    assert _open(client, regional) == []
    [alert] = _open(client, make.account("hq"))
    assert _about([alert]) == {("sla_breach", "case", elsewhere.id)}
    assert alert["region_id"] == make.region("pavlodar").id
    # The regional HQ does see its own region's alerts.
    mine = make.case("almaty", due_in_minutes=-5)
    enqueue("scan_alerts")
    run_jobs()
    assert _about(_open(client, regional)) == {("sla_breach", "case", mine.id)}
    assert client.post(f"/api/v1/alerts/{alert['id']}/acknowledge", headers=regional.auth).status_code == 403
    assert client.post("/api/v1/alerts/999999/acknowledge", headers=regional.auth).status_code == 404
    resp = client.get("/api/v1/alerts?state=sleeping", headers=regional.auth)
    assert resp.status_code == 422 and "state" in resp.get_json()["errors"]["query"]
    assert client.get("/api/v1/alerts", headers=make.account("field").auth).status_code == 403
