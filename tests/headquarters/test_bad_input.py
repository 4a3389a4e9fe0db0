"""Bad input to the headquarters API: a 4xx naming the field (or the unknown
HQ), and nothing written."""

import pytest

from coordinator.headquarters.models import Headquarters, HQStatusReport

GOOD = {"staff_on_duty": 3, "open_cases": 1}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**GOOD, "staff_on_duty": -1}, "staff_on_duty"),
        ({**GOOD, "open_cases": -5}, "open_cases"),
        ({**GOOD, "staff_on_duty": "3"}, "staff_on_duty"),
        ({"open_cases": 1}, "staff_on_duty"),
        ({**GOOD, "needs": "x" * 4001}, "needs"),
        ({**GOOD, "notes": "y" * 10001}, "notes"),
        ({**GOOD, "mood": "fine"}, "mood"),
    ],
)
def test_a_bad_status_report_names_the_field(make, api, count, body, field):
    hq = make.hq("almaty")
    status, answer = api("post", f"/hqs/{hq.id}/status-reports", json=body)
    assert status == 422
    assert field in answer["errors"]["json"] and field in answer["message"]
    assert count(HQStatusReport) == 0


def test_an_unknown_hq_is_a_404_naming_it(api):
    for method, path, body in (
        ("post", "/hqs/999999/status-reports", GOOD),
        ("get", "/hqs/999999", None),
        ("patch", "/hqs/999999", {"phone": "1"}),
        ("post", "/hqs/999999/shifts", {}),
        ("post", "/hqs/999999/staff", {"username": "someone"}),
    ):
        status, answer = api(method, path, json=body)
        assert status == 404, (method, path)
        assert "999999" in answer["message"]


def test_bad_registry_edits_name_the_field(make, api, db_session):
    hq = make.hq("almaty")
    for body, field in (
        ({"email": "not-an-address"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"address": "a" * 241}, "address"),
        ({"report_interval_minutes": 5}, "report_interval_minutes"),
        ({"report_interval_minutes": -60}, "report_interval_minutes"),
        ({"report_interval_minutes": 8 * 24 * 60}, "report_interval_minutes"),
    ):
        status, answer = api("patch", f"/hqs/{hq.id}", json=body)
        assert status == 422, body
        assert field in (answer.get("errors", {}).get("json") or answer["errors"]), body
    db_session.expire_all()
    saved = db_session.get(Headquarters, hq.id)
    assert (saved.email, saved.phone, saved.report_interval_minutes) == ("", "", None)


def test_unknown_shift_and_bad_query_are_refused(make, api):
    hq = make.hq("almaty")
    status, answer = api("post", f"/hqs/{hq.id}/shifts/424242/end")
    assert status == 404 and "424242" in answer["message"]
    status, answer = api("get", f"/hqs/{hq.id}/shifts?limit=0")
    assert status == 422 and "limit" in answer["errors"]["query"]
