"""Every event reaches every room it concerns, and no other: a group from
Almaty Region placed into an Almaty city facility, then moved by HQ to
Pavlodar, through the API, a real worker job and real sockets."""


def _got(sio, type_, placement_id):
    return [e for e in sio.received if e["type"] == type_ and e["subject_id"] == placement_id]


def test_cross_region_placement_and_move_reach_every_room_they_concern(
    client, make, db_session, socket_client, run_jobs, wait_for
):
    city, oblys, pavlodar, atyrau = (make.region(c) for c in ("almaty", "almaty-region", "pavlodar", "atyrau"))
    in_city = make.facility("almaty", beds={"standard": 10})
    in_pavlodar = make.facility("pavlodar", beds={"standard": 10})
    managers = {}
    for facility in (in_city, in_pavlodar):
        managers[facility.id] = make.account("facility_manager")
        managers[facility.id].user.facilities = [facility]
    db_session.commit()
    national = make.account("hq")
    listeners = {
        "national": socket_client(national.token),
        "city": socket_client(make.account("hq", region_id=city.id).token),
        "oblys": socket_client(make.account("hq", region_id=oblys.id).token),
        "pavlodar": socket_client(make.account("hq", region_id=pavlodar.id).token),
        "atyrau": socket_client(make.account("hq", region_id=atyrau.id).token),
        "city_manager": socket_client(managers[in_city.id].token),
        "pavlodar_manager": socket_client(managers[in_pavlodar.id].token),
    }
    assert wait_for(lambda: all(getattr(s, "welcome", None) for s in listeners.values()))

    group = {"head_count": 3, "contact_phone": "+7 701 000 00 01", "origin": "Konayev"}
    placed = client.post("/api/v1/placements", json=group, headers=national.auth).get_json()
    assert placed["region_id"] == oblys.id  # Konayev is in Almaty Region
    run_jobs()

    assigned_rooms = {"hq", f"region:{oblys.id}", f"region:{city.id}", f"facility:{in_city.id}"}
    hear_assigned = ("national", "city", "oblys", "city_manager")
    assert wait_for(lambda: all(_got(listeners[n], "placement.assigned", placed["id"]) for n in hear_assigned))
    [event] = _got(listeners["national"], "placement.assigned", placed["id"])
    assert set(event["rooms"]) == assigned_rooms and event["after"]["facility_id"] == in_city.id

    moved = client.post(
        f"/api/v1/placements/{placed['id']}/move", json={"facility_id": in_pavlodar.id}, headers=national.auth
    )
    assert moved.status_code == 200, moved.get_json()
    moved_rooms = assigned_rooms | {f"region:{pavlodar.id}", f"facility:{in_pavlodar.id}"}
    hear_moved = (*hear_assigned, "pavlodar", "pavlodar_manager")
    assert wait_for(lambda: all(_got(listeners[n], "placement.moved", placed["id"]) for n in hear_moved))
    [event] = _got(listeners["national"], "placement.moved", placed["id"])
    assert set(event["rooms"]) == moved_rooms
    assert (event["before"]["facility_id"], event["after"]["facility_id"]) == (in_city.id, in_pavlodar.id)

    # Nobody else heard either: not Atyrau, and Pavlodar only once the group came its way.
    assert not [e for e in listeners["atyrau"].received if e["subject_type"] == "placement"]
    for name in ("pavlodar", "pavlodar_manager"):
        assert not _got(listeners[name], "placement.assigned", placed["id"])
        assert not _got(listeners[name], "placement.requested", placed["id"])
