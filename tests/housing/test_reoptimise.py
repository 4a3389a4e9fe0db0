"""Re-optimising holds nobody has confirmed yet: a group sent far because the
near beds were taken moves, once, when beds free up much nearer; never after
a pick-up, a team's accept, a move before, for a small saving, or into beds
that do not fit it. Everything goes through the API and real jobs; the
manager of the facility it left and HQ read why."""

import pytest
from sqlalchemy import func, select

from coordinator.events.models import Event
from coordinator.field.models import Task
from coordinator.housing import jobs
from coordinator.housing.models import Facility, PlacementRequest
from coordinator.housing.reoptimise import T_MOVED

GROUP = {"contact_phone": "+7 701 555 12 12", "origin": "Almaty"}


@pytest.fixture
def far_groups(api, run_jobs, facility_via_api):
    """A near facility (Almaty, 6 standard beds) full with a checked-in group,
    a far one (Taraz, ~470 km, with medical staff), and groups from Almaty
    sent far because of it, each placed on its own. Returns the facilities,
    the groups and `free_near`, which checks the near group out (its beds free
    up) and, unless told not to, runs the jobs."""

    def setup(*groups: dict, far_settlement: str = "Taraz", **near):
        near_facility = facility_via_api({"standard": 6}, settlement="Almaty", **near)
        far_facility = facility_via_api(
            {"standard": 10, "isolation": 10}, settlement=far_settlement, has_medical_staff=True
        )
        _, occupant = api("post", "/placements", json={**GROUP, "head_count": 6})
        run_jobs()
        assert api("get", f"/placements/{occupant['id']}")[1]["facility_id"] == near_facility["id"]
        assert api("post", f"/placements/{occupant['id']}/check-in", json={"count": 6})[0] == 200
        placed = []
        for group in groups:
            _, p = api("post", "/placements", json={**GROUP, "head_count": 3, **group})
            run_jobs()
            placed.append(api("get", f"/placements/{p['id']}")[1])
            assert placed[-1]["status"] == "assigned" and placed[-1]["facility_id"] != near_facility["id"]

        def free_near(run: bool = True) -> None:
            assert api("post", f"/placements/{occupant['id']}/release", json={})[0] == 200
            if run:
                run_jobs()

        return near_facility, far_facility, placed, free_near

    return setup


def facility_of(api, p: dict) -> int:
    return api("get", f"/placements/{p['id']}")[1]["facility_id"]


