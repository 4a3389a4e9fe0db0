"""The situation report page: today's figures by region, 30-day series, scope."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from coordinator.common.clock import now


def _page(client, account, query=""):
    return client.get(f"/sitrep{query}", headers=account.auth)


def test_today_by_region_counts_what_happened(client, make, db_session, run_jobs, parse_html):
    make.facility("almaty", beds={"standard": 10})
    make.facility("pavlodar", beds={"standard": 7})
    w = make.warehouse("almaty")
    make.stock(w, "FFP2 respirator", on_hand=50, per_day=10)
    make.case("almaty", due_in_minutes=-10)
    old = make.case("almaty", due_in_minutes=600)
    old.created_at = now() - timedelta(days=3)
    db_session.commit()
    hq = make.account("hq")
    client.post(
        "/api/v1/placements", json={"head_count": 4, "contact_phone": "+7 700", "origin": "Almaty"}, headers=hq.auth
    )
    run_jobs()

    resp = _page(client, hq)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    almaty = make.region("almaty")
    row = re.search(rf'<tr data-region="{almaty.id}">(.*?)</tr>', html, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
    # region, beds, free, occupied, placed, checked in, released, stock, cover,
    # open, opened, closed, breached, deliveries
    assert cells[1:7] == ["10", "6", "0", "1", "0", "0"]
    assert cells[7] == "50" and cells[8].startswith("5.0")
    assert cells[9:13] == ["2", "1", "0", "1"]
    history = parse_html(html).json("sitrep-data")
    today_in_almaty = datetime.now(ZoneInfo("Asia/Almaty")).date()  # BIRLIK_TIMEZONE's default
    assert len(history["days"]) == 30 and history["days"][-1] == today_in_almaty.isoformat()
    assert history["stock"]["FFP2 respirator"][-1] == 50
    # A month ago nothing had been received; between the receipt (15 days ago) and
    # the first of the 14 daily issues the whole receipt was on hand.
    assert history["stock"]["FFP2 respirator"][0] == 0
    assert max(history["stock"]["FFP2 respirator"]) == 50 + 14 * 10
    assert sum(history["cases"]["no_ppe"]) == 2
    assert "@media print" in client.get("/static/css/app.css").get_data(as_text=True)


def test_regional_sitrep_shows_only_its_region(client, make):
    make.facility("almaty")
    make.facility("pavlodar")
    regional = make.account("hq", region_id=make.region("almaty").id)
    html = _page(client, regional).get_data(as_text=True)
    assert html.count("<tr data-region=") == 1
    assert f'data-region="{make.region("almaty").id}"' in html
    assert _page(client, regional, f"?region_id={make.region('pavlodar').id}").status_code == 403
    assert "/api/v1/map/export/cases.csv" in html


def test_bad_region_gets_a_clear_message(client, make):
    hq = make.account("hq")
    resp = _page(client, hq, "?region_id=abc")
    assert resp.status_code == 422 and "Unknown region" in resp.get_data(as_text=True)
    resp = _page(client, hq, "?region_id=99999")
    assert resp.status_code == 422 and "Unknown region" in resp.get_data(as_text=True)
    assert _page(client, make.account("field")).status_code == 403
