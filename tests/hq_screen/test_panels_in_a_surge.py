"""HQ's panels while the data changes faster than they are worth computing:
an answer a little behind the data serves for a moment (marked so, with no
ETag a later 304 could keep), never the change a person has just made."""

from coordinator.events import versions


def _free(client, hq) -> tuple[int, object]:
    resp = client.get("/api/v1/map/panels", headers=hq.auth)
    assert resp.status_code == 200
    return resp.get_json()["kpis"]["beds_free"], resp


def _set_total(client, hq, facility, total: int) -> None:
    resp = client.put(
        f"/api/v1/facilities/{facility.id}/beds/standard", json={"total": total, "out_of_service": 0}, headers=hq.auth
    )
    assert resp.status_code == 200, resp.get_json()


def _ten_free_beds(app, client, make, db_session, *, lag: float):
    """A facility with 10 free beds, HQ's account, and the panels read once (computed)."""
    app.config["PANELS_MAX_LAG_SECONDS"] = lag
    facility = make.facility("almaty", beds={"standard": 10})
    db_session.commit()
    hq = make.account("hq")
    assert _free(client, hq)[0] == 10
    return facility, hq


def test_a_change_made_in_a_quiet_moment_shows_at_once(app, client, make, db_session):
    facility, hq = _ten_free_beds(app, client, make, db_session, lag=600.0)
    _set_total(client, hq, facility, 7)
    free, resp = _free(client, hq)
    assert free == 7
    assert versions.BEHIND_HEADER not in resp.headers and resp.headers.get("ETag")


def test_in_a_surge_the_panels_lag_for_a_moment_and_catch_up(app, client, make, db_session, wait_for):
    # A lag long enough that the test sees it however slowly it runs.
    facility, hq = _ten_free_beds(app, client, make, db_session, lag=600.0)
    for total in range(11, 11 + versions.LAG_MIN_CHANGES):  # a surge: a change per request
        _set_total(client, hq, facility, total)
    free, resp = _free(client, hq)
    assert free == 10, "within the lag, the last figures serve"
    assert resp.headers[versions.BEHIND_HEADER] == "1"
    assert "ETag" not in resp.headers and resp.headers["Cache-Control"] == "no-store"

    app.config["PANELS_MAX_LAG_SECONDS"] = 0.2
    newest = 10 + versions.LAG_MIN_CHANGES
    assert wait_for(lambda: _free(client, hq)[0] == newest)
    free, resp = _free(client, hq)
    assert versions.BEHIND_HEADER not in resp.headers and resp.headers.get("ETag")


def test_without_the_lag_every_change_shows(app, client, make, db_session):
    facility, hq = _ten_free_beds(app, client, make, db_session, lag=0)
    for total in range(11, 11 + versions.LAG_MIN_CHANGES):
        _set_total(client, hq, facility, total)
    assert _free(client, hq)[0] == 10 + versions.LAG_MIN_CHANGES
