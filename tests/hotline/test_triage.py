"""Triage: duplicates across channels are suggested (same employer, same
site, same reporter by a keyed hash), operators link or dismiss, linked
reports form one case; severity and region are decided; bulk triage."""

from datetime import timedelta

from sqlalchemy import update

from coordinator.common.clock import now
from coordinator.hotline.models import Case, DuplicateLink, Report


def _links(api, account, case_id):
    status, body = api("get", f"/hotline/cases/{case_id}", account)
    assert status == 200, body
    return body["links"]


def test_same_employer_across_channels_is_suggested_and_linked(
    file_report, submit_public, api, operator, run_jobs, db_session
):
    by_phone = file_report(employer_name="ТОО «Казцинк»", settlement="Ust-Kamenogorsk")
    by_web = submit_public(employer_name="Kaztsink LLP", settlement="Ust-Kamenogorsk").get_json()
    file_report(employer_name="Bakery Nan", settlement="Ust-Kamenogorsk")  # another employer
    run_jobs()
    web_case = db_session.query(Report).filter_by(public_number=by_web["number"]).one().case_id
    [link] = _links(api, operator, web_case)
    assert link["other_number"] == by_phone["number"] and link["reasons"] == ["employer"]
    assert [x["id"] for x in _links(api, operator, by_phone["case_id"])] == [link["id"]]

    status, kept = api("post", f"/hotline/cases/{web_case}/links/{link['id']}/accept", operator)
    assert status == 200 and kept["id"] == by_phone["case_id"]  # the newer joins the older
    db_session.expire_all()
    case = db_session.get(Case, by_phone["case_id"])
    assert sorted(r.channel for r in case.reports) == ["phone", "web"]
    assert db_session.get(Case, web_case).duplicate_of_id == case.id
    status, open_cases = api("get", "/hotline/cases", operator)
    assert web_case not in [c["id"] for c in open_cases] and case.id in [c["id"] for c in open_cases]
    assert _links(api, operator, case.id) == []


def test_same_site_within_distance_and_same_reporter_by_hash(file_report, api, operator, run_jobs, db_session):
    first = file_report(lat=43.2389, lon=76.8897, reporter_contact="+7 (701) 222-33-44")
    near = file_report(lat=43.2400, lon=76.8900)  # about 130 m away
    far = file_report(lat=43.2600, lon=76.9300)  # about 4 km away
    again = file_report(settlement="Astana", reporter_contact="87012223344")  # same phone, other channel form
    run_jobs()
    assert {tuple(x["reasons"]) for x in _links(api, operator, near["case_id"])} == {("site",)}
    assert all(x["other_id"] != far["case_id"] for x in _links(api, operator, first["case_id"]))
    [by_phone] = _links(api, operator, again["case_id"])
    assert by_phone["other_number"] == first["number"] and by_phone["reasons"] == ["reporter"]
    body = api("get", f"/hotline/cases/{again['case_id']}", operator)[1]
    assert "2223344" not in str(body) and "222-33-44" not in str(body)


def test_old_reports_are_not_suggested(file_report, run_jobs, db_session, app, api, operator):
    old = file_report(employer_name="Shymkent Cement")
    db_session.execute(
        update(Report).where(Report.case_id == old["case_id"]).values(created_at=now() - timedelta(days=30))
    )
    db_session.commit()
    new = file_report(employer_name="Shymkent Cement")
    run_jobs()
    assert _links(api, operator, new["case_id"]) == []


def test_dismissed_suggestions_stay_dismissed(file_report, api, operator, run_jobs, enqueue, count):
    a = file_report(employer_name="Temirtau Steel")
    b = file_report(employer_name="Temirtau Steel")
    run_jobs()
    [link] = _links(api, operator, b["case_id"])
    status, _ = api("post", f"/hotline/cases/{b['case_id']}/links/{link['id']}/dismiss", operator)
    assert status == 200
    assert _links(api, operator, a["case_id"]) == []
    enqueue("check_duplicates", b["case_id"])
    run_jobs()
    assert _links(api, operator, b["case_id"]) == [] and count(DuplicateLink) == 1
    status, again = api("post", f"/hotline/cases/{b['case_id']}/links/{link['id']}/accept", operator)
    assert status == 409


