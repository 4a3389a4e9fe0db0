"""Supplies pages: a warehouse's page (its managers' home), the requester's
page and HQ's supplies board. Pages read through the services; every action
goes through the JSON API (forms with data-api), and live regions follow the
events of the user's rooms."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, current_app, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from coordinator import authz, localtime
from coordinator.api.schemas import Id
from coordinator.auth.models import User
from coordinator.authz import allow
from coordinator.extensions import db
from coordinator.geo.service import list_regions
from coordinator.pages import query_args
from coordinator.supplies import delivery_reads, page_data, requests, stock, warehouses
from coordinator.supplies.ledger import RECEIPT_SOURCES
from coordinator.supplies.models import (
    ALLOCATION_STATUSES,
    MOVE_EFFECTS,
    MOVE_KINDS,
    DeliveryRun,
    Item,
    Organization,
    Warehouse,
)

bp = Blueprint("supplies", __name__)
ACTIVE_RUNS = ("planned", "picked_up")
MOVES_SHOWN = 100
REQUESTS_SHOWN = 50
HISTORY_DAYS = 30


def register_pages(app: Flask) -> None:
    """The pages of this module (the homes are registered by init_app)."""
    app.register_blueprint(bp)


def labels() -> dict[str, dict[str, str]]:
    """Words for the codes the pages show, in the page's language."""
    return {
        "request": {
            "pending": _("waiting for stock"),
            "partly_allocated": _("partly allocated"),
            "allocated": _("allocated"),
            "dispatched": _("on the way"),
            "delivered": _("delivered"),
            "cancelled": _("cancelled"),
        },
        "line": {
            "waiting": _("waiting for stock"),
            "partly": _("partly allocated"),
            "allocated": _("allocated"),
            "delivered": _("delivered"),
        },
        "allocation": {
            "held": _("reserved"),
            "issued": _("on the way"),
            "delivered": _("delivered"),
            "released": _("reservation released"),
        },
        "run": {"planned": _("planned"), "picked_up": _("picked up"), "done": _("done"), "cancelled": _("cancelled")},
        "stop": {
            "planned": _("planned"),
            "delivered": _("delivered"),
            "failed": _("failed"),
            "cancelled": _("cancelled"),
        },
        "move": {
            "received": _("received"),
            "held": _("reserved"),
            "released": _("reservation released"),
            "issued": _("issued"),
            "delivered": _("delivered"),
            "returned": _("returned"),
            "adjusted": _("adjusted"),
            "counted": _("counted"),
            "transfer_out": _("transferred out"),
            "transfer_in": _("transferred in"),
        },
        "source": {"donor": _("donor"), "purchase": _("purchase"), "return": _("return"), "other": _("other")},
        "reason": {
            "damaged": _("damaged"),
            "expired": _("past expiry"),
            "lost": _("lost"),
            "found": _("found"),
            "correction": _("correction"),
            "count": _("count"),
            "transfer": _("transfer"),
            "allocation": _("allocation"),
            "short": _("short"),
            "missing": _("missing"),
            "wrong_item": _("wrong item"),
        },
        "method": {
            "full": _("served in full"),
            "water_filling": _("shared by water-filling (nobody gets more than asked)"),
            "days_of_cover": _("shared by levelling days of cover"),
            "override": _("set by an HQ override"),
        },
        "cover": {
            "critical": _("critical"),
            "low": _("below alert"),
            "ok": _("enough"),
            "no_issue": _("nothing issued"),
        },
        "reject": {
            "damaged": _("damaged"),
            "expired": _("past expiry"),
            "short": _("short"),
            "missing": _("missing"),
            "wrong_item": _("wrong item"),
            "other": _("other"),
        },
        "tier": {1: _("front-line medical"), 2: _("other medical"), 3: _("essential workers"), 4: _("union members")},
        "category": {
            "ppe": _("PPE"),
            "disinfectant": _("disinfectant"),
            "hygiene": _("hygiene"),
            "food": _("food"),
            "medical": _("medical"),
            "other": _("other"),
        },
    }


