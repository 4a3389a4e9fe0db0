"""The API's answers to bad input: clear 4xx JSON naming the field, never a 500,
and nothing half-written."""

import json

from coordinator.headquarters.models import HQStatusReport


def test_wrong_types_and_unknown_fields_name_the_field(client, make, db_session, count):
    acc, hq = make.account("hq"), make.hq()
    resp = client.post(
        f"/api/v1/hqs/{hq.id}/status-reports",
        headers=acc.auth,
        json={"staff_on_duty": "many", "open_cases": -1, "colour": "red"},
    )
    assert resp.status_code == 422
    errors = resp.get_json()["errors"]["json"]
    assert set(errors) == {"staff_on_duty", "open_cases", "colour"}
    assert "staff_on_duty" in resp.get_json()["message"]
    assert count(HQStatusReport) == 0


def test_malformed_json_is_a_400(client, make):
    acc, hq = make.account("hq"), make.hq()
    resp = client.post(
        f"/api/v1/hqs/{hq.id}/status-reports",
        data="{not json",
        headers={**acc.auth, "Content-Type": "application/json"},
    )
    assert resp.status_code == 400
    assert resp.get_json()["code"] == 400


def test_oversize_body_is_refused(client, make, app):
    acc, hq = make.account("hq"), make.hq()
    body = json.dumps({"staff_on_duty": 1, "open_cases": 1, "needs": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)})
    resp = client.post(
        f"/api/v1/hqs/{hq.id}/status-reports", data=body, headers={**acc.auth, "Content-Type": "application/json"}
    )
    assert resp.status_code == 413
    assert "too large" in resp.get_json()["message"]


def test_unknown_ids_are_404_and_other_regions_403(client, make):
    regional = make.account("hq", region_id=make.region("almaty").id)
    other_hq = make.hq("pavlodar")
    assert client.get("/api/v1/hqs/999999", headers=regional.auth).status_code == 404
    assert client.get("/api/v1/facilities/999999", headers=regional.auth).status_code == 404
    resp = client.post(
        f"/api/v1/hqs/{other_hq.id}/status-reports", headers=regional.auth, json={"staff_on_duty": 1, "open_cases": 0}
    )
    assert resp.status_code == 403
    assert "another region" in resp.get_json()["message"]


def test_unauthenticated_api_call_is_401_json(client):
    resp = client.get("/api/v1/hqs")
    assert resp.status_code == 401
    assert "bearer token" in resp.get_json()["message"]


def test_unknown_page_is_404_not_500(client, make):
    acc = make.account("hq")
    assert client.get("/api/v1/nothing-here", headers=acc.auth).status_code == 404


def test_openapi_document_and_docs_page_are_served_locally(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/hqs/{hq_id}/status-reports" in spec["paths"]
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    docs = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/vendor/swagger-ui-dist/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()
    assert client.get("/vendor/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200
