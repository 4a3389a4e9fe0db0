"""Ids and query strings the database cannot take never reach it: an id beyond
its column in a path is a 404, in a query or body a 422, each naming the
parameter; an unknown or ill-typed query parameter is a 422 naming it, as an
unknown body field is. Pages keep answering a person with a page they can act
on. The positions are read from the app's routes and its OpenAPI document, so
a route added later is checked too."""

import re

import pytest

from coordinator.api.ids import MAX_EVENT_ID, MAX_ID, IdConverter

BEYOND_BIGINT, BEYOND_INT = 2**63, 2**31
PATH_FILL = {"category": "standard", "layer": "facilities", "fmt": "csv", "package": "x", "filename": "x"}


def _path_ids(app):
    """(rule, method, id parameter) for every route of the app with an id in its path."""
    for rule in app.url_map.iter_rules():
        ids = [name for name, converter in rule._converters.items() if isinstance(converter, IdConverter)]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for name in ids:
                yield rule, method, name


def _url(rule, values):
    """The rule's path with `values` in place, a fitting value elsewhere."""
    fill = {**PATH_FILL, **values}
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(fill.get(m.group(1), 1)), rule.rule)


def _filled(path):
    """An OpenAPI path with a fitting value in each parameter."""
    return re.sub(r"{(\w+)}", lambda m: str(PATH_FILL.get(m.group(1), 1)), path)


def _document(client):
    """The OpenAPI document, and a function that follows a schema's $ref."""
    spec = client.get("/api/v1/openapi.json").get_json()

    def resolve(schema):
        while "$ref" in schema:
            schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        return schema

    return spec, resolve


@pytest.mark.parametrize("value", [BEYOND_BIGINT, BEYOND_INT])
def test_an_id_beyond_its_column_in_any_path_is_a_404_naming_it(app, client, hq, value):
    positions = list(_path_ids(app))
    assert len(positions) > 30 and any(not r.rule.startswith("/api/") for r, _, _ in positions)
    for rule, method, name in positions:
        resp = client.open(_url(rule, {name: value}), method=method, headers=hq.auth, json={})
        assert resp.status_code == 404, (method, rule.rule, resp.status_code)
        assert f"There is no {name} {value}" in resp.get_data(as_text=True), (method, rule.rule)


def test_the_largest_id_is_still_routed_and_simply_not_found(client, hq):
    resp = client.get(f"/api/v1/facilities/{MAX_ID}", headers=hq.auth)
    assert resp.status_code == 404 and "There is no" not in resp.get_json()["message"]
    assert client.get("/api/v1/facilities/0", headers=hq.auth).status_code == 404
    resp = client.get("/api/v1/facilities/" + "9" * 5000, headers=hq.auth)  # more digits than int() takes
    assert resp.status_code == 404 and "There is no facility_id 99999" in resp.get_json()["message"]


def test_an_id_beyond_its_column_in_any_query_is_a_422_naming_it(client, hq):
    spec, _ = _document(client)
    checked = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for param in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if param["in"] != "query" or param["schema"].get("type") != "integer":
                    continue
                too_big = [BEYOND_BIGINT] + ([BEYOND_INT] if param["schema"].get("maximum") == MAX_ID else [])
                for value in too_big:
                    url = f"{_filled(path)}?{param['name']}={value}"
                    resp = client.open(url, method=method.upper(), headers=hq.auth)
                    assert resp.status_code == 422, (method, path, param["name"], value)
                    body = resp.get_json()
                    assert param["name"] in body["message"] and param["name"] in body["errors"]["query"]
                checked.append((path, param["name"]))
    names = {name for _, name in checked}
    assert {"region_id", "facility_id", "after"} <= names