def _render(template: str, **context: Any) -> str:
    return render_template(template, labels=labels(), **context)


def _items() -> list[Item]:
    return list(db.session.scalars(select(Item).order_by(Item.name)))


def alert_days(item: Item | None) -> float:
    """Below how many days of cover an item is flagged (its own, else the default)."""
    if item is not None and item.alert_days:
        return item.alert_days
    return current_app.config["COVER_ALERT_DAYS"]


# -- the warehouse page ------------------------------------------------------------------


class MovesQuery(Schema):
    item_id = Id(error="Unknown item {input!r}: pick an item from the list.")
    kind = fields.String(validate=validate.OneOf(MOVE_KINDS, error="Unknown kind {input!r}: pick one from the list."))
    since = fields.Date(error_messages={"invalid": "Give the first day as a date (YYYY-MM-DD)."})
    until = fields.Date(error_messages={"invalid": "Give the last day as a date (YYYY-MM-DD)."})


def signed(kind: str, quantity: int) -> int:
    """A move's effect on the stock on hand (held and released moves show as they are)."""
    sign = MOVE_EFFECTS[kind][0]
    return quantity * sign if sign else quantity


def _moves_filter(wh: Warehouse) -> dict[str, Any]:
    """The moves filter of the page's query string, the moves it selects and
    the same selection as the API's CSV download."""
    args = query_args(MovesQuery())
    # Whole local days (TIMEZONE): from the first day's start to the last day's end.
    window: dict[str, Any] = {k: args[k] for k in ("item_id", "kind") if k in args}
    if "since" in args:
        window["since"] = localtime.day_start(args["since"])  # the days a person picked, in local time
    if "until" in args:
        window["until"] = localtime.day_start(args["until"] + timedelta(days=1))
    moves = warehouses.moves(session=db.session, warehouse_id=wh.id, limit=MOVES_SHOWN, **window)
    actors = {m.actor_id for m in moves if m.actor_id}
    names = {}
    if actors:
        names = dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(actors))).all())
    query = urlencode({k: v.isoformat() if isinstance(v, datetime) else v for k, v in window.items()})
    return {
        "args": args,
        "moves": moves,
        "actors": names,
        "csv": f"/api/v1/warehouses/{wh.id}/moves.csv" + (f"?{query}" if query else ""),
        "limit": MOVES_SHOWN,
    }


@bp.route("/warehouses/<int:warehouse_id>")
@allow(*authz.WAREHOUSE_ROLES)
def warehouse(warehouse_id: int):
    """One warehouse: stock by item and lot with days of cover, the forms that
    move stock, the pick lists of its runs and its moves."""
    wh = warehouses.get_warehouse(session=db.session, user=current_user, warehouse_id=warehouse_id)
    items = _items()
    by_id = {i.id: i for i in items}
    rows = warehouses.with_stock(db.session, wh).stock
    for row in rows:
        row["cover"] = stock.cover_status(row["days_of_cover"], alert_days=alert_days(by_id.get(row["item_id"])))
    others = db.session.scalars(
        select(Warehouse).where(Warehouse.id != wh.id, Warehouse.status == "open").order_by(Warehouse.name)
    )
    runs = db.session.scalars(
        select(DeliveryRun)
        .where(DeliveryRun.warehouse_id == wh.id, DeliveryRun.status.in_(ACTIVE_RUNS))
        .order_by(DeliveryRun.id)
    )
    return _render(
        "supplies/warehouse.html",
        warehouse=wh,
        stock=rows,
        items=items,
        sources=RECEIPT_SOURCES,
        reasons=current_app.config["SUPPLY_ADJUST_REASONS"],
        kinds=MOVE_KINDS,
        others=list(others),
        runs=list(runs),
        discrepancies=page_data.open_discrepancies(db.session, user=current_user, warehouse_id=wh.id),
        moves=_moves_filter(wh),
        mine=current_user.role == "warehouse_manager",
        signed=signed,
    )


