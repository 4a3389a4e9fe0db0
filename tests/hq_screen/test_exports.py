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
    assert {"name", "lat", "lon", "free", "beds"} <= set(rows[0])

    geo = client.get("/api/v1/map/export/facilities.geojson", headers=hq.auth)
    assert geo.mimetype == "application/geo+json"
    features = geo.get_json()["features"]
    one = next(f for f in features if f["id"] == facilities[0].id)
    assert one["geometry"]["coordinates"] == [facilities[0].lon, facilities[0].lat]
    assert one["properties"]["name"] == facilities[0].name


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
    resp = client.get("/api/v1/map?layers=facilities&status=busy", headers=hq.auth)
    assert resp.status_code == 422 and "Statuses: closed, full, open" in resp.get_json()["message"]


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
