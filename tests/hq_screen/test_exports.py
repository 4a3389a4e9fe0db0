"""Layer exports: streamed CSV and GeoJSON, scope enforced, no reporter identity;
and the regional HQ's socket hears nothing of other regions."""

import csv
import io
import time


def _case(make, region: str):
    return make.case(region, due_in_minutes=-5, reporter_name="Secret Person", reporter_contact="+7 777 123 4567")


def test_csv_and_geojson_exports_stream_every_row(client, make):
    facilities = [make.facility("almaty") for _ in range(3)]
    hq = make.account("hq")
    resp = client.get("/api/v1/map/export/facilities.csv", headers=hq.auth)
    assert resp.status_code == 200 and resp.is_streamed
    assert resp.headers["Content-Disposition"].startswith('attachment; filename="birlik-facilities-')
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert {int(r["id"]) for r in rows} >= {f.id for f in facilities}
    assert {"name", "lat", "lon", "free", "standard_free", "isolation_total"} <= set(rows[0])

    geo = client.get("/api/v1/map/export/facilities.geojson", headers=hq.auth)
    assert geo.mimetype == "application/geo+json"
    features = geo.get_json()["features"]
    one = next(f for f in features if f["id"] == facilities[0].id)
    assert one["geometry"]["coordinates"] == [facilities[0].lon, facilities[0].lat]
    assert one["properties"]["name"] == facilities[0].name


def test_csv_export_has_a_column_per_bed_category(client, make):
    beds = make.facility("almaty", beds={"standard": 10, "family": 4})
    make.placement(beds, head_count=3)  # holds 3 beds of its first category (family)
    other = make.facility("almaty", beds={"isolation": 2})
    body = client.get("/api/v1/map/export/facilities.csv", headers=make.account("hq").auth).get_data(as_text=True)
    rows = {int(r["id"]): r for r in csv.DictReader(io.StringIO(body))}
    assert "beds" not in rows[beds.id] and "{" not in body
    figures = ("free", "held", "occupied", "total")
    columns = [f"{c}_{k}" for c in ("standard", "shared", "family", "isolation") for k in figures]
    assert [rows[beds.id][c] for c in columns] == "10 0 0 10 0 0 0 0 1 3 0 4 0 0 0 0".split()
    assert [rows[other.id][c] for c in columns[-4:]] == ["2", "0", "0", "2"]
    assert rows[other.id]["standard_total"] == "0"


def test_regional_export_has_no_row_of_another_region_and_no_reporter(client, make):
    mine, _ = _case(make, "almaty"), _case(make, "pavlodar")
    regional = make.account("hq", region_id=make.region("almaty").id)
    for fmt in ("csv", "geojson"):
        body = client.get(f"/api/v1/map/export/cases.{fmt}", headers=regional.auth).get_data(as_text=True)
        assert mine.number in body
        assert "Secret Person" not in body and "123 4567" not in body
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/map/export/cases.csv", headers=regional.auth).text)))
    assert {int(r["region_id"]) for r in rows} == {mine.region_id}
    other = make.region("pavlodar").id
    resp = client.get(f"/api/v1/map/export/cases.csv?region_id={other}", headers=regional.auth)
    assert resp.status_code == 403


def test_export_bad_input_gets_a_clear_message(client, make):
    hq = make.account("hq")
    resp = client.get("/api/v1/map/export/unicorns.csv", headers=hq.auth)
    assert resp.status_code == 422 and "Unknown layers: unicorns" in resp.get_json()["message"]
    resp = client.get("/api/v1/map/export/facilities.xlsx", headers=hq.auth)
    assert resp.status_code == 422 and "Formats: csv, geojson" in resp.get_json()["message"]
    resp = client.get("/api/v1/map/export/teams.csv?status=sleeping", headers=hq.auth)
    assert resp.status_code == 422 and "available" in resp.get_json()["message"]
    assert client.get("/api/v1/map/export/cases.csv", headers=make.account("facility_manager").auth).status_code == 403


def test_status_filter_narrows_the_map(client, make, db_session):
    open_one, closed = make.facility("almaty"), make.facility("almaty")
    closed.status = "closed"
    db_session.commit()
    hq = make.account("hq")
    body = client.get("/api/v1/map?layers=facilities&status=closed", headers=hq.auth).get_json()
    ids = {f["id"] for f in body["layers"]["facilities"]}
    assert closed.id in ids and open_one.id not in ids
    # A status of another layer leaves this one whole; one no layer has is refused.
    body = client.get("/api/v1/map?layers=facilities&status=busy", headers=hq.auth).get_json()
    assert {open_one.id, closed.id} <= {f["id"] for f in body["layers"]["facilities"]}
    resp = client.get("/api/v1/map?layers=facilities&status=sleeping", headers=hq.auth)
    assert resp.status_code == 422 and "closed, critical, full" in resp.get_json()["message"]


def test_a_status_applies_to_the_layers_that_have_it(client, make, db_session):
    full = make.facility("almaty", beds={"standard": 2})
    make.placement(full, head_count=2)
    roomy = make.facility("almaty", beds={"standard": 5})
    case = make.case("almaty")
    hq = make.account("hq")
    # The map reloads one layer at a time (here the cases) under the filter "full".
    resp = client.get("/api/v1/map?layers=cases&status=full", headers=hq.auth)
    assert resp.status_code == 200, resp.get_json()
    assert [c["id"] for c in resp.get_json()["layers"]["cases"]] == [case.id]
    body = client.get("/api/v1/map?layers=facilities,cases,teams&status=full", headers=hq.auth).get_json()
    assert [f["id"] for f in body["layers"]["facilities"]] == [full.id]
    assert roomy.id not in {f["id"] for f in body["layers"]["facilities"]}
    assert [c["id"] for c in body["layers"]["cases"]] == [case.id]
    resp = client.get("/api/v1/map/export/cases.csv?status=full", headers=hq.auth)
    assert resp.status_code == 200 and case.number in resp.get_data(as_text=True)


def test_regional_socket_receives_no_event_of_another_region(client, make, socket_client, enqueue, run_jobs, wait_for):
    regional = make.account("hq", region_id=make.region("almaty").id)
    national = make.account("hq")
    here, there = make.facility("almaty"), make.facility("pavlodar")
    regional_sio, national_sio = socket_client(regional.token), socket_client(national.token)
    assert wait_for(lambda: getattr(regional_sio, "welcome", None) and getattr(national_sio, "welcome", None))
    for f in (here, there):
        client.put(f"/api/v1/facilities/{f.id}/beds/standard", json={"total": 40}, headers=national.auth)
    _case(make, "almaty"), _case(make, "pavlodar")
    enqueue("scan_alerts")
    run_jobs()
    assert wait_for(lambda: sum(e["type"] == "alert.raised" for e in national_sio.received) == 2)
    time.sleep(0.3)
    assert national_sio.received and regional_sio.received
    mine, other = f"region:{here.region_id}", f"region:{there.region_id}"
    assert all(mine in e["rooms"] and other not in e["rooms"] for e in regional_sio.received)
    assert {e["subject_id"] for e in regional_sio.received if e["subject_type"] == "facility"} == {here.id}
    assert sum(e["type"] == "alert.raised" for e in regional_sio.received) == 1
    assert any(other in e["rooms"] for e in national_sio.received)
