"""The stock ledger through the API: receive, adjust, count, transfer, the
moves and their CSV, and the bad input that must write no move."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from coordinator.common.clock import now
from coordinator.supplies.models import Item, StockMove


@pytest.fixture
def stocked(make, db_session):
    wh = make.warehouse("almaty")
    mask = make.stock(wh, "Medical mask", on_hand=100)
    gel = Item(code="gel", name="Hand sanitizer", unit="l", tracks_expiry=True)
    db_session.add(gel)
    db_session.commit()
    manager = make.account("warehouse_manager")
    manager.user.warehouses = [wh]
    db_session.commit()
    return wh, mask, gel, manager


def stock_of(api, wh, item_id, account=None):
    status, body = api("get", f"/warehouses/{wh.id}", account)
    assert status == 200, body
    return next((row for row in body["stock"] if row["item_id"] == item_id), None)


def moves_of(count, wh):
    return count(StockMove, StockMove.warehouse_id == wh.id)


def test_receive_adjust_count_and_transfer_keep_balances_equal_to_moves(api, make, stocked, db_session):
    wh, mask, gel, manager = stocked
    status, move = api(
        "post",
        f"/warehouses/{wh.id}/receipts",
        manager,
        json={"item_id": mask.id, "quantity": 40, "source": "donor", "reference": "Gift 7"},
    )
    assert status == 201 and move["kind"] == "received" and move["reference"] == "Gift 7"
    assert stock_of(api, wh, mask.id, manager)["on_hand"] == 140

    # Sanitizer has expiry dates: two lots, the earlier one is taken first.
    soon, later = (now() + timedelta(days=30)).date(), (now() + timedelta(days=300)).date()
    for code, expires, qty in (("B-LATE", later, 50), ("A-SOON", soon, 20)):
        status, _ = api(
            "post",
            f"/warehouses/{wh.id}/receipts",
            manager,
            json={"item_id": gel.id, "quantity": qty, "source": "purchase", "lot_code": code,
                  "expires_on": expires.isoformat()},
        )  # fmt: skip
        assert status == 201
    row = stock_of(api, wh, gel.id, manager)
    assert [lot["code"] for lot in row["lots"]] == ["A-SOON", "B-LATE"] and row["on_hand"] == 70

    other = make.warehouse("almaty")
    status, moved = api(
        "post", f"/warehouses/{wh.id}/transfers", json={"to_warehouse_id": other.id, "item_id": gel.id, "quantity": 30}
    )
    assert status == 201
    # 20 of the lot that expires first, then 10 of the next.
    outs = sorted((m["lot"], m["quantity"]) for m in moved if m["kind"] == "transfer_out")
    assert outs == [("A-SOON", 20), ("B-LATE", 10)]
    assert stock_of(api, other, gel.id)["on_hand"] == 30

    lot_id = stock_of(api, wh, mask.id)["lots"][0]["lot_id"]
    status, adj = api(
        "post",
        f"/warehouses/{wh.id}/adjustments",
        manager,
        json={"lot_id": lot_id, "quantity": -5, "reason_code": "damaged", "note": "wet boxes"},
    )
    assert status == 201 and adj["quantity"] == -5 and adj["reason_code"] == "damaged"

    # The count writes the difference from the stock at the moment of the count.
    status, counted = api("post", f"/warehouses/{wh.id}/counts", manager, json={"item_id": mask.id, "counted": 130})
    assert status == 201 and counted["quantity"] == 130 - 135 and counted["counted"] == 130
    assert stock_of(api, wh, mask.id)["on_hand"] == 130

    from coordinator.supplies import ledger

    assert ledger.verify(session=db_session) == []


def test_a_late_entry_needs_its_reason_and_the_balance_as_of_any_date_stays_right(api, stocked, db_session, count):
    wh, mask, _, manager = stocked
    two_days_ago = now() - timedelta(days=2)
    body = {"item_id": mask.id, "quantity": 10, "source": "donor", "occurred_at": two_days_ago.isoformat() + "Z"}
    before = moves_of(count, wh)
    status, err = api("post", f"/warehouses/{wh.id}/receipts", manager, json=body)
    assert status == 422 and "late" in str(err).lower() and moves_of(count, wh) == before
    status, move = api(
        "post", f"/warehouses/{wh.id}/receipts", manager, json=body | {"late_reason": "paper waybill found today"}
    )
    assert status == 201 and move["reason"] == "paper waybill found today"
    from coordinator.supplies import ledger

    db_session.expire_all()
    three_days_ago = ledger.balance_as_of(session=db_session, warehouse_id=wh.id, item_id=mask.id,
                                          at=now() - timedelta(days=3))  # fmt: skip
    one_day_ago = ledger.balance_as_of(session=db_session, warehouse_id=wh.id, item_id=mask.id,
                                       at=now() - timedelta(days=1))  # fmt: skip
    assert one_day_ago["on_hand"] - three_days_ago["on_hand"] == 10


def test_a_late_count_is_taken_against_the_stock_of_its_own_moment(api, stocked, db_session):
    wh, mask, _, manager = stocked
    counted_at = now() - timedelta(hours=3)
    # After the count was made (100 on the shelf then), 25 more arrived.
    status, _ = api(
        "post", f"/warehouses/{wh.id}/receipts", manager, json={"item_id": mask.id, "quantity": 25, "source": "donor"}
    )
    assert status == 201
    status, move = api(
        "post",
        f"/warehouses/{wh.id}/counts",
        manager,
        json={"item_id": mask.id, "counted": 97, "occurred_at": counted_at.isoformat() + "Z",
              "late_reason": "count sheet typed in after the shift"},
    )  # fmt: skip
    assert status == 201 and move["quantity"] == -3  # 97 counted against 100 then, not 125 now
    assert stock_of(api, wh, mask.id)["on_hand"] == 122


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("receipts", {"item_id": "MASK", "quantity": 0, "source": "donor"}, 422, "quantity"),
        ("receipts", {"item_id": "MASK", "quantity": -4, "source": "donor"}, 422, "quantity"),
        ("receipts", {"item_id": 999999, "quantity": 4, "source": "donor"}, 422, "item_id"),
        ("receipts", {"item_id": "GEL", "quantity": 4, "source": "donor"}, 422, "lot"),
        ("receipts", {"item_id": "MASK", "quantity": 4, "source": "gift shop"}, 422, "source"),
        ("adjustments", {"lot_id": "MASK_LOT", "quantity": -3}, 422, "reason_code"),
        ("adjustments", {"lot_id": "MASK_LOT", "quantity": -3, "reason_code": "stolen"}, 422, "reason_code"),
        ("adjustments", {"lot_id": 999999, "quantity": -3, "reason_code": "lost"}, 422, "lot_id"),
        ("adjustments", {"lot_id": "MASK_LOT", "quantity": -500, "reason_code": "lost"}, 409, "quantity"),
        ("counts", {"item_id": "MASK", "counted": -1}, 422, "counted"),
        ("counts", {"item_id": "GLOVES", "counted": 12}, 422, "reason"),
        ("transfers", {"to_warehouse_id": "SELF", "item_id": "MASK", "quantity": 5}, 422, "to_warehouse_id"),
        ("transfers", {"to_warehouse_id": "OTHER", "item_id": "MASK", "quantity": 101}, 409, "quantity"),
    ],
)
def test_bad_input_is_a_clear_4xx_and_writes_no_move(api, make, stocked, db_session, count, path, body, status, field):
    wh, mask, gel, manager = stocked
    gloves = Item(code="gloves", name="Gloves", unit="pairs")
    db_session.add(gloves)
    db_session.commit()
    lot_id = stock_of(api, wh, mask.id)["lots"][0]["lot_id"]
    names = {"MASK": mask.id, "GEL": gel.id, "GLOVES": gloves.id, "MASK_LOT": lot_id, "SELF": wh.id,
             "OTHER": make.warehouse("almaty").id}  # fmt: skip
    body = {k: names.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    before = count(StockMove)
    got, err = api("post", f"/warehouses/{wh.id}/{path}", manager, json=body)
    assert got == status, err
    assert field in str(err)
    assert count(StockMove) == before


def test_a_count_of_an_item_never_held_is_allowed_with_a_reason(api, stocked, db_session):
    wh, _, _, manager = stocked
    gloves = Item(code="gloves", name="Gloves", unit="pairs")
    db_session.add(gloves)
    db_session.commit()
    status, move = api(
        "post",
        f"/warehouses/{wh.id}/counts",
        manager,
        json={"item_id": gloves.id, "counted": 12, "reason": "found a box left by a donor"},
    )
    assert status == 201 and move["quantity"] == 12
    assert stock_of(api, wh, gloves.id)["on_hand"] == 12


def test_a_closed_warehouse_receives_nothing(api, stocked, db_session, count):
    wh, mask, _, manager = stocked
    wh.status = "closed"
    db_session.commit()
    before = count(StockMove)
    status, err = api(
        "post", f"/warehouses/{wh.id}/receipts", manager, json={"item_id": mask.id, "quantity": 5, "source": "donor"}
    )
    assert status == 409 and "closed" in err["message"] and count(StockMove) == before


def test_only_hq_and_the_warehouses_own_managers_move_its_stock(api, make, stocked, count):
    wh, mask, _, _ = stocked
    stranger = make.account("warehouse_manager")
    astana_hq = make.account("hq", region_id=make.region("astana").id)
    body = {"item_id": mask.id, "quantity": 5, "source": "donor"}
    before = count(StockMove)
    for account in (stranger, astana_hq, make.account("requester"), make.account("field")):
        status, _ = api("post", f"/warehouses/{wh.id}/receipts", account, json=body)
        assert status in (403, 404), account.user.role
    assert count(StockMove) == before
    almaty_hq = make.account("hq", region_id=make.region("almaty").id)
    assert api("post", f"/warehouses/{wh.id}/receipts", almaty_hq, json=body)[0] == 201


def test_the_moves_filter_and_export_as_csv(api, client, stocked):
    wh, mask, _, manager = stocked
    api("post", f"/warehouses/{wh.id}/receipts", manager, json={"item_id": mask.id, "quantity": 7, "source": "donor",
                                                                "reference": "=HYPERLINK(1)"})  # fmt: skip
    status, rows = api("get", f"/warehouses/{wh.id}/moves?kind=received&item_id={mask.id}", manager)
    assert status == 200 and [r["quantity"] for r in rows] == [7, 100]
    resp = client.get(f"/api/v1/warehouses/{wh.id}/moves.csv?kind=received", headers=manager.auth)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert [r["quantity"] for r in table] == ["7", "100"]
    assert table[0]["reference"] == "'=HYPERLINK(1)"  # never a formula in a spreadsheet
    assert api("get", f"/warehouses/{wh.id}/moves?colour=red", manager)[0] == 422


def test_the_ledger_is_the_record(db_session, stocked, api):
    wh, mask, _, manager = stocked
    api("post", f"/warehouses/{wh.id}/receipts", manager, json={"item_id": mask.id, "quantity": 3, "source": "donor"})
    kinds = db_session.scalars(select(StockMove.kind).where(StockMove.warehouse_id == wh.id)).all()
    assert sorted(kinds) == ["received", "received"]
