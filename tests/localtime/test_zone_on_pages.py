"""Times a person reads are in BIRLIK_TIMEZONE (Asia/Almaty by default),
while the database keeps UTC: a hold stored as 03:26 UTC reads 08:26 in
Almaty and 03:26 when the operation runs on UTC; the footer names the zone."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coordinator.common.clock import iso_utc, now

# Tomorrow, so the hold is still running and the group is still arriving.
HOLD_UTC = datetime.combine((now() + timedelta(days=1)).date(), datetime.min.time()).replace(hour=3, minute=26)


@pytest.fixture(params=[("Asia/Almaty", "08:26", "UTC+5"), ("UTC", "03:26", "UTC")], ids=["almaty", "utc"])
def zone(request):
    return request.param


@pytest.fixture
def config(config, zone):
    return {**config, "TIMEZONE": zone[0]}


def test_the_manager_reads_the_hold_in_the_configured_zone(client, make, db_session, login, parse_html, zone):
    _, shown, offset = zone
    facility = make.facility("almaty", beds={"standard": 7})
    manager = make.account("facility_manager")
    manager.user.facilities = [facility]
    db_session.commit()
    group = make.placement(facility, head_count=3, hold_expires_at=HOLD_UTC)
    login(manager)
    page = parse_html(client.get("/").get_data(as_text=True))
    assert f"hold until {shown}" in page.text(f"placement-{group.id}")
    city = "Almaty" if offset != "UTC" else "UTC"
    assert page.text("zone-note") == f"Times are {city} time ({offset})."


def test_an_sla_alert_names_its_due_time_in_the_zone_and_keeps_utc_in_its_data(
    client, make, db_session, enqueue, run_jobs, zone
):
    """The alert's text is composed when read: its due time shows in the
    operation's zone, while the stored parameter keeps UTC with its offset."""
    case = make.case("almaty", due_in_minutes=-5)
    due = case.sla_due_at
    hq = make.account("hq")
    enqueue("scan_alerts")
    run_jobs()
    alerts = client.get("/api/v1/alerts?kind=sla_breach", headers=hq.auth).get_json()
    [alert] = [a for a in alerts if a["subject_id"] == case.id]
    local = due.replace(tzinfo=UTC).astimezone(ZoneInfo(zone[0]))
    assert f"{local:%H:%M}" in alert["message"], alert["message"]
    assert alert["content"]["params"]["due"] == {"time": iso_utc(due)}
