"""One definition of an open case: the map's figures, the overview and the
situation report show the same count, nationally and for a regional HQ."""

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
