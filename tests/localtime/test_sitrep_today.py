"""The situation report's "today" is the local day: in Almaty (UTC+5) it
begins at 19:00 UTC the evening before, so a group placed at 20:00 UTC on
the 23rd counts on the 24th; with the operation on UTC it does not."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import update

from coordinator.events.models import Event
from coordinator.hotline.models import Case

# The app's clock stands at 06:00 UTC today (11:00 in Almaty).
TODAY = datetime.now(UTC).date()
APP_NOW = datetime.combine(TODAY, time(6, 0))
EVENING_BEFORE = APP_NOW - timedelta(hours=10)  # 20:00 UTC yesterday: today in Almaty


@pytest.fixture(params=[("Asia/Almaty", 1), ("UTC", 0)], ids=["almaty", "utc"])
def zone(request):
    return request.param


@pytest.fixture
def config(config, zone):
    offset = (APP_NOW - datetime.now(UTC).replace(tzinfo=None)).total_seconds()
    return {**config, "TIMEZONE": zone[0], "CLOCK_OFFSET_SECONDS": offset}


def test_today_is_the_local_day(client, make, db_session, run_jobs, parse_html, zone):
    _, counted = zone
    make.facility("almaty", beds={"standard": 10})
    hq = make.account("hq")
    resp = client.post(
        "/api/v1/placements", json={"head_count": 4, "contact_phone": "+7 700", "origin": "Almaty"}, headers=hq.auth
    )
    assert resp.status_code == 201, resp.get_json()
    run_jobs()
    # The group was placed, and a case opened, at 20:00 UTC the evening before.
    placed = db_session.execute(
        update(Event).where(Event.type == "placement.assigned").values(created_at=EVENING_BEFORE)
    ).rowcount
    case = make.case("almaty")
    case.created_at = EVENING_BEFORE
    db_session.commit()
    assert placed == 1 and db_session.get(Case, case.id).created_at == EVENING_BEFORE

    html = client.get("/sitrep", headers=hq.auth).get_data(as_text=True)
    almaty = make.region("almaty")
    row = re.search(rf'<tr data-region="{almaty.id}">(.*?)</tr>', html, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
    assert cells[4] == str(counted)  # placed today
    assert cells[10] == str(counted)  # cases opened today
    # The heading and the charts' last day are the local date: the same day here.
    assert f'<small class="muted">{TODAY.isoformat()}</small>' in html
    history = parse_html(html).json("sitrep-data")
    assert history["days"][-1] == TODAY.isoformat()
    assert history["cases"]["no_ppe"][-2:] == ([0, 1] if counted else [1, 0])
