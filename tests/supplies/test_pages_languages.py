"""The supplies pages in Russian and Kazakh show none of the English of the
catalogue (tests/i18n/shown.py): every word they print is translated."""

from __future__ import annotations

import pytest

from tests.i18n import shown
from tests.supplies import pages_setup


@pytest.mark.parametrize("locale", ["ru", "kk"])
def test_supplies_pages_speak_the_users_language(app, client, make, api, run_jobs, db_session, locale):
    """Along a whole cycle: stock below its alert, allocations with their
    reasoning and an override, lines waiting, a run, a proof with a
    shortfall, a discrepancy and the ledger of it."""
    catalogue = shown.catalogue()
    world = pages_setup.scarce(app, make, api)
    make.stock(world.warehouse, "Gloves", on_hand=30, per_day=10)  # 3 days of cover: below the alert
    other = make.warehouse("almaty")
    hq = make.account("hq")
    # Names are data, not messages: names that are no English word of the catalogue.
    world.warehouse.name, other.name = "Алатау", "Медеу"
    world.ours.name, world.theirs.name = "Қалалық аурухана №7", "Орталық клиника"
    db_session.commit()
    for org, asked in ((world.ours, 80), (world.theirs, 60)):
        body = {"organization_id": org.id, "lines": [{"item_id": world.masks.id, "quantity": asked}]}
        assert api("post", "/supply-requests", json=body)[0] == 201
    run_jobs()
    [run] = api("get", "/supplies/runs")[1]
    pages_setup.deliver(api, world, run, {world.ours.id: 5})
    more = {"lines": [{"item_id": world.masks.id, "quantity": 9}]}
    status, later = api("post", "/supply-requests", world.requester, json=more)
    assert status == 201
    override = {"quantity": 4, "reason": "Жедел"}
    assert api("put", f"/supply-lines/{later['lines'][0]['id']}/override", json=override)[0] == 200
    for account in (world.manager, world.requester, hq):
        account.user.locale = locale
    db_session.commit()

    pages = {
        "warehouse": (world.manager, f"/warehouses/{world.warehouse.id}"),
        "requester": (world.requester, "/"),
        "board": (hq, "/hq/supplies"),
        "board, delivered": (hq, "/hq/supplies?status=delivered"),
        "hq screen": (hq, "/hq"),
    }
    for name, (account, path) in pages.items():
        resp = client.get(path, headers=account.auth)
        assert resp.status_code == 200, (name, resp.status_code)
        html = resp.get_data(as_text=True)
        assert f'lang="{locale}"' in html
        assert shown.english_left(html, catalogue, locale) == [], name
    board = client.get("/hq/supplies?status=delivered", headers=hq.auth).get_data(as_text=True)
    assert world.ours.name in board and "Медеу" in board
