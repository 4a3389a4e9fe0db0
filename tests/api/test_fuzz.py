"""Schemathesis over the API's own OpenAPI document, in-process: whatever it
sends to any operation, in the shape the document describes (positive) or
not (negative: wrong types, out-of-range numbers, missing and extra fields),
the API never answers 5xx (schemathesis' `not_a_server_error` check) and no
exception escapes a view (the test app lets them through, with a traceback);
and every answer is one the document describes: its status code, its content
type and its body, validated against the response schema with formats
checked (so a time without an offset is not a `date-time`); nor is there a
time without its offset anywhere in a body, even where the schema only says
"object". Most operations answer a 2xx at least once, so their success
schemas are exercised too.

Each operation gets requests on rows that exist (its path ids are real ones,
so the body and query reach the service, not a 404) and requests with every
part generated, path ids included. HQ signs the requests; the team's own
steps, which HQ may not take, are signed by the team's field account.

Bounded and deterministic: Hypothesis derandomized with no example database
and a few examples per operation and kind (about 300 per database), so every
run sends the same requests and takes well under two minutes. The requests
come from schemathesis' Hypothesis strategies under a plain test, because its
pytest loader for fixtures (`schemathesis.pytest.from_fixture`) fails on
pytest 9.2 (it sets `request.node._nodeid`, which pytest no longer has)."""

import io
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from coordinator.authz import roles_for_endpoint
from tests.supplies.delivery_setup import held_request

EXAMPLES = 3  # per operation and kind of request
POSITIVE, NEGATIVE = GenerationMode.POSITIVE, GenerationMode.NEGATIVE
# A date and time with no offset after it, wherever it sits in a body.
NAIVE_TIME = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?$")


def _naive_times(value, path="$"):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _naive_times(item, f"{path}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _naive_times(item, f"{path}[{n}]")
    elif isinstance(value, str) and NAIVE_TIME.match(value):
        yield f"{path} = {value}"


def times_carry_their_offset(ctx, response, case):
    """Also where no schema declares a date-time (event payloads, decisions)."""
    if "json" in response.headers.get("content-type", [""])[0]:
        naive = list(_naive_times(response.json()))
        assert not naive, f"Times without an offset: {naive[:5]}"


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    times_carry_their_offset,
]


@pytest.fixture
def world(app, make, client, enqueue, run_jobs):
    """A row of each kind (so real ids exist), an HQ and a field account."""
    facility = make.facility("almaty", beds={"standard": 10, "family": 4})
    placement = make.placement(facility, head_count=2)
    make.placement(None, head_count=3, status="waiting")
    team = make.team("almaty", can_deliver=True, vehicle_capacity_kg=500)
    task = make.task(team)
    warehouse = make.warehouse("almaty")
    item = make.stock(warehouse)
    supply_request = make.supply_request(make.organization("almaty"))
    held_request(app, make.organization("almaty"), warehouse, {item.id: 10})
    enqueue("plan_delivery_runs")  # a delivery run with a stop
    case = make.case("almaty", due_in_minutes=-60)
    hq = make.account("hq")
    csv = io.BytesIO(b"name,settlement,standard\nFuzz rest home,Almaty,5\n")
    upload = client.post("/api/v1/facilities/import", data={"file": (csv, "f.csv")}, headers=hq.auth)
    enqueue("scan_alerts")  # the breached case raises an alert
    run_jobs()
    alerts = client.get("/api/v1/alerts", headers=hq.auth).get_json()
    run = client.get("/api/v1/supplies/runs", headers=hq.auth).get_json()[0]
    ids = {
        "facility_id": facility.id,
        "placement_id": placement.id,
        "team_id": team.id,
        "task_id": task.id,
        "warehouse_id": warehouse.id,
        "request_id": supply_request.id,
        "line_id": supply_request.lines[0].id,
        "hq_id": team.home_hq_id,
        "user_id": hq.user.id,
        "shift_id": 1,
        "import_id": upload.get_json()["id"],
        "alert_id": alerts[0]["id"],
        "category": "standard",
        "layer": "facilities",
        "fmt": "csv",
        "run_id": run["id"],
        "stop_id": run["stops"][0]["id"],
        "case_id": case.id,
        "link_id": 1,
    }
    return {"ids": ids, "hq": hq.auth, "field": make.account("field", team_id=team.id).auth}


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def _signer(app, operation, world) -> dict:
    """HQ's headers, or the field account's for a route HQ may not use."""
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        if path == operation.path and operation.method.upper() in rule.methods:
            return world["hq"] if "hq" in roles_for_endpoint(app, rule.endpoint) else world["field"]
    raise AssertionError(f"no route for {operation.label}")


def _exercise(operation, strategy, headers, succeeded: set[str]) -> int:
    """Send up to EXAMPLES generated requests, each answer checked; returns
    how many went, and adds the operation to `succeeded` on a 2xx."""
    sent = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def call(case):
        sent.append(case)
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        if 200 <= response.status_code < 300:
            succeeded.add(operation.label)

    try:
        call()
    except Unsatisfiable:  # a negative request needs something to break: none here
        pass
    return len(sent)


def test_every_answer_is_documented_and_none_is_5xx(app, world):
    operations = _operations(app)
    assert len(operations) > 40
    sent, succeeded = 0, set()
    for operation in operations:
        headers = _signer(app, operation, world)
        real = {p.name: world["ids"][p.name] for p in operation.path_parameters}
        for strategy in (
            operation.as_strategy(POSITIVE, path_parameters=real),
            operation.as_strategy(NEGATIVE, path_parameters=real),
            operation.as_strategy(NEGATIVE),
        ):
            sent += _exercise(operation, strategy, headers, succeeded)
    assert 200 < sent < 900
    assert len(succeeded) > 0.6 * len(operations), sorted(op.label for op in operations if op.label not in succeeded)
