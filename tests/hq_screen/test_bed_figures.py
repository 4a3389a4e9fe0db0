"""Bed figures: a closed facility's beds are never free (KPI strip, overview,
facilities summary, map layer, facilities page), and a regional HQ counts beds
and the people in them in the region of the facility."""

import re

from coordinator.geo.models import Region


def _overview(client, account, kpi: str) -> int:
    html = client.get("/hq/overview", headers=account.auth).get_data(as_text=True)
    return int(re.search(rf'data-kpi="{kpi}"[^>]*>(\d+)<', html).group(1))


def test_closed_facilities_have_no_free_beds(client, make, db_session):
    hq = make.account("hq")
    open_one = make.facility("almaty", beds={"standard": 5})
    closed = make.facility("almaty", beds={"standard": 10, "family": 4})
    res = client.patch(f"/api/v1/facilities/{closed.id}", headers=hq.auth, json={"status": "closed"})
    assert res.status_code == 200, res.get_json()

    assert client.get("/api/v1/map/panels", headers=hq.auth).get_json()["kpis"]["beds_free"] == 5
    assert client.get("/api/v1/facilities/summary", headers=hq.auth).get_json()["beds_free"] == 5
    assert _overview(client, hq, "beds_free") == 5
    points = client.get("/api/v1/map?layers=facilities", headers=hq.auth).get_json()["layers"]["facilities"]
    free = {p["id"]: (p["free"], sum(b["free"] for b in p["beds"].values())) for p in points}
    assert free == {open_one.id: (5, 5), closed.id: (0, 0)}
    page = client.get(f"/facilities/{closed.id}", headers=hq.auth).get_data(as_text=True)
    assert re.findall(r'<strong class="free">(\d+)</strong>', page) == ["0", "0"]
    sitrep = client.get("/sitrep", headers=hq.auth).get_data(as_text=True)
    assert re.search(r"<tfoot><tr><th[^>]*>[^<]*</th><td>\d+</td><td>(\d+)</td>", sitrep).group(1) == "5"

    # Opened again, its beds are free again.
    client.patch(f"/api/v1/facilities/{closed.id}", headers=hq.auth, json={"status": "open"})
    assert client.get("/api/v1/map/panels", headers=hq.auth).get_json()["kpis"]["beds_free"] == 19


def test_regional_hq_counts_people_and_beds_where_the_facility_is(client, make, db_session):
    almaty, pavlodar = make.region("almaty"), make.region("pavlodar")
    across = make.facility("pavlodar", beds={"standard": 10})
    group = make.placement(across, head_count=4)
    group.region_id = almaty.id  # the group comes from Almaty region, placed across the border
    db_session.commit()
    national = make.account("hq")
    assert client.post(f"/api/v1/placements/{group.id}/transit", headers=national.auth).status_code == 200
    res = client.post(f"/api/v1/placements/{group.id}/check-in", headers=national.auth, json={"count": 4})
    assert res.status_code == 200, res.get_json()

    def figures(region: Region) -> tuple[int, int]:
        hq = make.account("hq", region_id=region.id)
        k = client.get("/api/v1/map/panels", headers=hq.auth).get_json()["kpis"]
        summary = client.get("/api/v1/facilities/summary", headers=hq.auth).get_json()
        assert (summary["beds_occupied"], summary["people_in_quarantine"]) == (
            k["beds_occupied"],
            k["people_in_quarantine"],
        )
        assert _overview(client, hq, "people_in_quarantine") == k["people_in_quarantine"]
        return k["beds_occupied"], k["people_in_quarantine"]

    assert figures(pavlodar) == (4, 4)
    assert figures(almaty) == (0, 0)
    # The pages say how they count.
    html = client.get("/hq", headers=make.account("hq", region_id=pavlodar.id).auth).get_data(as_text=True)
    assert "count in the region of the facility" in html
