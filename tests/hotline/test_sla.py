"""Must show 2: SLA clocks with a controlled clock (CLOCK_OFFSET_SECONDS).
Each clock warns at 75 % of its budget and escalates at breach (regional HQ
-> national HQ) with an event and an alert, once per stage; a pause stops
only the resolution clock; a case resolved in time raises nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from coordinator.events.models import Event
from coordinator.hotline.models import Case, CaseClock


@pytest.fixture
def clock(app, enqueue, run_jobs):
    """Move the application clock to `minutes` after the start, then run the SLA and alert scans."""

    def move(minutes: float) -> None:
        app.config["CLOCK_OFFSET_SECONDS"] = int(minutes * 60)
        enqueue("scan_sla")
        enqueue("scan_alerts")
        run_jobs()

    return move


def _events(db_session, case_id: int, kind: str) -> list[dict]:
    db_session.expire_all()
    rows = db_session.scalars(
        select(Event)
        .where(Event.subject_type == "case", Event.subject_id == case_id, Event.type == kind)
        .order_by(Event.id)
    )
    return [e.after for e in rows]


def _alerts(client, account, case_id: int) -> set[str]:
    return {
        a["kind"] for a in client.get("/api/v1/alerts", headers=account.auth).get_json() if a["subject_id"] == case_id
    }


def test_warning_at_75_percent_and_escalation_at_breach_per_stage(
    file_report, api, operator, make, clock, client, db_session
):
    national = make.account("hq")
    regional = make.account("hq", region_id=make.region("almaty").id)
    case = file_report(severity="critical", lat=43.25, lon=76.95)[
        "case_id"
    ]  # triage 1 h, assignment 4 h, resolution 72 h

    clock(44)  # 73 % of the triage hour
    assert _events(db_session, case, "case.sla_warning") == [] and _alerts(client, regional, case) == set()
    clock(46)  # past 75 %
    [warning] = _events(db_session, case, "case.sla_warning")
    assert warning["stage"] == "triage" and warning["escalated_to"] == "region"
    assert _alerts(client, regional, case) == {"sla_warning"}
    assert api("get", f"/hotline/cases/{case}", operator)[1]["sla"] == "due_soon"
    clock(47)
    assert len(_events(db_session, case, "case.sla_warning")) == 1  # once per clock

    clock(61)  # the triage hour has run out
    [breach] = _events(db_session, case, "case.sla_breached")
    assert breach["stage"] == "triage" and breach["escalated_to"] == "national" and breach["escalated_national"]
    assert _alerts(client, national, case) == {"sla_breach"} and _alerts(client, regional, case) == {"sla_breach"}
    assert db_session.get(Case, case).escalated_national is True

    # Triaged late: the assignment clock (4 h) starts now and has its own warning and breach.
    status, _ = api("post", f"/hotline/cases/{case}/triage", operator, json={})
    assert status == 200
    clock(61 + 0.75 * 240 + 1)
    assert [w["stage"] for w in _events(db_session, case, "case.sla_warning")] == ["triage", "assignment"]
    clock(61 + 240 + 1)
    assert [b["stage"] for b in _events(db_session, case, "case.sla_breached")] == ["triage", "assignment"]

    # Inspection assigned: only the resolution clock (72 h from opening) is left.
    make.team("almaty", can_inspect=True)
    assert api("post", f"/hotline/cases/{case}/inspection", operator)[0] == 201
    clock(72 * 60 * 0.75 + 1)
    assert [w["stage"] for w in _events(db_session, case, "case.sla_warning")] == ["triage", "assignment", "resolution"]
    clock(72 * 60 + 1)
    assert [b["stage"] for b in _events(db_session, case, "case.sla_breached")] == [
        "triage",
        "assignment",
        "resolution",
    ]

    # The breach dashboard shows which stages breached.
    figures = api("get", "/hotline/breaches", national)[1]
    assert figures["breached_stages"] == {"triage": 1, "assignment": 1, "resolution": 1}
    assert figures["by_state"] == {"breached": 1}
    assert figures["by_stage"] == {"inspection_assigned": {"breached": 1}}
    html = client.get("/hotline/breaches", headers=national.auth).get_data(as_text=True)
    assert 'data-breached-stage="assignment">1<' in html


def test_a_pause_stops_only_the_resolution_clock(file_report, api, operator, clock, db_session):
    case = file_report(severity="normal")["case_id"]  # triage 12 h, resolution 14 d
    status, body = api(
        "post",
        f"/hotline/cases/{case}/pause",
        operator,
        json={"waiting_on": "employer", "reason": "Payroll records asked for"},
    )
    assert status == 200 and body["paused"] and body["waiting_on"] == "employer"
    clock(13 * 60)  # the triage clock kept running through the pause and ran out
    assert [b["stage"] for b in _events(db_session, case, "case.sla_breached")] == ["triage"]
    api("post", f"/hotline/cases/{case}/triage", operator, json={})
    status, body = api("post", f"/hotline/cases/{case}/update", operator, json={})
    clock(100 * 60)
    clocks = {c["stage"]: c for c in api("get", f"/hotline/cases/{case}", operator)[1]["clocks"]}
    assert clocks["resolution"]["state"] == "paused" and clocks["resolution"]["warned_at"] is None
    assert clocks["assignment"]["state"] == "breached"  # 72 h ran out meanwhile: it does not pause

    status, body = api("post", f"/hotline/cases/{case}/resume", operator)
    assert status == 200 and not body["paused"]
    db_session.expire_all()
    resolution = db_session.scalars(
        select(CaseClock).where(CaseClock.case_id == case, CaseClock.stage == "resolution")
    ).one()
    # Due later by the paused time (100 h, give or take the test's own seconds).
    later = resolution.due_at - resolution.started_at - timedelta(hours=14 * 24 + 100)
    assert abs(later.total_seconds()) < 10
    assert abs(resolution.paused_seconds - 100 * 3600) < 10
    clock(14 * 24 * 60 + 60)  # 14 days and an hour: without the pause this would be a breach
    assert [b["stage"] for b in _events(db_session, case, "case.sla_breached")] == ["triage", "assignment"]
    clock(14 * 24 * 60 + 100 * 60 + 1)
    assert [b["stage"] for b in _events(db_session, case, "case.sla_breached")] == [
        "triage",
        "assignment",
        "resolution",
    ]


def test_no_escalation_for_a_case_resolved_in_time(file_report, api, operator, make, clock, client, db_session):
    national = make.account("hq")
    case = file_report(severity="critical")["case_id"]
    clock(30)
    api("post", f"/hotline/cases/{case}/triage", operator, json={})
    clock(120)
    status, _ = api(
        "post", f"/hotline/cases/{case}/resolve", operator, json={"resolution": "PPE handed out the same day."}
    )
    assert status == 200
    clock(100 * 60)  # long past every budget
    assert _events(db_session, case, "case.sla_warning") == [] and _events(db_session, case, "case.sla_breached") == []
    assert _alerts(client, national, case) == set()
    assert db_session.get(Case, case).escalated_national is False
    clocks = api("get", f"/hotline/cases/{case}", operator)[1]["clocks"]
    assert {c["state"] for c in clocks} == {"met"}


def test_budgets_are_settings(file_report, app, api, operator):
    app.config["SLA_TRIAGE_HOURS"] = "0.5,2,6"  # as BIRLIK_SLA_TRIAGE_HOURS would give it
    case = file_report(severity="high")["case_id"]
    clocks = {c["stage"]: c for c in api("get", f"/hotline/cases/{case}", operator)[1]["clocks"]}
    assert clocks["triage"]["budget_minutes"] == 120 and clocks["resolution"]["budget_minutes"] == 168 * 60
    status, body = api("post", f"/hotline/cases/{case}/update", operator, json={"severity": "critical"})
    clocks = {c["stage"]: c for c in api("get", f"/hotline/cases/{case}", operator)[1]["clocks"]}
    assert clocks["triage"]["budget_minutes"] == 30 and clocks["resolution"]["budget_minutes"] == 72 * 60