def test_an_id_beyond_its_column_in_any_body_is_a_422_naming_it(client, hq):
    spec, resolve = _document(client)
    checked = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
            if "application/json" not in content:
                continue
            properties = resolve(content["application/json"]["schema"]).get("properties", {})
            for name, prop in properties.items():
                if not name.endswith("_id") or prop.get("type") != "integer":
                    continue
                for value in (BEYOND_BIGINT, BEYOND_INT):
                    resp = client.open(_filled(path), method=method.upper(), headers=hq.auth, json={name: value})
                    assert resp.status_code == 422, (method, path, name, value)
                    body = resp.get_json()
                    assert name in body["message"]
                    assert body["errors"]["json"][name] == [f"Out of range: ids run from 1 to {MAX_ID}."]
                checked.append((path, name))
    # Every id field of every body was checked; these are some it must have met.
    assert {name for _, name in checked} >= {"facility_id", "team_id", "item_id", "lot_id", "organization_id"}


def test_event_cursor_runs_to_the_end_of_bigint(api):
    assert api("get", f"/events?after={MAX_EVENT_ID}")[0] == 200
    status, body = api("get", f"/events?after={MAX_EVENT_ID + 1}")
    assert status == 422 and "after" in body["errors"]["query"]


def test_ill_typed_and_unknown_query_parameters_are_422_naming_them(make, api):
    facility = make.facility("almaty")
    status, body = api("get", "/facilities?region_id=abc")
    assert status == 422 and body["errors"]["query"] == {"region_id": ["Not a valid integer."]}
    assert "region_id" in body["message"]
    status, body = api("get", "/facilities?unknown=1")
    assert status == 422 and body["errors"]["query"] == {"unknown": ["Unknown field."]}
    assert "unknown" in body["message"]
    # A route that takes no query string refuses one too.
    status, body = api("get", "/hqs?region_id=1")
    assert status == 422 and "region_id" in body["errors"]["query"]
    # And a good filter still filters.
    status, listed = api("get", f"/facilities?region_id={facility.region_id}")
    assert status == 200 and [f["id"] for f in listed] == [facility.id]
    assert api("get", f"/facilities?region_id={make.region('pavlodar').id}")[1] == []


def test_text_with_a_nul_character_is_a_422_naming_the_field(make, api):
    facility = make.facility("almaty")
    status, body = api("put", f"/facilities/{facility.id}/managers", json={"usernames": ["a\x00b"]})
    assert status == 422 and "usernames" in body["errors"]["json"]
    status, body = api("get", "/geo/geocode?q=Al%00maty")
    assert status == 422 and "q" in body["errors"]["query"]


def test_a_time_with_an_offset_is_stored_as_utc_and_one_without_a_utc_form_is_a_422(make, api):
    status, task = api(
        "post",
        "/tasks",
        json={"kind": "inspection", "title": "t", "lat": 43.25, "lon": 76.9, "deadline": "2030-01-01T05:00:00+05:00"},
    )
    assert status == 201 and task["deadline"] == "2030-01-01T00:00:00Z"
    status, body = api(
        "post",
        "/tasks",
        json={"kind": "inspection", "title": "t", "lat": 43.25, "lon": 76.9, "deadline": "9999-12-31T23:00:00-05:00"},
    )
    assert status == 422 and "deadline" in body["errors"]["json"]
    team = make.team("almaty")
    field = make.account("field", team_id=team.id)
    status, body = api(
        "post", f"/teams/{team.id}/position", field, json={"lat": 43.25, "lon": 76.9, "at": "0001-01-01T00:00:00+05:00"}
    )
    assert status == 422 and "at" in body["errors"]["json"]


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("/hq/facilities?region_id=abc", "Unknown region &#39;abc&#39;: pick a region from the list."),
        (f"/hq/facilities?region_id={BEYOND_BIGINT}", "Unknown region"),
        (f"/sitrep?region_id={BEYOND_INT}", "Unknown region"),
        ("/hq/placements?status=sleeping", "Unknown status &#39;sleeping&#39;: pick one of the tabs."),
    ],
)
def test_a_page_with_a_bad_filter_says_what_to_pick(client, hq, page, message):
    resp = client.get(page, headers=hq.auth)
    assert resp.status_code == 422
    assert message in resp.get_data(as_text=True)


def test_a_page_ignores_a_blank_filter_and_parameters_it_does_not_know(client, make, hq):
    facility = make.facility("almaty")
    resp = client.get("/hq/facilities?region_id=&utm_source=mail", headers=hq.auth)
    assert resp.status_code == 200 and facility.name in resp.get_data(as_text=True)
