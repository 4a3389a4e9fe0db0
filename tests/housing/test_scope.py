"""A facility manager acts on their own facilities only: API and socket."""

import time


def test_manager_cannot_touch_another_facility(client, make, api, run_jobs, facility_via_api, bed_counts, db_session):
    mine = make.facility("almaty", beds={"standard": 10})
    theirs = make.facility("almaty", beds={"standard": 10})
    manager = make.account("facility_manager")
    manager.user.facilities = [mine]
    db_session.commit()
    theirs_placement = make.placement(theirs, head_count=2)

    assert api("put", f"/facilities/{theirs.id}/beds/standard", manager, json={"total": 1})[0] == 403
    assert api("post", f"/placements/{theirs_placement.id}/check-in", manager, json={"count": 2})[0] == 403
    assert api("get", f"/facilities/{theirs.id}/occupancy", manager)[0] == 403
    assert bed_counts(theirs.id) == {"total": 10, "held": 2, "occupied": 0, "free": 8}
    assert api("put", f"/facilities/{mine.id}/beds/standard", manager, json={"total": 12})[0] == 200
    listed = api("get", "/placements", manager)[1]
    assert listed == []


def test_manager_socket_hears_only_own_facility(make, api, socket_client, db_session, wait_for):
    mine = make.facility("almaty", beds={"standard": 10})
    theirs = make.facility("almaty", beds={"standard": 10})
    manager = make.account("facility_manager")
    manager.user.facilities = [mine]
    db_session.commit()
    sio = socket_client(manager.token)
    refused = sio.call("join", {"room": f"facility:{theirs.id}"}, timeout=5)
    assert refused["ok"] is False
    api("put", f"/facilities/{theirs.id}/beds/standard", json={"total": 11})
    api("put", f"/facilities/{mine.id}/beds/standard", json={"total": 12})
    assert wait_for(lambda: sio.received)
    time.sleep(0.3)
    assert [e["subject_id"] for e in sio.received] == [mine.id]
