"""Re-optimising holds nobody has confirmed yet: a group sent far because the
near beds were taken moves, once, when beds free up much nearer; never after
a pick-up, a team's accept, a move before, for a small saving, or into beds
that do not fit it. Everything goes through the API and real jobs; the
manager of the facility it left and HQ read why."""

import pytest
from sqlalchemy import func, select

from coordinator.events.models import Event
from coordinator.field.models import Task
from coordinator.housing.models import Facility, PlacementRequest

GROUP = {"contact_phone": "+7 701 555 12 12", "origin": "Almaty"}


@pytest.fixture
def far_group(api, run_jobs, facility_via_api):
    """A near facility (Almaty) full with a checked-in group, and a group from
    Almaty sent far (to Taraz, ~470 km) because of it; returns a helper that
    checks the near group out (its beds free up) and runs the jobs."""

    def setup(group: dict | None = None, near_beds: dict | None = None, far_settlement: str = "Taraz", **near):
        near_facility = facility_via_api(near_beds or {"standard": 4}, settlement="Almaty", **near)
        far_facility = facility_via_api(
            {"standard": 10, "isolation": 10}, settlement=far_settlement, has_medical_staff=True
        )
        _, occupant = api("post", "/placements", json={**GROUP, "head_count": 4})
        run_jobs()
        occupant = api("get", f"/placements/{occupant['id']}")[1]
        assert occupant["facility_id"] == near_facility["id"]
        assert api("post", f"/placements/{occupant['id']}/check-in", json={"count": 4})[0] == 200
        _, p = api("post", "/placements", json={**GROUP, "head_count": 3, **(group or {})})
        run_jobs()
        p = api("get", f"/placements/{p['id']}")[1]
        assert p["status"] == "assigned" and p["facility_id"] == far_facility["id"], p

        def free_near() -> None:
            assert api("post", f"/placements/{occupant['id']}/release", json={})[0] == 200
            run_jobs()

        return near_facility, far_facility, p, free_near

    return setup


def test_unconfirmed_far_group_moves_to_the_facility_that_freed_beds(
    api, hq, far_group, bed_counts, make, db_session, client, login, parse_html
):
    near, far, p, free_near = far_group()
    free_near()

    _, moved = api("get", f"/placements/{p['id']}")
    assert moved["status"] == "assigned" and moved["facility_id"] == near["id"]
    assert moved["moved_from_id"] == far["id"] and moved["moved_at"]
    why = moved["decision"]["reoptimised"]
    assert why["from_facility_id"] == far["id"] and why["to_facility_id"] == near["id"]
    assert why["from_km"] > 400 and why["to_km"] < 20 and why["saved_km"] > 380
    assert moved["moved_text"].startswith(f"Moved from {far['name']} to {near['name']}: ")
    assert "(a nearer facility freed beds)" in moved["moved_text"]
    assert [t["type"] for t in moved["timeline"]][-1] == "placement.reoptimised"
    # Exact beds: the far hold returned, the near one taken.
    assert bed_counts(far["id"]) == {"total": 10, "held": 0, "occupied": 0, "free": 10}
    assert bed_counts(near["id"]) == {"total": 4, "held": 3, "occupied": 0, "free": 1}

    # In Russian, for a reader who asks for it.
    ru = client.get(f"/api/v1/placements/{p['id']}", headers={**hq.auth, "Accept-Language": "ru"}).get_json()
    assert ru["moved_text"].startswith(f"Переведены: {far['name']} → {near['name']}, ")

    # HQ: the event says why, and the board shows it.
    events = api("get", "/events?after=0")[1]["events"]
    event = next(e for e in events if e["type"] == "placement.reoptimised")
    assert event["subject_id"] == p["id"] and event["after"]["reason"]["msgid"].startswith("Moved from")
    assert event["after"]["from_facility_id"] == far["id"] and event["after"]["saved_km"] > 380

    # The far facility's manager: the event reaches its room, and its pages say where the group went and why.
    manager = make.account("facility_manager")
    manager.user.facilities = [db_session.get(Facility, far["id"])]
    db_session.commit()
    seen = api("get", "/events?after=0", account=manager)[1]["events"]
    assert any(e["type"] == "placement.reoptimised" and e["subject_id"] == p["id"] for e in seen)
    login(manager)
    for page in ("/", f"/facilities/{far['id']}"):
        html = parse_html(client.get(page, follow_redirects=True).get_data(as_text=True))
        assert f"moved-{p['id']}" in html.ids(), page
        assert f"Moved from {far['name']} to {near['name']}" in html.text(f"moved-{p['id']}")

    login(hq)
    board = parse_html(client.get("/hq/placements").get_data(as_text=True))
    assert f"Moved from {far['name']} to {near['name']}" in board.text(f"placement-{p['id']}")


