"""The API keeps the promises of its OpenAPI document: every operation
describes what it answers, every time carries its offset (UTC), and an error
names a field of the request that was sent. (The fuzz test checks the
answers themselves against the document.)"""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from flask import json
from marshmallow import Schema, class_registry, fields

from coordinator.api.schemas import UtcDateTime
from coordinator.common.clock import now

OPERATIONS = ("get", "post", "put", "patch", "delete")


def test_every_operation_describes_its_success_response(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    undescribed = []
    for path, item in spec["paths"].items():
        for method in set(item) & set(OPERATIONS):
            responses = item[method]["responses"]
            success = [code for code in responses if code.startswith("2")]
            if not success or any(code != "204" and "content" not in responses[code] for code in success):
                undescribed.append(f"{method.upper()} {path}")
    assert undescribed == []
    assert "without an offset is taken as UTC" in spec["info"]["description"]
    error = spec["components"]["schemas"][
        spec["components"]["responses"]["DEFAULT_ERROR"]["content"]["application/json"]["schema"]["$ref"].rsplit(
            "/", 1
        )[1]
    ]
    # A refused step adds facts to the error body (a 409 says the task's current state).
    assert error["additionalProperties"] is True and {"code", "message", "errors", "current"} <= set(
        error["properties"]
    )


def test_every_time_field_of_the_api_writes_its_offset(app):
    """A time field declared with plain marshmallow would write a naive time again
    (the app fixture imports every domain, so every schema is registered)."""
    plain = [
        f"{name}.{field_name}"
        for name, classes in class_registry._registry.items()
        if name.startswith("coordinator.")
        for cls in classes
        if issubclass(cls, Schema)
        for field_name, field in cls._declared_fields.items()
        if isinstance(field, fields.DateTime) and not isinstance(field, UtcDateTime)
    ]
    assert plain == []


def test_times_in_the_api_carry_utc_offset(api, make, db_session):
    facility = make.facility("almaty", beds={"standard": 10})
    placement = make.placement(facility, head_count=2)
    status, body = api("get", f"/placements/{placement.id}")
    assert status == 200
    assert body["created_at"].endswith("Z")
    stored = db_session.get(type(placement), placement.id).created_at
    assert datetime.fromisoformat(body["created_at"]) == stored.replace(tzinfo=UTC)

    # Events write the same form.
    assert api("patch", f"/facilities/{facility.id}", json={"address": "Abai 1"})[0] == 200
    status, events = api("get", "/events")
    assert status == 200 and events["events"]
    assert all(e["at"].endswith("Z") for e in events["events"])


def test_a_time_sent_with_an_offset_is_converted_and_one_without_is_utc(api, make, db_session):
    warehouse = make.warehouse("almaty")
    item = make.stock(warehouse, "Medical mask")
    when = now().replace(microsecond=0) - timedelta(minutes=5)
    in_almaty = when.replace(tzinfo=UTC).astimezone(timezone(timedelta(hours=5)))  # "…T13:04:00+05:00"
    body = {"item_id": item.id, "quantity": 1, "source": "donor"}
    receipts = f"/warehouses/{warehouse.id}/receipts"
    status, with_offset = api("post", receipts, json=body | {"occurred_at": in_almaty.isoformat()})
    assert status == 201, with_offset
    status, naive = api("post", receipts, json=body | {"occurred_at": when.isoformat()})
    assert status == 201, naive
    assert with_offset["occurred_at"] == naive["occurred_at"] == when.isoformat() + "Z"


def test_plain_json_writes_times_as_the_schemas_do(app):
    """A dict a view returns without a schema (and `tojson` in pages)."""
    with app.app_context():
        text = json.dumps({"at": datetime(2026, 11, 24, 8, 4, 1, 215166), "day": datetime(2026, 11, 24).date()})
    assert json.loads(text) == {"at": "2026-11-24T08:04:01.215166Z", "day": "2026-11-24"}


def test_an_unknown_settlement_of_a_new_facility_names_the_settlement_field(api):
    body = {"name": "Rest home", "settlement": "Nowhereville", "beds": {"standard": {"total": 5}}}
    status, error = api("post", "/facilities", json=body)
    assert status == 422
    assert list(error["errors"]) == ["settlement"] and "Nowhereville" in error["errors"]["settlement"][0]


OUTSIDE = {"lat": 51.5, "lon": -0.1}  # London
INSIDE = {"lat": 43.25, "lon": 76.95}


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (OUTSIDE, "lat"),
        ({**INSIDE, "dest_lat": 43.3}, "dest_lon"),
        ({**INSIDE, "dest_lat": OUTSIDE["lat"], "dest_lon": OUTSIDE["lon"]}, "dest_lat"),
    ],
)
def test_a_task_whose_point_is_wrong_names_the_requests_own_field(api, body, named):
    status, error = api("post", "/tasks", json={"kind": "delivery", "title": "Masks", **body})
    assert status == 422, error
    assert list(error["errors"]) == [named], error


def test_a_team_position_outside_the_country_names_lat(api, make):
    team = make.team("almaty")
    crew = make.account("field", team_id=team.id)
    status, error = api("post", f"/teams/{team.id}/position", crew, json={**OUTSIDE, "at": now().isoformat()})
    assert status == 422, error
    assert list(error["errors"]) == ["lat"], error
