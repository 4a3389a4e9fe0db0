"""CSV import: a bad file gets a row-by-row report and writes nothing."""

import io

from sqlalchemy import select

from coordinator.housing.models import Facility, PlacementRequest

GOOD = """name,kind,settlement,standard,isolation,has_medical_staff
Rest home Samal,rest_home,Almaty,40,0,no
Sanatorium Bereke,sanatorium,Караганда,120,10,yes
"""
BAD = """name,kind,settlement,standard,isolation
Rest home Samal,rest_home,Almaty,40,0
,hotel,Almaty,10,0
Hotel Zhuldyz,castle,Astana,10,0
Dormitory 3,dormitory,Atlantis,10,0
Hotel Aral,hotel,Aralsk,-5,0
"""


def _upload(client, hq, path, text, name="file.csv"):
    data = {"file": (io.BytesIO(text.encode()), name)}
    resp = client.post(f"/api/v1{path}", data=data, headers=hq.auth, content_type="multipart/form-data")
    return resp.status_code, resp.get_json()


def test_bad_file_reports_every_bad_row_and_writes_nothing(client, hq, api, run_jobs, db_session, count):
    before = count(Facility)
    status, job = _upload(client, hq, "/facilities/import", BAD)
    assert status == 202 and job["total_rows"] == 5
    run_jobs()
    _, job = api("get", f"/imports/{job['id']}")
    assert job["status"] == "failed"
    rows = {(e["row"], e["field"]) for e in job["errors"]}
    assert rows == {(3, "name"), (4, "kind"), (5, "settlement"), (6, "standard")}
    assert job["processed_rows"] == 5 and job["created_rows"] == 0
    assert count(Facility) == before


def test_good_file_creates_every_row(client, hq, api, run_jobs, db_session, count):
    before = count(Facility)
    _, job = _upload(client, hq, "/facilities/import", GOOD)
    run_jobs()
    _, job = api("get", f"/imports/{job['id']}")
    assert job["status"] == "done" and job["created_rows"] == 2
    assert count(Facility) == before + 2
    karaganda = db_session.scalar(select(Facility).where(Facility.name == "Sanatorium Bereke"))
    assert karaganda.settlement == "Karagandy" and {b.category for b in karaganda.beds} == {"standard", "isolation"}


def test_placements_file_creates_and_dispatches(client, hq, api, run_jobs, db_session, make):
    make.facility("almaty", beds={"standard": 20})
    text = "head_count,contact_phone,origin,names\n3,+7 700 1,Almaty,Aida;Berik;Saule\n2,+7 700 2,Алматы,\n"
    _, job = _upload(client, hq, "/placements/import", text)
    run_jobs()
    assert api("get", f"/imports/{job['id']}")[1]["status"] == "done"
    statuses = db_session.scalars(select(PlacementRequest.status)).all()
    assert sorted(statuses) == ["assigned", "assigned"]


def test_file_that_is_not_csv_is_refused_at_upload(client, hq):
    status, body = _upload(client, hq, "/facilities/import", "colour,size\nred,3\n")
    assert status == 422 and "Unknown columns: colour, size" in body["message"]
    status, body = _upload(client, hq, "/facilities/import", "\xff\xfe".encode("latin-1").decode("latin-1"))
    assert status == 422
    resp = client.post("/api/v1/facilities/import", headers=hq.auth)
    assert resp.status_code == 422 and "file" in resp.get_json()["message"]
