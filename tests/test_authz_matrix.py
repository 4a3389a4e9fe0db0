"""Authorization as a matrix: every route and every socket room against every role."""

import re

import pytest

from coordinator import authz

ROLES = (
    "admin",
    "hq",
    "hq_regional",
    "facility_manager",
    "warehouse_manager",
    "field",
    "hotline_operator",
    "requester",
)
PUBLIC_PREFIXES = authz.PUBLIC_ENDPOINT_PREFIXES


def _role(account_name: str) -> str:
    return "hq" if account_name == "hq_regional" else account_name


def _url(rule, ids: dict[str, int]) -> str:
    def fill(match):
        name = match.group(1).split(":")[-1]
        if name not in ids:
            pytest.fail(f"Add a sample id for <{name}> (route {rule.rule}) to the authorization matrix.")
        return str(ids[name])

    return re.sub(r"<([^>]+)>", fill, rule.rule)


def _open(client, url: str, method: str, headers: dict):
    resp = client.open(url, method=method, headers=headers, json={})
    if resp.status_code == 308:  # an alias of a canonical URL (the RQ dashboard's): judge that one
        resp = client.open(resp.location, method=method, headers=headers, json={})
    return resp


def test_every_route_declares_its_roles(app):
    undeclared = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if not rule.endpoint.startswith(PUBLIC_PREFIXES) and authz.roles_for_endpoint(app, rule.endpoint) is None
    ]
    assert undeclared == []


def test_route_matrix(app, client, make):
    accounts = make.every_role("almaty")
    hq = make.hq("almaty")
    placement = make.placement(make.scope["facility"])
    task = make.task(make.scope["team"])
    supply_request = make.supply_request(make.scope["organization"])
    ids = {
        "request_id": supply_request.id,
        "line_id": supply_request.lines[0].id,
        "task_id": task.id,
        "placement_id": placement.id,
        "category": "standard",
        "import_id": 1,
        "hq_id": hq.id,
        "user_id": accounts["hq_regional"].user.id,
        "shift_id": 1,
        "facility_id": make.scope["facility"].id,
        "team_id": make.scope["team"].id,
        "warehouse_id": make.scope["warehouse"].id,
        "alert_id": 1,
        "layer": "cases",
        "fmt": "csv",
        "run_id": 1,
        "stop_id": 1,
        "case_id": make.case("almaty").id,
        "link_id": 1,
        "evidence_id": 1,
        "inspection_id": 1,
        "number": 1,
        # The RQ dashboard (admin only).
        "instance_number": 0,
        "queue_name": "default",
        "registry_name": "failed",
        "per_page": 8,
        "order": "asc",
        "page": 1,
        "job_id": "no-such-job",
        "filename": "css/main.css",
    }
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(PUBLIC_PREFIXES):
            continue
        declared = authz.roles_for_endpoint(app, rule.endpoint)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = _url(rule, ids)
            for name in ROLES:
                acc = accounts[name]
                resp = _open(client, url, method, acc.auth)
                allowed = declared == authz.PUBLIC or _role(name) in declared
                if allowed:
                    assert resp.status_code not in (401, 403), (method, url, name, resp.status_code)
                else:
                    assert resp.status_code == 403, (method, url, name, resp.status_code)
                checked += 1
            anonymous = _open(client, url, method, {})
            if declared != authz.PUBLIC:
                assert anonymous.status_code in (302, 401), (method, url, anonymous.status_code)
    assert checked > 100


def test_scope_within_a_role(client, make):
    accounts = make.every_role("almaty")
    other_facility = make.facility("pavlodar")
    other_team = make.team("pavlodar")
    assert (
        client.get(f"/api/v1/facilities/{other_facility.id}", headers=accounts["facility_manager"].auth).status_code
        == 403
    )
    assert (
        client.get(f"/api/v1/facilities/{other_facility.id}", headers=accounts["hq_regional"].auth).status_code == 403
    )
    assert client.get(f"/api/v1/facilities/{other_facility.id}", headers=accounts["hq"].auth).status_code == 200
    assert client.get(f"/api/v1/teams/{other_team.id}", headers=accounts["field"].auth).status_code == 403
    listed = client.get("/api/v1/facilities", headers=accounts["facility_manager"].auth).get_json()
    assert [f["id"] for f in listed] == [make.scope["facility"].id]


def test_room_matrix(make, socket_client):
    accounts = make.every_role("almaty")
    almaty, pavlodar = make.region("almaty"), make.region("pavlodar")
    scope = make.scope
    other_facility, other_team = make.facility("pavlodar"), make.team("pavlodar")
    rooms = {
        "hq": "hq",
        "region_own": f"region:{almaty.id}",
        "region_other": f"region:{pavlodar.id}",
        "facility_own": f"facility:{scope['facility'].id}",
        "facility_other": f"facility:{other_facility.id}",
        "team_own": f"team:{scope['team'].id}",
        "team_other": f"team:{other_team.id}",
        "warehouse_own": f"warehouse:{scope['warehouse'].id}",
        "hotline": "hotline",
        "organization_own": f"organization:{scope['organization'].id}",
    }
    everything = set(rooms)
    expected = {
        "admin": everything,
        "hq": everything,
        "hq_regional": {"region_own"},
        "facility_manager": {"facility_own"},
        "warehouse_manager": {"warehouse_own"},
        "field": {"team_own"},
        "hotline_operator": {"hotline"},
        "requester": {"organization_own"},
    }
    for name in ROLES:
        sio = socket_client(accounts[name].token)
        for key, room in rooms.items():
            answer = sio.call("join", {"room": room}, timeout=5)
            assert answer["ok"] is (key in expected[name]), (name, room, answer)
        sio.disconnect()