def test_unconfirmed_far_group_moves_to_the_facility_that_freed_beds(
    api, hq, far_groups, bed_counts, make, db_session, client, login, parse_html
):
    near, far, (p,), free_near = far_groups({})
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
    assert bed_counts(near["id"]) == {"total": 6, "held": 3, "occupied": 0, "free": 3}

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

    # The near facility's manager sees an incoming hold as usual.
    near_manager = make.account("facility_manager")
    near_manager.user.facilities = [db_session.get(Facility, near["id"])]
    db_session.commit()
    login(near_manager)
    home = parse_html(client.get("/", follow_redirects=True).get_data(as_text=True))
    assert f"placement-{p['id']}" in home.inside(f"facility-{near['id']}")

    login(hq)
    board = parse_html(client.get("/hq/placements").get_data(as_text=True))
    assert f"Moved from {far['name']} to {near['name']}" in board.text(f"placement-{p['id']}")
    # HQ's live feed renders the event's reason in the reader's language (feed.js, Birlik.t).
    overview = client.get("/hq/overview", headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert parse_html(overview).json("texts")[T_MOVED].startswith("Ауыстырылды: %(old)s → %(new)s")
    assert '"placement.reoptimised"' in overview.replace("&#34;", '"')


def test_a_second_run_moves_nothing_and_the_group_never_moves_twice(
    api, far_groups, enqueue, run_jobs, bed_counts, facility_via_api, db_session
):
    near, far, (p,), free_near = far_groups({})
    free_near()
    assert facility_of(api, p) == near["id"]
    enqueue("reoptimise_holds", near["id"])  # the job again: idempotent
    # Beds free up even nearer (in Almaty too): the group was moved once already.
    nearer = facility_via_api({"standard": 10}, settlement="Almaty")
    enqueue("reoptimise_holds", nearer["id"])
    run_jobs()
    assert facility_of(api, p) == near["id"]
    assert bed_counts(near["id"])["held"] == 3 and bed_counts(far["id"])["held"] == 0
    assert bed_counts(nearer["id"])["held"] == 0
    assert db_session.scalar(select(func.count(Event.id)).where(Event.type == "placement.reoptimised")) == 1


def test_a_picked_up_group_stays_and_an_unconfirmed_one_moves(api, far_groups, bed_counts):
    near, far, (picked_up, control), free_near = far_groups({}, {})
    assert api("post", f"/placements/{picked_up['id']}/transit")[0] == 200  # picked up: the hold is confirmed
    free_near()
    after = api("get", f"/placements/{picked_up['id']}")[1]
    assert after["status"] == "in_transit" and after["facility_id"] == far["id"] and after["moved_at"] is None
    assert facility_of(api, control) == near["id"]  # room for both: only the rule kept the first one
    assert bed_counts(far["id"])["held"] == 3 and bed_counts(near["id"])["held"] == 3


def test_not_moved_after_a_team_accepted_its_transfer(api, client, make, far_groups, bed_counts, db_session):
    van = make.team("almaty", can_transfer=True, seats=8)
    crew = make.account("field", team_id=van.id)
    near, far, (taken, control), free_near = far_groups({"needs_transport": True}, {})
    task = client.get("/api/v1/tasks", headers=crew.auth).get_json()[0]
    assert task["kind"] == "transfer" and task["source_id"] == taken["id"]
    assert client.post(f"/api/v1/tasks/{task['id']}/accept", json={}, headers=crew.auth).status_code == 200
    free_near()
    assert facility_of(api, taken) == far["id"] and facility_of(api, control) == near["id"]
    assert bed_counts(far["id"])["held"] == 3 and bed_counts(near["id"])["held"] == 3
    db_session.expire_all()
    assert db_session.get(Task, task["id"]).status == "accepted"


def test_an_offered_transfer_is_closed_and_a_new_one_goes_to_the_new_facility(
    api, client, make, far_groups, db_session
):
    van = make.team("almaty", can_transfer=True, seats=8)
    crew = make.account("field", team_id=van.id)
    near, far, (p,), free_near = far_groups({"needs_transport": True})
    offered = client.get("/api/v1/tasks", headers=crew.auth).get_json()[0]
    assert offered["status"] == "offered"
    free_near()
    assert facility_of(api, p) == near["id"]
    db_session.expire_all()
    transfers = db_session.scalars(select(Task).where(Task.source_id == p["id"]).order_by(Task.id)).all()
    assert transfers[0].id == offered["id"] and transfers[0].status == "cancelled"
    assert transfers[0].status_reason["msgid"].startswith("The group was moved to")
    assert len(transfers) == 2 and transfers[1].details["facility_id"] == near["id"]
    # The team's phone: the old offer is gone, its accept is refused with the reason.
    res = client.post(f"/api/v1/tasks/{offered['id']}/accept", json={}, headers=crew.auth)
    assert res.status_code == 409


def test_not_moved_after_hq_moved_it(api, far_groups, facility_via_api, bed_counts):
    near, far, (by_hq, control), free_near = far_groups({}, {})
    other = facility_via_api({"standard": 10}, settlement="Shymkent")
    assert api("post", f"/placements/{by_hq['id']}/move", json={"facility_id": other["id"]})[0] == 200
    free_near()
    after = api("get", f"/placements/{by_hq['id']}")[1]
    assert after["facility_id"] == other["id"] and after["moved_from_id"] == far["id"]
    assert facility_of(api, control) == near["id"]
    assert bed_counts(near["id"])["held"] == 3


def test_not_moved_for_a_small_saving(api, far_groups, facility_via_api, bed_counts):
    close_by = facility_via_api({"standard": 3}, settlement="Talghar")  # about 25 km from Almaty
    near, far, (small, control), free_near = far_groups({}, {})
    assert facility_of(api, small) == close_by["id"] and facility_of(api, control) == far["id"]
    free_near()
    assert facility_of(api, small) == close_by["id"]  # under BIRLIK_REOPT_MIN_SAVING_KM saved
    assert facility_of(api, control) == near["id"]
    assert bed_counts(near["id"])["held"] == 3


def test_not_moved_where_its_needs_are_not_met(api, far_groups, bed_counts):
    # The near facility has no medical staff.
    near, far, (medical, control), free_near = far_groups({"needs_medical": True}, {})
    free_near()
    assert facility_of(api, medical) == far["id"] and facility_of(api, control) == near["id"]
    assert bed_counts(near["id"])["held"] == 3


def test_not_moved_into_an_incompatible_bed_category(api, far_groups, bed_counts):
    # Medical staff near too, but only standard beds: an isolation group cannot use them.
    near, far, (isolated, control), free_near = far_groups({"needs_isolation": True}, {}, has_medical_staff=True)
    assert api("get", f"/placements/{isolated['id']}")[1]["bed_category"] == "isolation"
    free_near()
    assert facility_of(api, isolated) == far["id"] and facility_of(api, control) == near["id"]
    assert bed_counts(near["id"])["held"] == 3


def test_two_runs_at_once_never_double_book(api, far_groups, enqueue, burst_workers, bed_counts, db_session):
    near, far, groups, free_near = far_groups({}, {}, {})
    free_near(run=False)  # its reoptimise_holds job is queued; two more, for two worker processes at once
    enqueue("reoptimise_holds", near["id"])
    enqueue("reoptimise_holds", near["id"])
    burst_workers(2)
    where = [facility_of(api, p) for p in groups]
    assert sorted(where) == sorted([near["id"], near["id"], far["id"]])  # 6 free beds: two groups of 3
    assert bed_counts(near["id"]) == {"total": 6, "held": 6, "occupied": 0, "free": 0}
    assert bed_counts(far["id"])["held"] == 3
    db_session.expire_all()
    moves = db_session.scalars(select(Event.subject_id).where(Event.type == "placement.reoptimised")).all()
    assert sorted(moves) == sorted(p["id"] for p, f in zip(groups, where, strict=True) if f == near["id"])
    assert all(
        p.moved_at is not None
        for p in db_session.scalars(select(PlacementRequest).where(PlacementRequest.id.in_(moves)))
    )


def test_not_moved_when_the_new_distance_is_not_a_small_enough_part_of_the_old(
    api, run_jobs, facility_via_api, bed_counts
):
    taraz = facility_via_api({"standard": 6}, settlement="Taraz")
    shymkent = facility_via_api({"standard": 10}, settlement="Shymkent")
    _, occupant = api("post", "/placements", json={**GROUP, "origin": "Taraz", "head_count": 6})
    run_jobs()
    assert api("post", f"/placements/{occupant['id']}/check-in", json={"count": 6})[0] == 200
    groups = []
    for origin in ("Almaty", "Taraz"):  # Almaty: ~690 km to Shymkent, ~470 to Taraz; Taraz: ~160 km, then ~0
        _, p = api("post", "/placements", json={**GROUP, "origin": origin, "head_count": 3})
        run_jobs()
        groups.append(p)
        assert facility_of(api, p) == shymkent["id"]
    api("post", f"/placements/{occupant['id']}/release", json={})
    run_jobs()
    from_almaty, from_taraz = groups
    # 220 km saved, but 470 km is more than BIRLIK_REOPT_MAX_RATIO (0.5) of 690 km: not "much nearer".
    assert facility_of(api, from_almaty) == shymkent["id"]
    assert facility_of(api, from_taraz) == taraz["id"]
    assert bed_counts(taraz["id"])["held"] == 3


def test_a_waiting_group_has_the_first_claim_on_freed_beds(app, api, run_jobs, far_groups, bed_counts):
    near, far, (p,), free_near = far_groups({}, accessible=True)
    # Only the near facility is accessible, and it is full: this group waits.
    _, waiting = api("post", "/placements", json={**GROUP, "head_count": 5, "needs_accessible": True})
    run_jobs()
    assert api("get", f"/placements/{waiting['id']}")[1]["status"] == "waiting"
    # Beds free near; with two workers the move may run before the waiting groups' job: it leaves them.
    free_near(run=False)
    with app.app_context():
        assert jobs.reoptimise_holds(near["id"]) == []
    run_jobs()
    assert facility_of(api, waiting) == near["id"] and facility_of(api, p) == far["id"]
    assert bed_counts(near["id"])["held"] == 5 and bed_counts(far["id"])["held"] == 3
