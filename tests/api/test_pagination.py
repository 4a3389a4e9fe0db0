"""Paged lists, filters in the database, and conditional GETs (ETag and
If-None-Match), through the API as its clients use it."""

import re

import pytest
from sqlalchemy import event

from coordinator.api.pagination import MAX_LIMIT
from coordinator.extensions import db


def _pages(client, url, account, **headers):
    """Every page of a list, following its Link headers: (rows, number of pages)."""
    rows, pages = [], 0
    while url:
        resp = client.get(url, headers={**account.auth, **headers})
        assert resp.status_code == 200, resp.get_json()
        rows += resp.get_json()
        pages += 1
        link = resp.headers.get("Link")
        url = re.fullmatch(r'<http://localhost(/[^>]+)>; rel="next"', link).group(1) if link else None
        assert pages < 50, "the Link header never ends"
    return rows, pages


def test_facility_pages_return_every_row_once_in_the_shape_of_one_facility(client, make, hq):
    made = [make.facility("almaty", beds={"standard": 5, "family": 2}) for _ in range(7)]
    closed = make.facility("pavlodar", beds={"standard": 3}, status="closed")

    rows, pages = _pages(client, "/api/v1/facilities?limit=3", hq)

    assert pages == 3
    assert sorted(r["id"] for r in rows) == sorted(f.id for f in [*made, closed])
    # A listed facility reads as the facility itself does (the schema's shape, its beds and figures).
    for row in rows:
        assert row == client.get(f"/api/v1/facilities/{row['id']}", headers=hq.auth).get_json()
    # Without a limit: the documented default page, one page here.
    assert len(client.get("/api/v1/facilities", headers=hq.auth).get_json()) == 8


def test_a_filter_applies_before_the_page_is_cut(client, make, hq):
    almaty = [make.facility("almaty").id for _ in range(3)]
    for _ in range(4):
        make.facility("pavlodar")
    region = make.region("almaty").id

    rows, pages = _pages(client, f"/api/v1/facilities?region_id={region}&limit=2", hq)

    assert (sorted(r["id"] for r in rows), pages) == (sorted(almaty), 2)


def test_cases_filtered_by_sla_state_page_in_the_database(client, make):
    operator = make.account("hotline_operator")
    breached = [make.case("almaty", due_in_minutes=-30 - i).id for i in range(3)]
    for i in range(12):
        make.case("almaty", due_in_minutes=6000 + i)  # on time, and listed before the breached ones

    rows, pages = _pages(client, "/api/v1/hotline/cases?sla=breached&limit=2", operator)

    assert (sorted(r["id"] for r in rows), pages) == (sorted(breached), 2)
    on_time, _ = _pages(client, "/api/v1/hotline/cases?sla=on_time&limit=5", operator)
    assert len(on_time) == 12


@pytest.mark.parametrize(
    "path", ["/tasks", "/placements", "/hotline/cases", "/supply-requests", "/teams", "/warehouses", "/organizations"]
)
def test_every_list_pages_the_same_way(client, make, hq, path):
    org = make.organization("almaty")
    for _ in range(4 if path == "/organizations" else 5):
        {
            "/tasks": lambda: make.task(None),
            "/placements": lambda: make.placement(None),
            "/hotline/cases": lambda: make.case("almaty"),
            "/supply-requests": lambda: make.supply_request(org),
            "/teams": lambda: make.team("almaty"),
            "/warehouses": lambda: make.warehouse("almaty"),
            "/organizations": lambda: make.organization("almaty"),
        }[path]()

    rows, pages = _pages(client, f"/api/v1{path}?limit=2", hq)

    assert pages == 3
    assert len(rows) == len({r["id"] for r in rows}) == 5


@pytest.mark.parametrize(
    ("query", "says"),
    [
        (f"limit={MAX_LIMIT + 1}", f"less than or equal to {MAX_LIMIT}"),
        ("limit=0", f"less than or equal to {MAX_LIMIT}"),
        ("limit=many", "Not a valid integer."),
        ("page=0", "greater than or equal to 1"),
        ("page=-1", "greater than or equal to 1"),
    ],
)
def test_a_bad_page_or_limit_is_a_422_naming_the_parameter_and_its_range(client, hq, query, says):
    resp = client.get(f"/api/v1/facilities?{query}", headers=hq.auth)

    assert resp.status_code == 422
    body = resp.get_json()
    name = query.split("=")[0]
    assert name in body["message"]
    # It says what values are allowed, so the caller knows what to ask for.
    assert says in body["errors"]["query"][name][0]


