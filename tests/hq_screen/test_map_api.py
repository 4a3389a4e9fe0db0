"""Map layers: scope, bad input and no reporter identities."""

from coordinator.hotline import intake as hotline


def test_regional_hq_gets_only_its_region(client, make, db_session):
    mine, other = make.facility("almaty"), make.facility("pavlodar")
    regional = make.account("hq", region_id=make.region("almaty").id)
    national = make.account("hq")
    body = client.get("/api/v1/map?layers=facilities", headers=regional.auth).get_json()
    assert [f["id"] for f in body["layers"]["facilities"]] == [mine.id]
    everything = client.get("/api/v1/map?layers=facilities", headers=national.auth).get_json()
    assert {mine.id, other.id} <= {f["id"] for f in everything["layers"]["facilities"]}
    assert client.get(f"/api/v1/map?region_id={make.region('pavlodar').id}", headers=regional.auth).status_code == 403


def test_unknown_layer_or_region_is_a_clear_422(client, make):
    hq = make.account("hq")
    resp = client.get("/api/v1/map?layers=facilities,unicorns", headers=hq.auth)
    assert resp.status_code == 422 and "unicorns" in resp.get_json()["message"]
    resp = client.get("/api/v1/map?region_id=99999", headers=hq.auth)
    assert resp.status_code == 422 and "Unknown region" in resp.get_json()["message"]


def test_cases_layer_never_carries_the_reporter(client, make, db_session):
    region = make.region("almaty")
    hotline.file_report(
        session=db_session,
        channel="phone",
        category="no_ppe",
        description="No masks at the plant",
        region_id=region.id,
        lat=43.25,
        lon=76.9,
        reporter_name="Secret Person",
        reporter_contact="+7 777 123 4567",
    )
    db_session.commit()
    hq = make.account("hq")
    body = client.get("/api/v1/map?layers=cases", headers=hq.auth).get_data(as_text=True)
    assert "Secret Person" not in body and "123 4567" not in body
    assert '"severity"' in body


def test_region_outlines_are_served_with_our_codes(client, make):
    acc = make.account("field")
    outlines = client.get("/api/v1/map/regions.geojson", headers=acc.auth).get_json()
    assert len(outlines["features"]) == 20
    assert {f["properties"]["code"] for f in outlines["features"]} >= {"abai", "ulytau", "jetisu", "shymkent"}


def test_cases_carry_their_sla_state(client, make):
    late, soon, calm = make.case(due_in_minutes=-1), make.case(due_in_minutes=30), make.case(due_in_minutes=900)
    hq = make.account("hq")
    cases = client.get("/api/v1/map?layers=cases", headers=hq.auth).get_json()["layers"]["cases"]
    state = {c["id"]: c["sla"] for c in cases}
    assert (state[late.id], state[soon.id], state[calm.id]) == ("breached", "due_soon", "on_time")
