"""The HQ alert feed on a crisis morning (issue 13, point 3): silent phones
make one alert per HQ naming its teams, kept up to date as teams come and go;
the feed is ranked by severity and HQ can keep one kind."""

from datetime import timedelta

from sqlalchemy import select

from coordinator.alerts.models import Alert
from coordinator.common.clock import now
from coordinator.events.models import Event


def _feed(client, account, query=""):
    resp = client.get(f"/api/v1/alerts{query}", headers=account.auth)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def _silent(db_session, *teams):
    for t in teams:
        t.last_seen_at = now() - timedelta(hours=1)
    db_session.commit()


def _scan(enqueue, run_jobs):
    enqueue("scan_alerts")
    run_jobs()


def test_stale_teams_make_one_alert_per_hq_updated_as_teams_come_and_go(make, db_session, enqueue, run_jobs, client):
    a, b, c = (make.team("almaty") for _ in range(3))
    far = make.team("pavlodar")
    _silent(db_session, a, b, c, far)
    hq = make.account("hq")
    _scan(enqueue, run_jobs)

    stale = _feed(client, hq, "?kind=team_stale")
    assert sorted((x["subject_type"], x["subject_id"]) for x in stale) == sorted(
        [("hq", a.home_hq_id), ("hq", far.home_hq_id)]
    )
    [almaty] = [x for x in stale if x["subject_id"] == a.home_hq_id]
    assert all(t.name in almaty["message"] for t in (a, b, c)) and "(3)" in almaty["message"]

    # Team b's phone comes back: the same alert now names two teams, live on every screen.
    crew = make.account("field", team_id=b.id)
    position = {"lat": 43.24, "lon": 76.9, "at": now().isoformat() + "Z"}
    assert client.post(f"/api/v1/teams/{b.id}/position", json=position, headers=crew.auth).status_code == 200
    _scan(enqueue, run_jobs)
    [updated] = [x for x in _feed(client, hq, "?kind=team_stale") if x["subject_id"] == a.home_hq_id]
    assert updated["id"] == almaty["id"] and b.name not in updated["message"] and "(2)" in updated["message"]
    assert db_session.scalar(select(Event.id).where(Event.type == "alert.updated", Event.subject_id == almaty["id"]))

    # HQ acknowledges it; a newly silent team raises it afresh (the old one stays on record).
    assert client.post(f"/api/v1/alerts/{almaty['id']}/acknowledge", headers=hq.auth).status_code == 200
    d = make.team("almaty")
    _silent(db_session, d)
    _scan(enqueue, run_jobs)
    [fresh] = [x for x in _feed(client, hq, "?kind=team_stale") if x["subject_id"] == a.home_hq_id]
    assert fresh["id"] != almaty["id"] and d.name in fresh["message"]

    # Every team reports: no stale-team alert is left live.
    for t in (a, c, d, far):
        t.last_seen_at = now()
    db_session.commit()
    _scan(enqueue, run_jobs)
    assert _feed(client, hq, "?kind=team_stale") == []
    db_session.expire_all()
    assert db_session.scalars(select(Alert).where(Alert.kind == "team_stale", Alert.cleared_at.is_(None))).all() == []


def test_the_feed_is_ranked_by_severity_and_filtered_by_kind(make, db_session, enqueue, run_jobs, client):
    make.case("almaty", due_in_minutes=-5)  # critical: SLA breached
    _scan(enqueue, run_jobs)
    make.case("almaty", due_in_minutes=30)  # high: SLA due soon
    _silent(db_session, make.team("almaty"))  # normal, and the newest
    _scan(enqueue, run_jobs)
    hq = make.account("hq")

    assert [x["severity"] for x in _feed(client, hq)] == ["critical", "high", "normal"]
    assert [x["kind"] for x in _feed(client, hq, "?kind=sla_warning")] == ["sla_warning"]
    assert [x["kind"] for x in _feed(client, hq, "?kind=team_stale")] == ["team_stale"]
    resp = client.get("/api/v1/alerts?kind=weather", headers=hq.auth)
    assert resp.status_code == 422 and "kind" in resp.get_json()["errors"]["query"]
    # The HQ screen offers the same choice.
    page = client.get("/hq", headers=hq.auth).get_data(as_text=True)
    assert 'id="alert-kind"' in page and 'value="team_stale"' in page


def test_alert_texts_are_stored_as_data_and_read_in_each_readers_language(make, db_session, enqueue, run_jobs, client):
    a, b = make.team("almaty"), make.team("almaty")
    _silent(db_session, a, b)
    make.task(None, needs_hq=True, offer_attempts=3, title="Masks to clinic 4")
    _scan(enqueue, run_jobs)
    ru, kk, en = make.account("hq"), make.account("hq"), make.account("hq")
    ru.user.locale, kk.user.locale = "ru", "kk"
    # A row from before texts were data (0010) still shows its English.
    db_session.add(
        Alert(
            key="hq_silent:old",
            kind="hq_silent",
            severity="high",
            subject_type="hq",
            subject_id=1,
            message="Old HQ has not reported since 2026-11-23 08:00.",
            raised_at=now(),
        )
    )
    db_session.commit()

    def message(account, kind):
        return next(x["message"] for x in _feed(client, account, f"?kind={kind}"))

    names = f"{a.name}, {b.name}" if a.name < b.name else f"{b.name}, {a.name}"
    assert message(en, "team_stale").endswith(f"on-duty teams whose phone is silent (2): {names}.")
    assert message(ru, "team_stale").endswith(f"бригады на смене без связи (2): {names}.")
    assert message(kk, "team_stale").endswith(f"байланыссыз кезекші топтар (2): {names}.")
    assert message(ru, "offer_expired").endswith("Masks to clinic 4. Предложено раз: 3; ни одна бригада не взяла.")
    assert message(kk, "offer_expired").endswith("Masks to clinic 4. 3 рет ұсынылды; ешбір топ алмады.")
    assert message(ru, "hq_silent") == "Old HQ has not reported since 2026-11-23 08:00."
    [stale] = _feed(client, ru, "?kind=team_stale")
    assert stale["content"]["msgid"].startswith("%(hq)s: on-duty teams")  # the data the browser renders
    page = client.get("/hq", headers=kk.auth).get_data(as_text=True)
    assert "байланыссыз кезекші топтар (2)" in page and "Байланыссыз топтар" in page  # feed and filter