def test_a_second_run_moves_nothing_and_the_group_never_moves_twice(
    api, far_group, enqueue, run_jobs, bed_counts, facility_via_api, db_session
):
    near, far, p, free_near = far_group()
    free_near()
    assert api("get", f"/placements/{p['id']}")[1]["facility_id"] == near["id"]
    enqueue("reoptimise_holds", near["id"])  # the job again: idempotent
    # Beds free up even nearer (in Almaty too): the group was moved once already.
    nearer = facility_via_api({"standard": 10}, settlement="Almaty")
    enqueue("reoptimise_holds", nearer["id"])
    run_jobs()
    after = api("get", f"/placements/{p['id']}")[1]
    assert after["facility_id"] == near["id"]
    assert bed_counts(near["id"])["held"] == 3 and bed_counts(far["id"])["held"] == 0
    assert bed_counts(nearer["id"])["held"] == 0
    moves = db_session.scalar(select(func.count(Event.id)).where(Event.type == "placement.reoptimised"))
    assert moves == 1


def test_not_moved_once_picked_up(api, far_group, bed_counts):
    near, far, p, free_near = far_group()
    assert api("post", f"/placements/{p['id']}/transit")[0] == 200  # picked up: the hold is confirmed
    free_near()
    after = api("get", f"/placements/{p['id']}")[1]
    assert after["status"] == "in_transit" and after["facility_id"] == far["id"] and after["moved_at"] is None
    assert bed_counts(far["id"])["held"] == 3 and bed_counts(near["id"])["held"] == 0


def test_not_moved_after_a_team_accepted_its_transfer(api, client, make, far_group, bed_counts, db_session):
    van = make.team("almaty", can_transfer=True, seats=8)
    crew = make.account("field", team_id=van.id)
    near, far, p, free_near = far_group({"needs_transport": True})
    task = client.get("/api/v1/tasks", headers=crew.auth).get_json()[0]
    assert task["kind"] == "transfer" and task["source_id"] == p["id"]
    assert client.post(f"/api/v1/tasks/{task['id']}/accept", json={}, headers=crew.auth).status_code == 200
    free_near()
    after = api("get", f"/placements/{p['id']}")[1]
    assert after["facility_id"] == far["id"] and after["moved_at"] is None
    assert bed_counts(far["id"])["held"] == 3 and bed_counts(near["id"])["held"] == 0
    db_session.expire_all()
    assert db_session.get(Task, task["id"]).status == "accepted"


def test_an_offered_transfer_is_closed_and_a_new_one_goes_to_the_new_facility(api, client, make, far_group, db_session):
    van = make.team("almaty", can_transfer=True, seats=8)
    crew = make.account("field", team_id=van.id)
    near, far, p, free_near = far_group({"needs_transport": True})
    offered = client.get("/api/v1/tasks", headers=crew.auth).get_json()[0]
    free_near()
    assert api("get", f"/placements/{p['id']}")[1]["facility_id"] == near["id"]
    db_session.expire_all()
    transfers = db_session.scalars(select(Task).where(Task.source_id == p["id"]).order_by(Task.id)).all()
    assert [t.status for t in transfers][0] == "cancelled" and transfers[0].id == offered["id"]
    assert transfers[0].status_reason["msgid"].startswith("The group was moved to")
    assert len(transfers) == 2 and transfers[1].details["facility_id"] == near["id"]


def test_not_moved_after_hq_moved_it(api, far_group, facility_via_api, bed_counts):
    near, far, p, free_near = far_group()
    other = facility_via_api({"standard": 10}, settlement="Shymkent")
    assert api("post", f"/placements/{p['id']}/move", json={"facility_id": other["id"]})[0] == 200
    free_near()
    after = api("get", f"/placements/{p['id']}")[1]
    assert after["facility_id"] == other["id"] and after["moved_from_id"] == far["id"]
    assert bed_counts(near["id"])["held"] == 0


def test_not_moved_for_a_small_saving(api, far_group, bed_counts):
    near, far, p, free_near = far_group(far_settlement="Talghar")  # about 25 km away: under 50 km saved
    free_near()
    assert api("get", f"/placements/{p['id']}")[1]["facility_id"] == far["id"]
    assert bed_counts(near["id"])["held"] == 0


def test_not_moved_when_needs_or_category_do_not_fit(api, far_group, bed_counts):
    # The near facility has no medical staff, and only standard beds.
    near, far, p, free_near = far_group({"needs_medical": True}, has_medical_staff=False)
    assert p["facility_id"] == far["id"]
    free_near()
    assert api("get", f"/placements/{p['id']}")[1]["facility_id"] == far["id"]
    assert bed_counts(near["id"])["held"] == 0


def test_not_moved_into_an_incompatible_bed_category(api, far_group, db_session):
    near, far, p, free_near = far_group({"needs_isolation": True}, has_medical_staff=True)
    assert p["bed_category"] == "isolation"
    free_near()  # only standard beds free up near
    assert api("get", f"/placements/{p['id']}")[1]["facility_id"] == far["id"]
    assert db_session.get(PlacementRequest, p["id"]).moved_at is None
