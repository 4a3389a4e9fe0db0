"""The supplies pages through HTTP: a warehouse manager's page with stock by
lot, days of cover, the forms that move stock and the moves with their CSV;
the requester's page; who may open which page."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from coordinator.common.clock import now
from coordinator.supplies.models import Item

ALMATY = ZoneInfo("Asia/Almaty")


def _utc(day: date) -> str:
    """The start of a local day in Almaty, as the naive UTC the API reads."""
    return datetime.combine(day, time.min, tzinfo=ALMATY).astimezone(UTC).replace(tzinfo=None).isoformat()


@pytest.fixture
def warehouse_with_stock(make, db_session):
    """A warehouse with masks issued 10 a day (3 days of cover is below the
    7-day default alert) and hand sanitizer in two lots, and its manager."""
    wh = make.warehouse("almaty")
    mask = make.stock(wh, "Medical mask", on_hand=30, per_day=10)
    gel = Item(code="gel", name="Hand sanitizer", unit="l", tracks_expiry=True)
    db_session.add(gel)
    db_session.commit()
    manager = make.account("warehouse_manager")
    manager.user.warehouses = [wh]
    db_session.commit()
    return wh, mask, gel, manager


def receive(api, wh, account, **body):
    status, move = api("post", f"/warehouses/{wh.id}/receipts", account, json={"source": "donor", **body})
    assert status == 201, move
    return move


def test_manager_lands_on_the_warehouse_and_sees_stock_by_lot_with_days_of_cover(
    client, make, login, api, parse_html, warehouse_with_stock
):
    wh, mask, gel, manager = warehouse_with_stock
    other = make.warehouse("pavlodar")
    soon = (now() + timedelta(days=20)).date().isoformat()
    later = (now() + timedelta(days=200)).date().isoformat()
    receive(api, wh, manager, item_id=gel.id, quantity=12, lot_code="B-2", expires_on=later)
    receive(api, wh, manager, item_id=gel.id, quantity=8, lot_code="A-1", expires_on=soon)

    login(manager)
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"] == f"/warehouses/{wh.id}"
    html = client.get(f"/warehouses/{wh.id}").get_data(as_text=True)
    page = parse_html(html)

    masks = page.text(f"stock-{mask.id}")
    assert "Medical mask" in masks and "Available: 30 pcs" in masks and "3.0 days" in masks
    # 3 days is below the 7-day alert (and above a third of it: low, not critical).
    assert f'class="stock-item cover-low" id="stock-{mask.id}"' in html
    # One row per lot, the earliest expiry first: lot, expiry, on hand, held, available.
    lots = ["".join(page.text(i).split()) for i in page.inside(f"stock-{gel.id}") if i.startswith("lot-")]
    assert lots == [f"A-1{soon}808", f"B-2{later}12012"]
    assert "Available: 20 l" in page.text(f"stock-{gel.id}")

    # The forms post to the ledger's API; the adjust form offers each lot.
    for path in ("receipts", "adjustments", "counts", "transfers"):
        assert f'data-api="POST /api/v1/warehouses/{wh.id}/{path}"' in html
    assert "A-1" in page.text("adjust") and "damaged" in page.text("adjust")
    assert other.name in page.text("transfer")
    assert 'data-tracks-expiry="yes"' in html
    assert "No delivery run is planned from this warehouse." in page.text("runs")


def test_moves_filter_and_the_csv_link_give_the_same_moves(client, login, api, parse_html, warehouse_with_stock):
    wh, mask, gel, manager = warehouse_with_stock
    receive(api, wh, manager, item_id=mask.id, quantity=40, reference="Gift 7")
    lot_id = api("get", f"/warehouses/{wh.id}", manager)[1]["stock"][-1]["lots"][0]["lot_id"]
    status, _ = api(
        "post",
        f"/warehouses/{wh.id}/adjustments",
        manager,
        json={"lot_id": lot_id, "quantity": -2, "reason_code": "damaged", "note": "wet box"},
    )
    assert status == 201
    login(manager)
    # The days a person picks are local (BIRLIK_TIMEZONE, Asia/Almaty by default).
    local_today = datetime.now(ALMATY).date()
    today = local_today.isoformat()
    query = f"item_id={mask.id}&kind=received&since={today}&until={today}"
    page = parse_html(client.get(f"/warehouses/{wh.id}?{query}").get_data(as_text=True))
    shown = [i for i in page.inside("moves-list") if i.startswith("move-")]
    assert len(shown) == 1 and "Gift 7" in page.text(shown[0]) and "+40" in page.text(shown[0])

    html = client.get(f"/warehouses/{wh.id}?{query}").get_data(as_text=True)
    href = html.split('id="moves-csv" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    url = urlsplit(href)
    assert url.path == f"/api/v1/warehouses/{wh.id}/moves.csv"
    assert parse_qs(url.query) == {
        "item_id": [str(mask.id)],
        "kind": ["received"],
        "since": [_utc(local_today)],
        "until": [_utc(local_today + timedelta(days=1))],
    }
    resp = client.get(href)
    assert resp.status_code == 200
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert [(r["id"], r["reference"]) for r in rows] == [(shown[0].removeprefix("move-"), "Gift 7")]

    # All kinds: the adjustment shows, signed, with its reason.
    page = parse_html(client.get(f"/warehouses/{wh.id}?kind=adjusted").get_data(as_text=True))
    [adjusted] = [i for i in page.inside("moves-list") if i.startswith("move-")]
    assert "-2" in page.text(adjusted) and "damaged" in page.text(adjusted) and "wet box" in page.text(adjusted)

    bad = client.get(f"/warehouses/{wh.id}?kind=stolen")
    assert bad.status_code == 422 and "pick one from the list" in bad.get_data(as_text=True)


def test_who_may_open_a_warehouse_page(client, make):
    accounts = make.every_role("almaty")
    mine = make.scope["warehouse"]
    elsewhere = make.warehouse("pavlodar")
    expected = {
        "admin": (200, 200),
        "hq": (200, 200),
        "hq_regional": (200, 403),
        "warehouse_manager": (200, 403),
        "facility_manager": (403, 403),
        "field": (403, 403),
        "hotline_operator": (403, 403),
        "requester": (403, 403),
    }
    for name, (own, other) in expected.items():
        auth = accounts[name].auth
        got = (
            client.get(f"/warehouses/{mine.id}", headers=auth).status_code,
            client.get(f"/warehouses/{elsewhere.id}", headers=auth).status_code,
        )
        assert got == (own, other), name


def test_a_manager_of_two_warehouses_gets_the_list_and_one_of_none_an_empty_state(client, make, parse_html, db_session):
    first, second = make.warehouse("almaty"), make.warehouse("almaty")
    make.stock(first, "Gloves", on_hand=7)
    two = make.account("warehouse_manager")
    two.user.warehouses = [first, second]
    db_session.commit()
    page = parse_html(client.get("/", headers=two.auth).get_data(as_text=True))
    assert page.text(f"warehouse-{first.id}").startswith(first.name)
    assert "Gloves: Available 7 pcs" in page.text(f"warehouse-{first.id}")
    assert "No stock recorded yet." in page.text(f"warehouse-{second.id}")

    none = make.account("warehouse_manager")
    assert "No warehouse is assigned to you yet." in client.get("/", headers=none.auth).get_data(as_text=True)


def test_requester_files_a_request_and_sees_only_its_organization(client, make, login, api, parse_html, db_session):
    accounts = make.every_role("almaty")
    wh = make.warehouse("almaty")
    mask = make.stock(wh, "Medical mask", on_hand=0)
    requester, org = accounts["requester"], make.scope["organization"]
    other_org = make.organization("almaty", tier=3)

    login(requester)
    page = parse_html(client.get("/").get_data(as_text=True))
    assert "Your organization has no supply requests yet." in page.text("requests")
    assert "Medical mask" in page.text("new-request")

    status, mine = api(
        "post",
        "/supply-requests",
        requester,
        json={"lines": [{"item_id": mask.id, "quantity": 50, "on_hand": 5, "daily_use": 2.5}], "note": "ICU"},
    )
    assert status == 201, mine
    theirs_body = {"organization_id": other_org.id, "lines": [{"item_id": mask.id, "quantity": 9}]}
    status, theirs = api("post", "/supply-requests", json=theirs_body)
    assert status == 201
    html = client.get("/").get_data(as_text=True)
    page = parse_html(html)
    assert page.inside("requests").count(f"request-{mine['id']}") == 1
    assert f"request-{theirs['id']}" not in page.ids()
    line = page.text(f"line-{mine['lines'][0]['id']}")
    assert line.startswith("Medical mask 50 pcs 0 0") and "waiting for stock" in line
    assert org.name in html and "ICU" in page.text(f"request-{mine['id']}")
    assert f'data-api="POST /api/v1/supply-requests/{mine["id"]}/cancel"' in html

    for name in ("warehouse_manager", "field", "facility_manager", "hotline_operator"):
        assert client.get("/hq/supplies", headers=accounts[name].auth).status_code == 403


def test_hq_board_shows_cover_alerts_waiting_lines_and_the_request_form(client, make, login, api, parse_html):
    wh = make.warehouse("almaty")
    mask = make.stock(wh, "Medical mask", on_hand=30, per_day=10)
    gloves = make.stock(wh, "Gloves", on_hand=500, per_day=10)
    org = make.organization("almaty", tier=2)
    status, req = api(
        "post", "/supply-requests", json={"organization_id": org.id, "lines": [{"item_id": mask.id, "quantity": 80}]}
    )
    assert status == 201
    hq = make.account("hq")
    login(hq)
    html = client.get("/hq/supplies").get_data(as_text=True)
    page = parse_html(html)
    assert "Medical mask" in page.text(f"cover-alert-{mask.id}") and "3.0 days" in page.text(f"cover-alert-{mask.id}")
    assert f"cover-alert-{gloves.id}" not in page.ids()
    assert "cover-low" in html and f'id="cover-{wh.id}-{mask.id}" class="cover-low"' in html
    assert f'id="cover-{wh.id}-{gloves.id}" class="cover-ok"' in html
    line_id = req["lines"][0]["id"]
    waiting = page.text(f"unserved-{line_id}")
    assert org.name in waiting and "80 still needed" in waiting
    assert f'data-api="PUT /api/v1/supply-lines/{line_id}/override"' in html
    assert org.name in page.text("new-request")
    history = page.json("stock-history")
    assert set(history["series"]) == {"Medical mask", "Gloves"} and history["series"]["Medical mask"][-1] == 30

    # A regional HQ sees its region only, and may not ask for another.
    regional = make.account("hq", region_id=make.region("pavlodar").id)
    resp = client.get("/hq/supplies", headers=regional.auth)
    assert resp.status_code == 200 and org.name not in resp.get_data(as_text=True)
    assert client.get(f"/hq/supplies?region_id={make.region('almaty').id}", headers=regional.auth).status_code == 403
