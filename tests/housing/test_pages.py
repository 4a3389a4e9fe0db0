"""Housing pages render real data for the roles that use them."""

from sqlalchemy import select

from coordinator.housing.models import OccupancyDay
from workers.jobs import snapshot_occupancy


def test_hq_facilities_and_placements_pages(client, make, hq, login):
    facility = make.facility("almaty", beds={"standard": 7})
    facility_name = facility.name
    make.placement(facility, head_count=2)
    make.placement(None, head_count=5, status="waiting", wait_reason="No <b>beds</b> yet")
    login(hq)
    listing = client.get("/hq/facilities").get_data(as_text=True)
    assert facility_name in listing and "Import from CSV" in listing
    board = client.get("/hq/placements").get_data(as_text=True)
    assert "No &lt;b&gt;beds&lt;/b&gt; yet" in board
    assert 'id="board-waiting"' in board and 'id="board-assigned"' in board
    assert client.get("/hq/placements?status=waiting").status_code == 200


def test_facility_page_shows_history_and_forecast(client, make, hq, api, run_jobs, enqueue, db_session, login):
    facility = make.facility("almaty", beds={"standard": 7})
    group = make.placement(facility, head_count=2)
    api("post", f"/placements/{group.id}/check-in", json={"count": 2})
    enqueue(snapshot_occupancy)
    run_jobs()
    day = db_session.scalar(select(OccupancyDay).where(OccupancyDay.facility_id == facility.id))
    assert (day.total, day.occupied) == (7, 2)
    _, occupancy = api("get", f"/facilities/{facility.id}/occupancy")
    assert occupancy["history"][-1]["occupied"] == 2
    assert len(occupancy["forecast"]) == 14
    assert occupancy["forecast"][-1]["occupied"] == 0
    assert sum(d["releases"] for d in occupancy["forecast"]) == 2
    login(hq)
    page = client.get(f"/facilities/{facility.id}").get_data(as_text=True)
    assert "history-chart" in page and "forecast-chart" in page


def test_manager_phone_page_lists_arrivals_and_occupants(client, make, db_session, login):
    facility = make.facility("almaty", beds={"standard": 7})
    manager = make.account("facility_manager")
    manager.user.facilities = [facility]
    db_session.commit()
    group = make.placement(facility, head_count=3, names=["Aigerim <x>"])
    login(manager)
    page = client.get("/").get_data(as_text=True)
    assert f'id="placement-{group.id}"' in page
    assert "Aigerim &lt;x&gt;" in page
    assert "Nobody is checked in." in page


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