def warehouse_home():
    """The warehouse manager's home: their one warehouse, or the list of them."""
    mine = warehouses.list_warehouses(session=db.session, user=current_user)
    if len(mine) == 1:
        return redirect(url_for("supplies.warehouse", warehouse_id=mine[0].id))
    return _render("supplies/warehouses.html", warehouses=[warehouses.with_stock(db.session, w) for w in mine])


# -- the requester's page ------------------------------------------------------------------


def line_state(line) -> str:
    if line.quantity_delivered >= line.quantity_requested:
        return "delivered"
    if line.quantity_allocated >= line.quantity_requested:
        return "allocated"
    return "partly" if line.quantity_allocated else "waiting"


def requester_home():
    """The requester's home: a new request, and their organization's requests
    with their lines, deliveries and proof."""
    mine = requests.list_requests(session=db.session, user=current_user, limit=REQUESTS_SHOWN)
    stops = {r.id: delivery_reads.stops_for_request(db.session, r.id) for r in mine}
    org = db.session.get(Organization, current_user.organization_id) if current_user.organization_id else None
    return _render(
        "supplies/requester.html",
        organization=org,
        requests=mine,
        stops=stops,
        runs=page_data.runs_of(db.session, [s["run_id"] for v in stops.values() for s in v]),
        items=_items(),
        line_state=line_state,
        today=localtime.local_today().isoformat(),
    )


# -- HQ's supplies board -----------------------------------------------------------------


class BoardQuery(Schema):
    region_id = Id(error="Unknown region {input!r}: pick a region from the list.")
    item_id = Id(error="Unknown item {input!r}: pick an item from the list.")
    status = fields.String(
        validate=validate.OneOf(ALLOCATION_STATUSES, error="Unknown status {input!r}: pick one from the list.")
    )


@bp.route("/hq/supplies")
@allow(*authz.HQ_ROLES)
def supplies_board():
    """Allocations with their reasoning and overrides, unserved lines, stock
    and days of cover per item and warehouse, and stock over time."""
    args = query_args(BoardQuery())
    region_id = authz.region_to_show(session=db.session, user=current_user, region_id=args.get("region_id"))
    item_id = args.get("item_id")
    items = _items()
    window = current_app.config["COVER_WINDOW_DAYS"]
    in_scope = warehouses.list_warehouses(session=db.session, user=current_user)
    if region_id is not None:
        in_scope = [w for w in in_scope if w.region_id == region_id]
    orgs = db.session.scalars(
        authz.scoped(select(Organization).order_by(Organization.name), current_user, region=Organization.region_id)
    ).all()
    if region_id is not None:
        orgs = [o for o in orgs if o.region_id == region_id]
    statuses = (args["status"],) if "status" in args else ("held", "issued")
    scope = {"user": current_user, "region_id": region_id}
    lines = page_data.allocation_lines(db.session, item_id=item_id, statuses=statuses, **scope)
    waiting = page_data.waiting(db.session, item_id=item_id, **scope)
    return _render(
        "supplies/board.html",
        scope=authz.region_scope(current_user),
        regions=list_regions(session=db.session),
        region_id=region_id,
        item_id=item_id,
        status=args.get("status"),
        statuses=ALLOCATION_STATUSES,
        items=items,
        allocations=lines,
        unserved=waiting,
        warehouses=in_scope,
        discrepancies=page_data.open_discrepancies(db.session, **scope),
        organizations=orgs,
        cover=page_data.cover(db.session, window_days=window, region_id=region_id, items=items, alert_days=alert_days),
        history=stock.history(session=db.session, days=HISTORY_DAYS, region_id=region_id),
        today=localtime.local_today().isoformat(),
    )
