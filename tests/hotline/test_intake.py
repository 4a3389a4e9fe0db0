"""Intake from the operator's form and from other channels' API: a report
opens a case routed to its region's HQ, with a suggested severity, committed
before the answer; bad input is a 4xx naming the field."""

from coordinator.events.models import Event
from coordinator.hotline.models import Case, CaseClock, Report


def test_operator_files_a_report_and_gets_number_and_lookup_code(file_report, db_session, make, count):
    answer = file_report(
        category="unsafe_conditions",
        employer_name="ТОО «Казцинк»",
        settlement="Усть-Каменогорск",
        workers_affected=120,
        reporter_name="Aigerim",
        reporter_contact="8 (777) 123-45-67",
    )
    # Committed before the answer: the case is there for anyone who reads now.
    case = db_session.get(Case, answer["case_id"])
    assert case.number == answer["number"] and answer["number"].startswith("C-")
    assert case.status == "new" and case.region_id == make.region("east-kz").id
    assert answer["severity_suggested"] == case.severity == "critical"  # high category, 100+ workers
    assert case.employer_norm == "kaztsink"
    code = answer["lookup_code"]
    assert len(code) == 11 and code[5] == "-"
    report = db_session.get(Report, answer["report_id"])
    assert report.lookup_hash and code.replace("-", "") not in (report.lookup_hash or "")
    assert report.reporter_key and "777" not in report.reporter_key
    assert {c.stage for c in db_session.query(CaseClock).filter_by(case_id=case.id)} == {"triage", "resolution"}
    opened = db_session.query(Event).filter_by(type="case.opened", subject_id=case.id).one()
    assert "Aigerim" not in str(opened.after) and "123-45-67" not in str(opened.after)
    assert count(Report) == 1


def test_severity_follows_category_and_workers(file_report):
    assert file_report(category="unpaid_wages", settlement="Almaty")["severity_suggested"] == "normal"
    assert (
        file_report(category="unpaid_wages", settlement="Almaty", workers_affected=150)["severity_suggested"] == "high"
    )
    assert (
        file_report(category="unpaid_wages", settlement="Almaty", workers_affected=800)["severity_suggested"]
        == "critical"
    )
    assert file_report(category="no_ppe", settlement="Almaty")["severity_suggested"] == "high"


def test_coordinates_route_to_the_region_they_lie_in(file_report, db_session, make):
    answer = file_report(lat=52.2873, lon=76.9674)  # Pavlodar
    case = db_session.get(Case, answer["case_id"])
    assert case.region_id == make.region("pavlodar").id
    assert db_session.get(Report, answer["report_id"]).precise is True


def test_other_channel_with_bearer_token_and_idempotency_key(file_report, make, count):
    gateway = make.account("hotline_operator")
    body = {"channel": "api", "via": "sms", "settlement": "Shymkent", "reporter_contact": "+77011112233"}
    first = file_report(gateway, headers={"Idempotency-Key": "sms-4711"}, **body)
    again = file_report(gateway, expect=201, headers={"Idempotency-Key": "sms-4711"}, **body)
    assert again == first and count(Report) == 1
    other = file_report(gateway, expect=422, headers={"Idempotency-Key": "sms-4711"}, **{**body, "via": "bot"})
    assert "Idempotency-Key" in other["message"]


def test_bad_input_names_the_field(file_report, count):
    cases = [
        ({"description": "   "}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"category": "ufo"}, "category"),
        ({"settlement": "Nowhere-on-earth-xyz"}, "settlement"),
        ({"lat": 10.0, "lon": 10.0}, "lat"),
        ({"lat": 43.2}, "lon"),
        ({"settlement": ""}, "settlement"),
        ({"settlement": "Almaty", "workers_affected": 0}, "workers_affected"),
        ({"settlement": "Almaty", "unknown": 1}, "unknown"),
    ]
    for fields, name in cases:
        body = (
            fields if {"settlement", "lat", "lon"} & set(fields) or not fields else {"settlement": "Almaty", **fields}
        )
        answer = file_report(expect=422, **body)
        assert name in str(answer.get("errors")), (fields, answer)
    assert count(Report) == 0


def test_only_intake_roles_file_reports(api, make):
    body = {"category": "no_ppe", "description": "x", "settlement": "Almaty"}
    for role in ("field", "requester", "facility_manager", "hq"):
        status, _ = api("post", "/hotline/reports", make.account(role), json=body)
        assert status == 403, role


def test_possible_duplicates_while_typing(file_report, api, operator):
    first = file_report(employer_name="ТОО Арселор Миттал Темиртау", settlement="Temirtau")
    by_phone = file_report(employer_name="Other plant", settlement="Almaty", reporter_contact="+7 701 555 0101")
    status, found = api(
        "post", "/hotline/duplicates/check", operator, json={"employer_name": "Arselor Mittal Temirtau"}
    )
    assert status == 200 and [c["number"] for c in found] == [first["number"]]
    assert found[0]["reasons"] == ["employer"]
    status, found = api("post", "/hotline/duplicates/check", operator, json={"contact": "87015550101"})
    assert [c["number"] for c in found] == [by_phone["number"]] and found[0]["reasons"] == ["reporter"]
    assert "555" not in str([{k: v for k, v in c.items() if not k.endswith("_at")} for c in found])  # not the phone


def test_suggestions_of_employers_and_places(file_report, api, operator):
    file_report(employer_name="Kazakhmys Copper", settlement="Zhezkazgan")
    status, names = api("get", "/hotline/employers?q=kazakhmis", operator)
    assert status == 200 and names == ["Kazakhmys Copper"]
    status, places = api("get", "/hotline/places?q=Шымк", operator)
    assert status == 200 and places[0]["name"] == "Shymkent"
