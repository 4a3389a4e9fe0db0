"""The case workflow: steps that do not apply are 409s, each step records who
and when; comments; evidence files (type sniffed from the content, size
limit, content hash, kept under the data folder); a failed inspection takes
the case back to triaged; the printable case file."""

import hashlib
import io
from pathlib import Path

from coordinator.hotline.models import Case, Evidence

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200


def _upload(client, account, case_id, data: bytes, name: str):
    return client.post(
        f"/api/v1/hotline/cases/{case_id}/evidence",
        data={"file": (io.BytesIO(data), name)},
        headers=account.auth,
        content_type="multipart/form-data",
    )


def test_steps_that_do_not_apply_are_conflicts(file_report, api, operator):
    case = file_report()["case_id"]
    for path, body in (
        ("resolve", {"resolution": "done"}),
        ("refer", {"to": "prosecutor", "reference": "P-1"}),
        ("close", {}),
        ("inspection", None),
    ):
        status, answer = api("post", f"/hotline/cases/{case}/{path}", operator, json=body or {})
        assert status == 409, (path, answer)
    status, answer = api("post", f"/hotline/cases/{case}/refer", operator, json={"to": "mayor", "reference": "x"})
    assert status == 422 and "to" in str(answer["errors"])
    api("post", f"/hotline/cases/{case}/triage", operator, json={})
    status, answer = api("post", f"/hotline/cases/{case}/resolve", operator, json={"resolution": "Employer paid."})
    assert status == 200 and answer["status"] == "resolved" and answer["resolved_at"]
    status, answer = api("post", f"/hotline/cases/{case}/comments", operator, json={"text": "late note"})
    assert status == 201  # notes are welcome after the end
    status, answer = api(
        "post", f"/hotline/cases/{case}/pause", operator, json={"waiting_on": "employer", "reason": "x"}
    )
    assert status == 409


def test_comments_and_history_say_who_and_when(file_report, api, operator, make):
    case = file_report()["case_id"]
    status, _ = api("post", f"/hotline/cases/{case}/comments", operator, json={"text": "Called the employer back."})
    assert status == 201
    status, _ = api("post", f"/hotline/cases/{case}/comments", operator, json={"text": "  "})
    assert status == 422
    body = api("get", f"/hotline/cases/{case}", operator)[1]
    [note] = [s for s in body["steps"] if s["kind"] == "comment"]
    assert note["note"] == "Called the employer back." and note["actor"] == operator.user.display_name and note["at"]
    assert note["public"] is False


def test_evidence_is_sniffed_limited_hashed_and_kept_under_the_data_folder(
    client, file_report, operator, app, db_session
):
    case = file_report()["case_id"]
    resp = _upload(client, operator, case, PDF, "../../etc/report.jpg")  # named a photo, is a PDF
    assert resp.status_code == 201, resp.get_json()
    item = resp.get_json()
    assert item["content_type"] == "application/pdf" and item["filename"] == "report.pdf"
    assert item["sha256"] == hashlib.sha256(PDF).hexdigest() and item["size"] == len(PDF)
    stored = Path(app.config["VAR_DIR"]) / "evidence" / item["sha256"][:2] / item["sha256"]
    assert stored.read_bytes() == PDF
    download = client.get(f"/hotline/cases/{case}/evidence/{item['id']}", headers=operator.auth)
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert (
        download.headers["Content-Disposition"].startswith("attachment")
        and "sandbox" in download.headers["Content-Security-Policy"]
    )

    script = _upload(client, operator, case, b"<script>alert(1)</script>", "photo.jpg")
    assert script.status_code == 415 and "file" in script.get_json()["errors"]
    empty = _upload(client, operator, case, b"", "x.pdf")
    assert empty.status_code == 422
    app.config["HOTLINE_EVIDENCE_MAX_BYTES"] = 100
    big = _upload(client, operator, case, JPEG, "big.jpg")
    assert big.status_code == 413 and "limit is 100" in big.get_json()["message"]
    missing = client.post(f"/api/v1/hotline/cases/{case}/evidence", json={}, headers=operator.auth)
    assert missing.status_code == 422 and "file" in missing.get_json()["errors"]
    assert db_session.query(Evidence).count() == 1
    other = file_report()["case_id"]
    assert client.get(f"/hotline/cases/{other}/evidence/{item['id']}", headers=operator.auth).status_code == 404


