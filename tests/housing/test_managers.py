"""A facility's managers: the facility page shows who runs it and prefills the
form with them, and saving a form never drops a manager it did not show."""

import re


def _form(client, account, facility_id: int) -> tuple[str, str, str]:
    """The page, the usernames box and the managers the form says it showed."""
    html = client.get(f"/facilities/{facility_id}", headers=account.auth).get_data(as_text=True)
    shown = re.search(r'<input name="usernames" value="([^"]*)"', html).group(1)
    hidden = re.search(r'<input type="hidden" name="shown" value="([^"]*)"', html)
    return html, shown, hidden.group(1) if hidden else ""


def _save(client, account, facility_id: int, typed: str, shown: str):
    # What static/js/app.js sends for the form (data-managers).
    names = [u.strip() for u in typed.split(",") if u.strip()]
    seen = [u.strip() for u in shown.split(",") if u.strip()]
    return client.put(
        f"/api/v1/facilities/{facility_id}/managers", headers=account.auth, json={"usernames": names, "shown": seen}
    )


def test_facility_page_shows_its_managers_and_never_drops_one_it_did_not_show(client, make, db_session):
    facility = make.facility("almaty")
    runner = make.account("facility_manager")
    runner.user.facilities = [facility]
    db_session.commit()
    hq = make.account("hq")

    html, typed, shown = _form(client, hq, facility.id)
    assert "No manager yet." not in html
    assert f"({runner.user.username})" in html
    assert typed == shown == runner.user.username

    # HQ adds a second manager from the prefilled box: the first one stays.
    second = make.account("facility_manager")
    res = _save(client, hq, facility.id, f"{typed}, {second.user.username}", shown)
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["managers"] == sorted([runner.user.username, second.user.username])

    # A form that showed only the runner (opened before the second was added)
    # and is saved with the runner removed: the second, never shown, stays.
    res = _save(client, hq, facility.id, "", runner.user.username)
    assert res.get_json()["managers"] == [second.user.username]
    # A form that showed nobody cannot remove anybody.
    third = make.account("facility_manager")
    res = _save(client, hq, facility.id, third.user.username, "")
    assert res.get_json()["managers"] == sorted([second.user.username, third.user.username])
    assert "No manager yet." not in _form(client, hq, facility.id)[0]

    # Without "shown", PUT replaces the list, as documented.
    res = client.put(f"/api/v1/facilities/{facility.id}/managers", headers=hq.auth, json={"usernames": []})
    assert res.get_json()["managers"] == []
    assert "No manager yet." in _form(client, hq, facility.id)[0]