def test_an_unchanged_list_is_a_304_and_a_change_gives_a_new_etag(client, make, hq):
    facility = make.facility("almaty", beds={"standard": 5})
    first = client.get("/api/v1/facilities", headers=hq.auth)
    tag = first.headers["ETag"]

    again = client.get("/api/v1/facilities", headers={**hq.auth, "If-None-Match": tag})
    assert (again.status_code, again.get_data(), again.headers["ETag"]) == (304, b"", tag)

    # What the caller sees changes: the beds (through the API), the query, the language, the caller.
    client.put(f"/api/v1/facilities/{facility.id}/beds/standard", headers=hq.auth, json={"total": 9})
    changed = client.get("/api/v1/facilities", headers={**hq.auth, "If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != tag
    assert changed.get_json()[0]["total_beds"] == 9
    new_tag = changed.headers["ETag"]
    other_query = client.get(
        f"/api/v1/facilities?region_id={facility.region_id}", headers={**hq.auth, "If-None-Match": new_tag}
    )
    assert other_query.status_code == 200
    russian = client.get("/api/v1/facilities", headers={**hq.auth, "If-None-Match": new_tag, "Accept-Language": "ru"})
    assert russian.status_code == 200
    regional = make.account("hq", region_id=facility.region_id)
    assert client.get("/api/v1/facilities", headers={**regional.auth, "If-None-Match": new_tag}).status_code == 200


@pytest.mark.parametrize("path", ["/map/panels", "/map?layers=facilities", "/tasks", "/alerts", "/hotline/cases"])
def test_lists_and_the_map_answer_304_while_nothing_changed(client, make, hq, path):
    make.facility("almaty", beds={"standard": 5})
    tag = client.get(f"/api/v1{path}", headers=hq.auth).headers["ETag"]

    assert client.get(f"/api/v1{path}", headers={**hq.auth, "If-None-Match": tag}).status_code == 304
    client.post(
        "/api/v1/placements", json={"head_count": 2, "contact_phone": "+7 700 1", "origin": "Almaty"}, headers=hq.auth
    )
    fresh = client.get(f"/api/v1{path}", headers={**hq.auth, "If-None-Match": tag})
    assert fresh.status_code == 200
    assert fresh.headers["ETag"] != tag


def test_hq_figures_are_computed_once_per_change_whatever_the_number_of_viewers(app, client, make):
    make.facility("almaty", beds={"standard": 5})
    viewers = [make.account("hq") for _ in range(3)]
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    listener = lambda conn, cursor, sql, *args: statements.append(sql)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:

        def panels_for(viewer) -> tuple[dict, int]:
            statements.clear()
            body = client.get("/api/v1/map/panels", headers=viewer.auth).get_json()
            # The queue of cases is one of the figures' queries.
            return body, sum("FROM cases" in s for s in statements)

        first, computed = panels_for(viewers[0])
        assert computed > 0
        for viewer in viewers[1:]:
            assert panels_for(viewer) == (first, 0)

        made = client.post(
            "/api/v1/placements",
            json={"head_count": 40, "contact_phone": "+7 700 1", "origin": "Almaty"},
            headers=viewers[0].auth,
        ).get_json()
        after, computed = panels_for(viewers[1])
        assert computed > 0
        assert made["id"] in [row["id"] for row in after["queues"]["placements"]]
        assert panels_for(viewers[2]) == (after, 0)
    finally:
        event.remove(engine, "before_cursor_execute", listener)


PAGED = [
    "/facilities",
    "/placements",
    "/tasks",
    "/teams",
    "/hotline/cases",
    "/supply-requests",
    "/organizations",
    "/warehouses",
    "/alerts",
    "/supplies/allocations",
    "/supplies/unserved",
    "/supplies/runs",
]


@pytest.mark.parametrize("path", PAGED)
def test_every_paged_list_takes_the_same_parameters_with_the_same_maximum(client, hq, path):
    assert client.get(f"/api/v1{path}?page=2&limit=1", headers=hq.auth).status_code == 200
    too_many = client.get(f"/api/v1{path}?limit={MAX_LIMIT + 1}", headers=hq.auth)
    assert too_many.status_code == 422
    assert f"less than or equal to {MAX_LIMIT}" in too_many.get_json()["errors"]["query"]["limit"][0]
