"""A placement's whole life, through the API and real jobs."""

from sqlalchemy import select

from coordinator.field.models import Task

GROUP = {"contact_phone": "+7 701 555 12 12", "origin": "Алматы"}


def test_request_is_placed_checked_in_and_released(api, run_jobs, facility_via_api, bed_counts):
    facility = facility_via_api({"standard": 10})
    status, p = api("post", "/placements", json={**GROUP, "head_count": 4, "names": ["Aigerim", "Dauren"]})
    assert status == 201 and p["status"] == "requested"
    run_jobs()
    _, p = api("get", f"/placements/{p['id']}")
    assert p["status"] == "assigned" and p["facility_id"] == facility["id"]
    assert p["decision"]["distance_km"] < 20
    assert bed_counts(facility["id"]) == {"total": 10, "held": 4, "occupied": 0, "free": 6}

    assert api("post", f"/placements/{p['id']}/transit")[0] == 200
    status, p = api("post", f"/placements/{p['id']}/check-in", json={"count": 3})
    assert status == 200 and p["checked_in_count"] == 3 and p["release_due_at"]
    assert bed_counts(facility["id"]) == {"total": 10, "held": 0, "occupied": 3, "free": 7}

    status, p = api("post", f"/placements/{p['id']}/release", json={"count": 1})
    assert p["status"] == "checked_in" and p["checked_in_count"] == 2
    status, p = api("post", f"/placements/{p['id']}/release", json={})
    assert status == 200 and p["status"] == "released"
    assert bed_counts(facility["id"])["occupied"] == 0

    _, detail = api("get", f"/placements/{p['id']}")
    steps = [t["type"] for t in detail["timeline"]]
    assert steps == [
        "placement.requested",
        "placement.assigned",
        "placement.in_transit",
        "placement.checked_in",
        "placement.checked_out",
        "placement.released",
    ]


def test_unconfirmed_hold_expires_and_a_waiting_group_takes_the_beds(
    api, run_jobs, enqueue, facility_via_api, bed_counts, time_passes
):
    facility = facility_via_api({"standard": 3})
    _, first = api("post", "/placements", json={**GROUP, "head_count": 3})
    run_jobs()  # placed on its own; posted together, a batch would give the beds to the more urgent group
    _, second = api("post", "/placements", json={**GROUP, "head_count": 2, "priority": 1})
    run_jobs()
    first, second = api("get", f"/placements/{first['id']}")[1], api("get", f"/placements/{second['id']}")[1]
    assert first["status"] == "assigned"
    assert second["status"] == "waiting" and "free" in second["wait_reason"]

    time_passes(first["id"])
    enqueue("expire_holds")
    run_jobs()
    assert api("get", f"/placements/{first['id']}")[1]["status"] == "expired"
    assert api("get", f"/placements/{second['id']}")[1]["status"] == "assigned"
    assert bed_counts(facility["id"]) == {"total": 3, "held": 2, "occupied": 0, "free": 1}


def test_waiting_group_is_placed_when_a_group_checks_out(api, run_jobs, facility_via_api):
    facility_via_api({"standard": 2})
    _, first = api("post", "/placements", json={**GROUP, "head_count": 2})
    run_jobs()
    _, second = api("post", "/placements", json={**GROUP, "head_count": 2})
    run_jobs()
    assert api("get", f"/placements/{second['id']}")[1]["status"] == "waiting"
    api("post", f"/placements/{first['id']}/check-in", json={"count": 2})
    api("post", f"/placements/{first['id']}/release", json={})
    run_jobs()
    assert api("get", f"/placements/{second['id']}")[1]["status"] == "assigned"


def test_raising_capacity_places_waiting_groups(api, run_jobs, facility_via_api):
    facility = facility_via_api({"isolation": 1}, has_medical_staff=True)
    _, p = api("post", "/placements", json={**GROUP, "head_count": 3, "needs_isolation": True})
    run_jobs()
    waiting = api("get", f"/placements/{p['id']}")[1]
    assert waiting["status"] == "waiting" and "isolation" in waiting["wait_reason"]
    status, _ = api("put", f"/facilities/{facility['id']}/beds/isolation", json={"total": 5})
    assert status == 200
    run_jobs()
    placed = api("get", f"/placements/{p['id']}")[1]
    assert placed["status"] == "assigned" and placed["bed_category"] == "isolation"


def test_nearest_suitable_facility_wins_and_the_passed_over_are_explained(api, run_jobs, facility_via_api):
    near_closed = facility_via_api({"standard": 50}, settlement="Almaty", status="closed")
    near_no_medic = facility_via_api({"standard": 50}, settlement="Talghar")
    near_no_beds = facility_via_api({}, settlement="Talghar", has_medical_staff=True)
    far = facility_via_api({"standard": 50}, settlement="Taraz", has_medical_staff=True)
    _, p = api("post", "/placements", json={**GROUP, "head_count": 5, "needs_medical": True})
    run_jobs()
    placed = api("get", f"/placements/{p['id']}")[1]
    assert placed["facility_id"] == far["id"]
    passed = {x["facility_id"]: x["reason"] for x in placed["decision"]["passed_over"]}
    assert passed[near_closed["id"]] == "closed"
    assert passed[near_no_medic["id"]] == "no medical staff on site"
    assert passed[near_no_beds["id"]] == "not enough free standard or shared beds"
    assert 400 < placed["decision"]["distance_km"] < 500


def test_group_too_big_waits_until_hq_allows_a_split(api, run_jobs, facility_via_api, bed_counts):
    a = facility_via_api({"standard": 6}, settlement="Almaty")
    b = facility_via_api({"standard": 4}, settlement="Talghar")
    _, p = api("post", "/placements", json={**GROUP, "head_count": 12})
    run_jobs()
    waiting = api("get", f"/placements/{p['id']}")[1]
    assert waiting["status"] == "waiting" and "larger than any suitable facility" in waiting["wait_reason"]
    status, parts = api("post", f"/placements/{p['id']}/split")
    assert status == 200
    assert sorted((x["status"], x["head_count"]) for x in parts) == [("assigned", 4), ("assigned", 6), ("waiting", 2)]
    assert bed_counts(a["id"])["free"] == 0 and bed_counts(b["id"])["free"] == 0
    assert api("get", f"/placements/{p['id']}")[1]["status"] == "split"


def test_hq_moves_a_group_to_another_facility(api, run_jobs, facility_via_api, bed_counts):
    first = facility_via_api({"standard": 5}, settlement="Almaty")
    other = facility_via_api({"standard": 5}, settlement="Talghar")
    _, p = api("post", "/placements", json={**GROUP, "head_count": 3})
    run_jobs()
    status, moved = api("post", f"/placements/{p['id']}/move", json={"facility_id": other["id"]})
    assert status == 200 and moved["facility_id"] == other["id"]
    assert moved["decision"]["override"]["from_facility_id"] == first["id"]
    assert bed_counts(first["id"])["held"] == 0 and bed_counts(other["id"])["held"] == 3


def test_group_needing_transport_gets_a_transfer_task(api, run_jobs, facility_via_api, db_session):
    facility_via_api({"standard": 5})
    _, p = api("post", "/placements", json={**GROUP, "head_count": 2, "needs_transport": True})
    run_jobs()
    task = db_session.scalar(select(Task).where(Task.source_type == "placement", Task.source_id == p["id"]))
    assert task is not None and task.kind == "transfer" and task.status == "created"
    assert task.dest_lat is not None