def test_triage_routes_to_the_region_and_its_hq(file_report, api, operator, make):
    case = file_report(settlement="Almaty")
    pavlodar = make.region("pavlodar").id
    status, body = api(
        "post",
        f"/hotline/cases/{case['case_id']}/triage",
        operator,
        json={"severity": "critical", "region_id": pavlodar},
    )
    assert status == 200 and body["status"] == "triaged" and body["severity"] == "critical"
    assert body["region_id"] == pavlodar
    there = make.account("hq", region_id=pavlodar)
    almaty = make.account("hq", region_id=make.region("almaty").id)
    assert api("get", f"/hotline/cases/{case['case_id']}", there)[0] == 200
    assert api("get", f"/hotline/cases/{case['case_id']}", almaty)[0] == 403
    assert [c["id"] for c in api("get", "/hotline/cases", there)[1]] == [case["case_id"]]
    assert api("get", "/hotline/cases", almaty)[1] == []
    status, again = api("post", f"/hotline/cases/{case['case_id']}/triage", operator, json={})
    assert status == 409 and "triaged" in again["message"]
    status, bad = api("post", f"/hotline/cases/{case['case_id']}/update", operator, json={"region_id": 999999})
    assert status == 422 and "region_id" in str(bad)


def test_bulk_triage_of_a_backlog(file_report, api, operator, make, db_session):
    ids = [file_report(settlement="Almaty")["case_id"] for _ in range(4)]
    api("post", f"/hotline/cases/{ids[0]}/triage", operator, json={})  # already triaged: fails on its own
    handler = make.account("hotline_operator")
    status, result = api(
        "post", "/hotline/cases/bulk", operator, json={"case_ids": ids, "action": "triage", "severity": "high"}
    )
    assert status == 200 and result["done"] == ids[1:] and list(result["failed"]) == [str(ids[0])]
    status, result = api(
        "post",
        "/hotline/cases/bulk",
        operator,
        json={"case_ids": ids, "action": "update", "assignee_id": handler.user.id},
    )
    assert result["done"] == ids
    status, result = api("post", "/hotline/cases/bulk", operator, json={"case_ids": ids[2:], "action": "link"})
    assert result == {"done": ids[2:], "failed": {}, "into": ids[2]}
    db_session.expire_all()
    assert db_session.get(Case, ids[3]).duplicate_of_id == ids[2]
    assert {db_session.get(Case, i).assignee_id for i in ids} == {handler.user.id}
    assert {db_session.get(Case, i).severity for i in ids[1:]} == {"high"}
    status, bad = api("post", "/hotline/cases/bulk", operator, json={"case_ids": [], "action": "triage"})
    assert status == 422


def test_the_queue_filters_and_searches_in_any_script(file_report, api, operator):
    kaz = file_report(employer_name="ТОО «Казцинк»", category="unpaid_wages", settlement="Ust-Kamenogorsk")
    other = file_report(employer_name="Almaty Bread", category="no_ppe")
    found = lambda query: [c["id"] for c in api("get", f"/hotline/cases?{query}", operator)[1]]  # noqa: E731
    assert found("q=kaztsink") == found("q=Казцинк") == [kaz["case_id"]]
    assert found(f"q={other['number']}") == [other["case_id"]]
    assert found("category=no_ppe") == [other["case_id"]]
    assert set(found("sla=on_time")) == {kaz["case_id"], other["case_id"]}
    assert found("status=closed") == []
    status, body = api("get", "/hotline/cases?sla=late", operator)
    assert status == 422 and "sla" in str(body["errors"])
