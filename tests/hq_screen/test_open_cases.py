"""One definition of an open case: the map (its layer and its figures), the
overview, the situation report, the HQ board and pages, the report prefill,
the hotline queue and the breach dashboard show the same count, nationally and
for a regional HQ."""

import re


def _overview(client, account) -> int:
    html = client.get("/hq/overview", headers=account.auth).get_data(as_text=True)
    return int(re.search(r'data-kpi="cases_open"[^>]*>(\d+)<', html).group(1))


def _sitrep(client, account) -> int:
    html = client.get("/sitrep", headers=account.auth).get_data(as_text=True)
    cells = re.findall(r'data-figure="cases_open">(\d+)<', html)
    return int(cells[-1])  # the total row when there are several regions, else the region's row


def _map(client, account) -> int:
    return client.get("/api/v1/map/panels", headers=account.auth).get_json()["kpis"]["cases_open"]


def _case(make, region="almaty", due_in_minutes=60, **changes):
    case = make.case(region, due_in_minutes=due_in_minutes)
    for key, value in changes.items():
        setattr(case, key, value)
    return case


def test_open_case_count_is_the_same_on_every_page(client, make, db_session):
    first = _case(make)  # open
    _case(make, due_in_minutes=-60, status="triaged")  # open, breached
    _case(make, status="inspection_assigned")  # open
    _case(make, duplicate_of_id=first.id)  # a duplicate: not counted again
    for finished in ("resolved", "referred", "closed"):
        _case(make, status=finished)
    _case(make, "pavlodar")  # open, elsewhere
    db_session.commit()

    national = make.account("hq")
    assert _map(client, national) == _overview(client, national) == _sitrep(client, national) == 4
    regional = make.account("hq", region_id=make.region("almaty").id)
    assert _map(client, regional) == _overview(client, regional) == _sitrep(client, regional) == 3


def _every_figure(client, account, hq_id: int) -> dict[str, int]:
    def page(path: str, pattern: str) -> int:
        html = client.get(path, headers=account.auth).get_data(as_text=True)
        return int(re.search(pattern, html).group(1))

    board = client.get("/api/v1/hqs/board", headers=account.auth).get_json()
    layer = client.get("/api/v1/map?layers=cases", headers=account.auth).get_json()["layers"]["cases"]
    return {
        "map layer": len(layer),
        "map figures": _map(client, account),
        "overview": _overview(client, account),
        "situation report": _sitrep(client, account),
        "HQ board": next(line["open_cases"] for line in board if line["hq_id"] == hq_id),
        "HQ page": page(f"/hq/headquarters/{hq_id}", r'id="hq-cases">(\d+)'),
        "report prefill": client.get(f"/api/v1/hqs/{hq_id}/status-reports/prefill", headers=account.auth).get_json()[
            "open_cases"
        ],
        "hotline queue": page("/hotline", r'<p class="muted">(?:<span data-figure="cases">)?(\d+) case'),
        "breach dashboard": page("/hotline/breaches", r'data-figure="total">(\d+)'),
    }


def test_every_page_and_api_shows_the_same_open_cases(client, make, db_session):
    placed = _case(make)
    _case(make, due_in_minutes=-60, status="triaged")
    region_only = _case(make, status="inspection_assigned")
    region_only.lat = region_only.lon = None  # reported with its region alone: still an open case
    _case(make, duplicate_of_id=placed.id)
    for finished in ("resolved", "referred", "closed"):
        _case(make, status=finished)
    _case(make, "pavlodar")
    db_session.commit()
    national_hq, almaty_hq = make.hq(None), make.hq("almaty")

    national = _every_figure(client, make.account("hq"), national_hq.id)
    assert national == dict.fromkeys(national, 4)
    regional = _every_figure(client, make.account("hq", region_id=make.region("almaty").id), almaty_hq.id)
    assert regional == dict.fromkeys(regional, 3)


def test_a_surge_past_the_queue_length_is_counted_in_full(client, make, db_session):
    from coordinator.hotline.cases import QUEUE_LIMIT
    from coordinator.hotline.models import Case

    almaty = make.region("almaty")
    first = _case(make)
    surge = QUEUE_LIMIT + 5
    # More open cases than the hotline queue lists (the factory files one report at a time).
    db_session.add_all(
        Case(number=f"{first.number}-{i}", category="no_ppe", region_id=almaty.id, lat=almaty.lat, lon=almaty.lon)
        for i in range(surge - 1)
    )
    db_session.commit()
    figures = _every_figure(client, make.account("hq"), make.hq(None).id)
    assert figures == dict.fromkeys(figures, surge)
    html = client.get("/hotline", headers=make.account("hq").auth).get_data(as_text=True)
    assert f"the first {QUEUE_LIMIT} shown" in html
