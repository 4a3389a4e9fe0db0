"""Times a person reads are in BIRLIK_TIMEZONE (Asia/Almaty by default),
while the database keeps UTC: a hold stored as 03:26 UTC reads 08:26 in
Almaty and 03:26 when the operation runs on UTC; the footer names the zone."""

from datetime import datetime, timedelta

import pytest

from coordinator.common.clock import now

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
