"""Bad housing input gets a clear 4xx and changes nothing."""

import pytest

GROUP = {"contact_phone": "+7 701 555 12 12", "origin": "Almaty"}


@pytest.mark.parametrize(
    ("beds", "field"),
    [({"total": -3}, "total"), ({"total": 900000}, "total"), ({"total": 5, "out_of_service": 9}, "out_of_service")],
)
def test_negative_or_absurd_bed_numbers(api, facility_via_api, bed_counts, beds, field):
    facility = facility_via_api({"standard": 10})
    status, body = api("put", f"/facilities/{facility['id']}/beds/standard", json=beds)
    assert status == 422 and field in str(body["errors"])
    assert bed_counts(facility["id"])["total"] == 10


def test_capacity_cannot_drop_below_held_plus_occupied(api, run_jobs, facility_via_api, bed_counts):
    facility = facility_via_api({"standard": 10})
    _, p = api("post", "/placements", json={**GROUP, "head_count": 6})
    run_jobs()
    status, body = api("put", f"/facilities/{facility['id']}/beds/standard", json={"total": 8, "out_of_service": 4})
    assert status == 422 and "at least 6 must stay in service" in body["message"]
    assert bed_counts(facility["id"]) == {"total": 10, "held": 6, "occupied": 0, "free": 4}


def test_unknown_settlement_and_foreign_coordinates(api, db_session):
    status, body = api("post", "/placements", json={**GROUP, "head_count": 2, "origin": "Gotham"})
    assert status == 422 and "Unknown settlement" in body["message"]
    status, body = api(
        "post", "/placements", json={"contact_phone": "+7 1", "head_count": 2, "origin_lat": 48.85, "origin_lon": 2.35}
    )
    assert status == 422 and "outside Kazakhstan" in body["message"]
    status, body = api("post", "/facilities", json={"name": "Abroad", "lat": 41.0, "lon": 29.0})
    assert status == 422
    assert api("get", "/placements")[1] == []


def test_check_in_of_more_people_than_assigned(api, run_jobs, facility_via_api, bed_counts):
    facility = facility_via_api({"standard": 10})
    _, p = api("post", "/placements", json={**GROUP, "head_count": 3})
    run_jobs()
    status, body = api("post", f"/placements/{p['id']}/check-in", json={"count": 4})
    assert status == 422 and "Between 1 and 3" in body["message"]
    assert bed_counts(facility["id"]) == {"total": 10, "held": 3, "occupied": 0, "free": 7}


def test_transition_not_allowed_from_the_current_state(api, run_jobs, facility_via_api):
    facility_via_api({"standard": 10})
    _, p = api("post", "/placements", json={**GROUP, "head_count": 2})
    run_jobs()
    api("post", f"/placements/{p['id']}/cancel")
    status, body = api("post", f"/placements/{p['id']}/check-in", json={"count": 2})
    assert status == 409 and "cancelled" in body["message"]
    status, body = api("post", f"/placements/{p['id']}/release", json={})
    assert status == 409


def test_group_of_absurd_size_is_refused(api):
    status, body = api("post", "/placements", json={**GROUP, "head_count": 10**6})
    assert status == 422 and "head_count" in body["errors"]
