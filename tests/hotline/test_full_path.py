"""Must show 1: from a public report to a closed case. The same employer is
reported on the web and by phone; the operator links the two, triages, the
regional HQ asks for an inspection, the field team does it on the phone and
files its findings through the API, the case is referred to the labour
inspectorate with their reference and closed. At each public step the
reporter's lookup shows it, and nothing else."""

import base64

from coordinator.field.models import Task
from coordinator.hotline.models import Case, Evidence, Inspection

PHOTO = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64).decode()
SITE = {"lat": 49.9485, "lon": 82.6280}  # Ust-Kamenogorsk


def test_public_report_to_closed_case(
    client, submit_public, lookup, file_report, api, operator, make, run_jobs, db_session
):
    def seen_by_reporter():
        resp = lookup(web["number"], web["lookup_code"], address="203.0.113.200")
        assert resp.status_code == 200, resp.get_json()
        body = resp.get_json()
        assert set(body) == {"number", "status", "steps"}
        return body["status"], [s["status"] for s in body["steps"]]

    # 1. A worker reports on the web, anonymously; a colleague calls the hotline.
    web = submit_public(
        category="no_ppe",
        description="No masks or gloves on the smelting line since Monday.",
        employer_name="ТОО «Казцинк»",
        settlement="",
        anonymous="on",
        **{k: str(v) for k, v in SITE.items()},
    ).get_json()
    assert seen_by_reporter() == ("new", ["new"])
    phone = file_report(
        category="no_ppe",
        description="Caller says the smelter gives no masks.",
        employer_name="Kaztsink",
        reporter_name="Yerlan",
        reporter_contact="+7 705 111 2233",
        **SITE,
    )

    # 2. The duplicate check links the two channels' reports; the operator accepts.
    run_jobs()
    web_case = db_session.query(Case).filter_by(number=web["number"]).one()
    status, detail = api("get", f"/hotline/cases/{phone['case_id']}", operator)
    [link] = detail["links"]
    assert link["other_id"] == web_case.id and set(link["reasons"]) == {"employer", "site"}
    status, kept = api("post", f"/hotline/cases/{phone['case_id']}/links/{link['id']}/accept", operator)
    assert status == 200 and kept["id"] == web_case.id
    case_id = web_case.id
    assert [r["channel"] for r in api("get", f"/hotline/cases/{case_id}", operator)[1]["reports"]] == ["web", "phone"]

    # 3. Triage: the operator decides the severity; it goes to East Kazakhstan's HQ.
    region = make.region("east-kz")
    status, body = api(
        "post", f"/hotline/cases/{case_id}/triage", operator, json={"severity": "high", "region_id": region.id}
    )
    assert status == 200 and body["status"] == "triaged"
    assert seen_by_reporter() == ("triaged", ["new", "triaged"])

    # 4. The regional HQ asks for an inspection: a task through the task bridge.
    regional = make.account("hq", region_id=region.id)
    team = make.team("east-kz", can_inspect=True)
    inspector = make.account("field", team_id=team.id)
    status, body = api("post", f"/hotline/cases/{case_id}/inspection", regional)
    assert status == 201 and body["status"] == "inspection_assigned"
    task = db_session.query(Task).filter_by(source_type="case", source_id=case_id).one()
    assert task.kind == "inspection" and task.region_id == region.id
    assert "Yerlan" not in str(task.details) and "2233" not in str(task.details)
    assert seen_by_reporter() == ("inspection_assigned", ["new", "triaged", "inspection_assigned"])

    # 5. The field team does it on the phone and files its findings through the API.
    run_jobs()  # the task is offered to the team
    for step in ("accept", "en-route", "on-site"):
        status, body = api("post", f"/tasks/{task.id}/{step}", inspector)
        assert status == 200, body
    findings = {
        "checklist": {"PPE given to workers": False, "Distancing kept": True, "Sanitizer and washing available": False},
        "notes": "Masks in the store room, not handed out. <script>alert(1)</script>",
        "photos": [PHOTO, "data:image/png;base64,not-a-photo"],
    }
    status, body = api("post", f"/tasks/{task.id}/done", inspector, json=findings)
    assert status == 200, body
    db_session.expire_all()
    inspection = db_session.query(Inspection).filter_by(case_id=case_id).one()
    assert inspection.status == "done" and inspection.inspector_id == inspector.user.id
    assert inspection.checklist == {"ppe_issued": False, "distancing": True, "sanitation": False}
    [photo] = db_session.query(Evidence).filter_by(inspection_id=inspection.id).all()
    assert photo.content_type == "image/png" and len(photo.sha256) == 64
    status, body = api("get", f"/hotline/cases/{case_id}", operator)
    assert body["status"] == "inspected" and body["inspections"][0]["checklist"]["ppe_issued"] is False
    assert seen_by_reporter() == ("inspected", ["new", "triaged", "inspection_assigned", "inspected"])

    # The inspection act and the photo, for the HQ handling it.
    act = client.get(f"/hotline/inspections/{inspection.id}/print", headers=regional.auth)
    assert act.status_code == 200
    html = act.get_data(as_text=True)
    assert "Masks in the store room" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    image = client.get(f"/hotline/cases/{case_id}/evidence/{photo.id}", headers=regional.auth)
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")

    # 6. Referred to the labour inspectorate with their reference, then closed.
    status, body = api(
        "post",
        f"/hotline/cases/{case_id}/refer",
        regional,
        json={"to": "labour_inspectorate", "reference": "LI-2026-0042"},
    )
    assert status == 200 and body["status"] == "referred" and body["referral_reference"] == "LI-2026-0042"
    assert seen_by_reporter()[0] == "referred"
    status, body = api("post", f"/hotline/cases/{case_id}/close", operator, json={"note": "Inspectorate took it over."})
    assert status == 200 and body["status"] == "closed"
    status, steps = seen_by_reporter()
    assert (status, steps) == ("closed", ["new", "triaged", "inspection_assigned", "inspected", "referred", "closed"])
    # The caller's report joined the web report's case: their lookup follows it too.
    theirs = lookup(phone["number"], phone["lookup_code"], address="203.0.113.202").get_json()
    assert theirs["status"] == "closed" and theirs["number"] == phone["number"]
    lookup_body = lookup(web["number"], web["lookup_code"], address="203.0.113.201").get_data(as_text=True)
    assert "LI-2026-0042" not in lookup_body and "Kaztsink" not in lookup_body and "Yerlan" not in lookup_body

    # Each step says who and when; the case file prints it.
    status, body = api("get", f"/hotline/cases/{case_id}", operator)
    moves = [(s["status"], s["actor"]) for s in body["steps"] if s["kind"] == "status"]
    assert moves[1:] == [
        ("triaged", operator.user.display_name),
        ("inspection_assigned", regional.user.display_name),
        ("inspected", inspector.user.display_name),
        ("referred", regional.user.display_name),
        ("closed", operator.user.display_name),
    ]
    assert all(s["at"] for s in body["steps"])
    printed = client.get(f"/hotline/cases/{case_id}/print", headers=operator.auth)
    assert printed.status_code == 200 and "LI-2026-0042" in printed.get_data(as_text=True)
    assert "Yerlan" not in printed.get_data(as_text=True)  # withheld unless asked for, and recorded