def test_a_failed_inspection_takes_the_case_back_to_triaged(file_report, api, operator, make, run_jobs, db_session):
    case = file_report(lat=43.25, lon=76.95)["case_id"]
    api("post", f"/hotline/cases/{case}/triage", operator, json={})
    team = make.team("almaty", can_inspect=True)
    member = make.account("field", team_id=team.id)
    status, _ = api("post", f"/hotline/cases/{case}/inspection", operator)
    assert status == 201
    run_jobs()
    task_id = api("get", "/tasks", member)[1][0]["id"]
    api("post", f"/tasks/{task_id}/accept", member)
    status, _ = api("post", f"/tasks/{task_id}/fail", member, json={"reason": "Gate locked, guard refused entry"})
    assert status == 200
    body = api("get", f"/hotline/cases/{case}", operator)[1]
    assert body["status"] == "triaged" and body["inspections"][0]["status"] == "failed"
    assert "Gate locked" in body["inspections"][0]["fail_reason"]
    assert {c["stage"] for c in body["clocks"] if c["stopped_at"] is None} == {"assignment", "resolution"}
    status, _ = api("post", f"/hotline/cases/{case}/inspection", operator)  # ask again
    assert status == 201


def test_a_case_without_a_place_cannot_be_inspected(file_report, api, operator, db_session):
    case = file_report()["case_id"]
    db_session.query(Case).filter_by(id=case).update({"lat": None, "lon": None})
    db_session.commit()
    api("post", f"/hotline/cases/{case}/triage", operator, json={})
    status, answer = api("post", f"/hotline/cases/{case}/inspection", operator)
    assert status == 422 and "location" in answer["errors"]


def test_pages_of_the_case_render_for_its_handlers(client, file_report, operator, make, login):
    case = file_report(description="Pay is 3 months late", employer_name="Aktobe Chrome")["case_id"]
    for path in (
        "/hotline",
        f"/hotline/cases/{case}",
        f"/hotline/cases/{case}/print",
        "/hotline/breaches",
        "/hotline/new",
    ):
        resp = client.get(path, headers=operator.auth)
        assert resp.status_code == 200, path
    html = client.get(f"/hotline/cases/{case}", headers=operator.auth).get_data(as_text=True)
    assert "Pay is 3 months late" in html and "Aktobe Chrome" in html
    regional = make.account("hq", region_id=make.region("almaty").id)
    assert client.get(f"/hotline/cases/{case}", headers=regional.auth).status_code == 200
    elsewhere = make.account("hq", region_id=make.region("pavlodar").id)
    assert client.get(f"/hotline/cases/{case}", headers=elsewhere.auth).status_code == 403
    assert client.get("/hotline/new", headers=regional.auth).status_code == 403
    assert client.get("/hotline?status=unicorn", headers=operator.auth).status_code == 422


def test_the_hq_screen_case_queue_opens_the_case_page(client, make):
    case = make.case("almaty", due_in_minutes=20)
    for account in (make.account("hq"), make.account("hq", region_id=make.region("almaty").id)):
        [row] = client.get("/api/v1/map/panels", headers=account.auth).get_json()["queues"]["cases"]
        assert row["link"] == f"/hotline/cases/{case.id}"
        page = client.get(row["link"], headers=account.auth)
        assert page.status_code == 200 and case.number in page.get_data(as_text=True)


def test_hotline_pages_carry_no_code_the_policy_would_block(client, file_report, api, operator, make, run_jobs):
    from tests.test_security_headers import InlineCode

    first = file_report(employer_name="Same Plant", lat=43.25, lon=76.95)["case_id"]
    file_report(employer_name="Same Plant")
    run_jobs()
    api("post", f"/hotline/cases/{first}/pause", operator, json={"waiting_on": "reporter", "reason": "x"})
    _upload(client, operator, first, PDF, "a.pdf")
    pages = [
        "/",
        "/hotline",
        "/hotline/new",
        "/hotline/breaches",
        f"/hotline/cases/{first}",
        f"/hotline/cases/{first}/print",
    ]
    pages += ["/report", "/report/status"]
    for path in pages:
        resp = client.get(path, headers=operator.auth)
        assert resp.status_code == 200, path
        assert InlineCode(resp.get_data(as_text=True)).found == [], path
