"""Geography through the API."""

from urllib.parse import quote


def test_regions_are_loaded_by_the_migrations(client, make):
    acc = make.account("field")
    regions = client.get("/api/v1/geo/regions", headers=acc.auth).get_json()
    assert len(regions) == 20
    assert {r["kind"] for r in regions} == {"oblys", "city"}
    assert sum(r["kind"] == "city" for r in regions) == 3


def test_geocode_api_finds_cyrillic_and_rejects_unknown(client, make):
    acc = make.account("hotline_operator")
    resp = client.get("/api/v1/geo/geocode?q=" + quote("Караганда"), headers=acc.auth)
    assert resp.status_code == 200
    assert resp.get_json()["region"]["code"] == "karaganda"
    bad = client.get("/api/v1/geo/geocode?q=Atlantis", headers=acc.auth)
    assert bad.status_code == 422
    assert "Unknown settlement" in bad.get_json()["message"]
