"""Housing pages render real data for the roles that use them."""

from datetime import timedelta

from sqlalchemy import select

from coordinator import localtime
from coordinator.housing.models import OccupancyDay, PlacementRequest


def test_hq_facilities_and_placements_pages(client, make, hq, login, parse_html):
    facility = make.facility("almaty", beds={"standard": 7})
    facility_name = facility.name
    assigned = make.placement(facility, head_count=2)
    waiting = make.placement(None, head_count=5, status="waiting", wait_reason="No <b>beds</b> yet")
    login(hq)
    listing = client.get("/hq/facilities").get_data(as_text=True)
    assert facility_name in listing and "Import from CSV" in listing
    html = client.get("/hq/placements").get_data(as_text=True)
    assert "No &lt;b&gt;beds&lt;/b&gt; yet" in html
    assert 'id="board-waiting"' in html and 'id="board-assigned"' in html
    # Each group sits in the column of its status, and only there.
    board = parse_html(html)
    columns = [i for i in board.ids() if i.startswith("board-")]
    assert columns == ["board-waiting", "board-requested", "board-assigned", "board-in_transit", "board-checked_in"]
    groups = {c: [i for i in board.inside(c) if i.startswith("placement-")] for c in columns}
    assert groups == {
        "board-waiting": [f"placement-{waiting.id}"],
        "board-requested": [],
        "board-assigned": [f"placement-{assigned.id}"],
        "board-in_transit": [],
        "board-checked_in": [],
    }
    assert "No <b>beds</b> yet" in board.text(f"placement-{waiting.id}")  # shown as text, not markup
    assert f"→ {facility_name}" in board.text(f"placement-{assigned.id}")

    resp = client.get("/hq/placements?status=waiting")
    assert resp.status_code == 200
    only_waiting = parse_html(resp.get_data(as_text=True))
    assert [i for i in only_waiting.ids() if i.startswith("board-")] == ["board-waiting"]
    assert [i for i in only_waiting.ids() if i.startswith("placement-")] == [f"placement-{waiting.id}"]


def test_facility_page_shows_history_and_forecast(
    app, client, make, hq, api, run_jobs, enqueue, db_session, login, parse_html
):
    facility = make.facility("almaty", beds={"standard": 7})
    group = make.placement(facility, head_count=2, quarantine_days=5)
    elsewhere = make.placement(make.facility("almaty", beds={"standard": 7}), head_count=3, quarantine_days=3)
    api("post", f"/placements/{group.id}/check-in", json={"count": 2})
    api("post", f"/placements/{elsewhere.id}/check-in", json={"count": 3})
    enqueue("snapshot_occupancy")
    run_jobs()
    day = db_session.scalar(select(OccupancyDay).where(OccupancyDay.facility_id == facility.id))
    assert (day.total, day.occupied) == (7, 2)
    _, occupancy = api("get", f"/facilities/{facility.id}/occupancy")
    assert occupancy["history"][-1]["occupied"] == 2
    assert len(occupancy["forecast"]) == 14
    assert occupancy["forecast"][-1]["occupied"] == 0
    assert sum(d["releases"] for d in occupancy["forecast"]) == 2

    # Today's reading, then the two people leave on day 5 of the forecast (the
    # other facility's group leaves on day 3 and is not counted here).
    db_session.expire_all()
    # Days are the operation's local days (after 19:00 UTC, Almaty is on tomorrow).
    with app.app_context():
        release_day = localtime.to_local(db_session.get(PlacementRequest, group.id).release_due_at).date()
    assert release_day == day.day + timedelta(days=5)
    expected = {
        "history": [{"day": day.day.isoformat(), "total": 7, "out_of_service": 0, "held": 0, "occupied": 2}],
        "forecast": [
            {
                "day": (day.day + timedelta(days=n)).isoformat(),
                "releases": 2 if n == 5 else 0,
                "occupied": 2 if n < 5 else 0,
            }
            for n in range(1, 15)
        ],
    }
    assert occupancy == expected

    login(hq)
    html = client.get(f"/facilities/{facility.id}").get_data(as_text=True)
    assert "history-chart" in html and "forecast-chart" in html
    # The charts draw what the page embeds (static/js/occupancy.js).
    assert parse_html(html).json("occupancy-data") == expected


def test_manager_phone_page_lists_arrivals_and_occupants(client, make, db_session, login, parse_html):
    facility = make.facility("almaty", beds={"standard": 7})
    manager = make.account("facility_manager")
    manager.user.facilities = [facility]
    db_session.commit()
    group = make.placement(facility, head_count=3, names=["Aigerim <x>"])
    make.placement(make.facility("almaty"), head_count=4)  # another manager's arrival
    login(manager)
    html = client.get("/").get_data(as_text=True)
    assert f'id="placement-{group.id}"' in html
    assert "Aigerim &lt;x&gt;" in html
    assert "Nobody is checked in." in html
    page = parse_html(html)
    assert [i for i in page.ids() if i.startswith("placement-")] == [f"placement-{group.id}"]
    assert f"placement-{group.id}" in page.inside(f"facility-{facility.id}")
    arrival = page.text(f"placement-{group.id}")
    assert "3 people" in arrival and "Aigerim <x>" in arrival and "Check in" in arrival


def test_hq_sets_facility_managers(api, make, db_session):
    facility = make.facility("almaty", beds={"standard": 7})
    manager = make.account("facility_manager")
    status, body = api("put", f"/facilities/{facility.id}/managers", json={"usernames": [manager.user.username]})
    assert status == 200 and body["managers"] == [manager.user.username]
    listed = api("get", "/facilities", manager)[1]
    assert [f["id"] for f in listed] == [facility.id]
    status, body = api("put", f"/facilities/{facility.id}/managers", json={"usernames": ["nobody", "hq-x"]})
    assert status == 422 and "Unknown users" in body["message"]
    not_manager = make.account("field")
    status, body = api("put", f"/facilities/{facility.id}/managers", json={"usernames": [not_manager.user.username]})
    assert status == 422 and "Not facility managers" in body["message"]
