"""The stock ledger: every change of stock is a move, written together with
its balance under one conditional update, so a balance is exact under any
number of concurrent writers and available stock can never go below zero.

Services here never commit (the view or the job does). Quantities are whole
units and positive, except an adjustment's or a count's signed difference."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from coordinator.common.clock import now
from coordinator.common.errors import Conflict, Invalid, NotFound
from coordinator.events import service as events
from coordinator.i18n import N_, text
from coordinator.supplies.item_names import item_text, unit_text
from coordinator.supplies.models import MOVE_EFFECTS, Item, Lot, StockBalance, StockMove, Warehouse

RECEIPT_SOURCES = ("donor", "purchase", "return", "other")


# -- lots and balances -----------------------------------------------------------------


def get_item(session: Session, item_id: Any, *, field: str = "item_id") -> Item:
    item = session.get(Item, item_id) if isinstance(item_id, int) else None
    if item is None:
        raise Invalid(text(N_("Unknown item %(item_id)s. Pick one from /api/v1/items."), item_id=item_id), field=field)
    return item


def lot_for(session: Session, item: Item, *, code: str = "", expires_on: date | None = None) -> Lot:
    """The lot to receive into: an item that tracks expiry needs a lot code
    and an expiry date; other items use their one default lot."""
    code = (code or "").strip()
    if item.tracks_expiry and (not code or expires_on is None):
        raise Invalid(
            text(N_("%(item)s has an expiry date: give the lot code and its expiry date."), item=item_text(item.name)),
            field="lot",
        )
    if not item.tracks_expiry:
        code, expires_on = "", None
    lot = session.scalar(select(Lot).where(Lot.item_id == item.id, Lot.code == code))
    if lot is None:
        lot = Lot(item_id=item.id, code=code, expires_on=expires_on)
        session.add(lot)
        session.flush()
    elif expires_on is not None and lot.expires_on != expires_on:
        raise Invalid(
            text(
                N_("Lot %(code)s of %(item)s expires on %(recorded)s, not %(given)s."),
                code=code,
                item=item_text(item.name),
                recorded=lot.expires_on,
                given=expires_on,
            ),
            field="expires_on",
        )
    return lot


def _balance(session: Session, warehouse_id: int, lot: Lot) -> StockBalance:
    """The balance row of a lot in a warehouse, created (race-free) if missing."""
    values = {"warehouse_id": warehouse_id, "item_id": lot.item_id, "lot_id": lot.id, "on_hand": 0, "held": 0}
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(StockBalance).values(**values).on_conflict_do_nothing())
    return session.scalar(
        select(StockBalance)
        .where(StockBalance.warehouse_id == warehouse_id, StockBalance.lot_id == lot.id)
        .execution_options(populate_existing=True)
    )


def _apply(session: Session, balance: StockBalance, kind: str, quantity: int, **fields: Any) -> StockMove:
    """Write one move and change its balance in the same statement's guard:
    the update only happens if the balance stays valid, so two writers can
    never both take the last unit."""
    _guarded(session, balance, kind, quantity)
    move = StockMove(
        warehouse_id=balance.warehouse_id, item_id=balance.item_id, lot_id=balance.lot_id, kind=kind,
        quantity=quantity, **fields,
    )  # fmt: skip
    session.add(move)
    return move


def _guarded(session: Session, balance: StockBalance, kind: str, quantity: int) -> None:
    """Change a balance by a move of `kind` only if it stays valid (else Conflict)."""
    on_hand_sign, held_sign = MOVE_EFFECTS[kind]
    d_on_hand, d_held = on_hand_sign * quantity, held_sign * quantity
    done = session.execute(
        update(StockBalance)
        .where(
            StockBalance.id == balance.id,
            StockBalance.on_hand + d_on_hand >= 0,
            StockBalance.held + d_held >= 0,
            StockBalance.held + d_held <= StockBalance.on_hand + d_on_hand,
        )
        .values(on_hand=StockBalance.on_hand + d_on_hand, held=StockBalance.held + d_held)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        session.refresh(balance)
        item = session.get(Item, balance.item_id)
        raise Conflict(
            text(
                N_(
                    "Not enough %(item)s: %(available)s available, %(held)s held for allocations; "
                    "this %(kind)s needs %(needed)s."
                ),
                item=item_text(item.name),
                available=balance.on_hand - balance.held,
                held=balance.held,
                kind=kind.replace("_", " "),
                needed=abs(quantity),
            ),
            field="quantity",
        )
    session.refresh(balance)


def _open_warehouse(session: Session, warehouse_id: int, *, field: str = "warehouse_id") -> Warehouse:
    wh = session.get(Warehouse, warehouse_id)
    if wh is None:
        raise NotFound(text(N_("No warehouse with id %(warehouse_id)s."), warehouse_id=warehouse_id), field=field)
    if wh.status != "open":
        raise Conflict(text(N_("%(wh)s is closed: reopen it before moving stock in or out."), wh=wh.name), field=field)
    return wh


def _positive(quantity: int, field: str = "quantity") -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise Invalid(text(N_("The quantity must be a whole number above zero.")), field=field)
    return quantity


def _when(occurred_at: datetime | None, late_reason: str) -> tuple[datetime, str]:
    """When a move happened. A move dated well before now is a late entry and
    must say why; a move in the future is refused."""
    at = now()
    if occurred_at is None:
        return at, ""
    if occurred_at > at + timedelta(minutes=5):
        raise Invalid(text(N_("A move cannot happen in the future.")), field="occurred_at")
    late = at - occurred_at > timedelta(minutes=current_app.config["SUPPLY_LATE_ENTRY_MINUTES"])
    if late and not (late_reason or "").strip():
        raise Invalid(text(N_("This entry is late: say why it is recorded only now.")), field="late_reason")
    return occurred_at, (late_reason or "").strip()


def _record(session: Session, wh: Warehouse, type_: str, actor_id: int | None, moves: list[StockMove], **extra: Any):
    session.flush()
    events.record(
        session=session,
        type=type_,
        subject_type="warehouse",
        subject_id=wh.id,
        rooms=events.rooms(regions=[wh.region_id], warehouses=[wh.id]),
        actor_id=actor_id,
        after={
            "warehouse_id": wh.id,
            "moves": [{"id": m.id, "item_id": m.item_id, "lot_id": m.lot_id, "kind": m.kind, "quantity": m.quantity}
                      for m in moves],
            **extra,
        },
    )  # fmt: skip


# -- what warehouse managers do --------------------------------------------------------


def receive(
    *,
    session: Session,
    warehouse_id: int,
    item_id: int,
    quantity: int,
    source: str,
    reference: str = "",
    lot_code: str = "",
    expires_on: date | None = None,
    occurred_at: datetime | None = None,
    late_reason: str = "",
    actor_id: int | None = None,
) -> StockMove:
    """Stock arrives from a donor or a purchase."""
    _positive(quantity)
    if source not in RECEIPT_SOURCES:
        raise Invalid(
            text(
                N_("Unknown source '%(source)s'. Use one of: %(choices)s."),
                source=source,
                choices=", ".join(RECEIPT_SOURCES),
            ),
            field="source",
        )
    wh = _open_warehouse(session, warehouse_id)
    lot = lot_for(session, get_item(session, item_id), code=lot_code, expires_on=expires_on)
    at, why = _when(occurred_at, late_reason)
    move = _apply(
        session, _balance(session, wh.id, lot), "received", quantity,
        reason_code=source, reference=reference.strip(), reason=why, occurred_at=at, actor_id=actor_id,
    )  # fmt: skip
    _record(session, wh, "stock.received", actor_id, [move])
    return move


def adjust(
    *,
    session: Session,
    warehouse_id: int,
    lot_id: int,
    quantity: int,
    reason_code: str,
    note: str = "",
    occurred_at: datetime | None = None,
    late_reason: str = "",
    actor_id: int | None = None,
) -> StockMove:
    """A signed correction with a reason code from the configured list."""
    reasons = current_app.config["SUPPLY_ADJUST_REASONS"]
    if not reason_code:
        raise Invalid(
            text(N_("An adjustment needs a reason: one of %(choices)s."), choices=", ".join(reasons)),
            field="reason_code",
        )
    if reason_code not in reasons:
        raise Invalid(
            text(
                N_("Unknown reason '%(reason_code)s'. Use one of: %(choices)s."),
                reason_code=reason_code,
                choices=", ".join(reasons),
            ),
            field="reason_code",
        )
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity == 0:
        raise Invalid(text(N_("The adjustment must be a whole number other than zero.")), field="quantity")
    wh = _open_warehouse(session, warehouse_id)
    lot = _lot(session, lot_id)
    at, why = _when(occurred_at, late_reason)
    reason = "; ".join(x for x in (note.strip(), why) if x)
    move = _apply(
        session, _balance(session, wh.id, lot), "adjusted", quantity,
        reason_code=reason_code, reason=reason, occurred_at=at, actor_id=actor_id,
    )  # fmt: skip
    _record(session, wh, "stock.adjusted", actor_id, [move])
    return move


def count(
    *,
    session: Session,
    warehouse_id: int,
    item_id: int,
    counted: int,
    lot_id: int | None = None,
    reason: str = "",
    reference: str = "",
    occurred_at: datetime | None = None,
    late_reason: str = "",
    actor_id: int | None = None,
) -> StockMove:
    """A physical count. The difference is taken against the stock at the
    moment of the count (under the balance's lock, and for a late count as of
    the time it was made), never against an earlier snapshot."""
    if not isinstance(counted, int) or isinstance(counted, bool) or counted < 0:
        raise Invalid(text(N_("The counted quantity must be a whole number, zero or more.")), field="counted")
    wh = _open_warehouse(session, warehouse_id)
    item = get_item(session, item_id)
    if lot_id is not None:
        lot = _lot(session, lot_id, item=item)
    else:
        lots = session.scalars(
            select(Lot).join(StockBalance, StockBalance.lot_id == Lot.id)
            .where(StockBalance.warehouse_id == wh.id, Lot.item_id == item.id)
        ).all()  # fmt: skip
        if len(lots) > 1:
            raise Invalid(
                text(
                    N_("%(item)s is kept here in %(lots)s lots: count each lot."),
                    item=item_text(item.name),
                    lots=len(lots),
                ),
                field="lot_id",
            )
        lot = lots[0] if lots else None
    if lot is None or not _has_moves(session, wh.id, lot.id):
        if not reason.strip():
            raise Invalid(
                text(N_("This warehouse never had %(item)s: say why it is being counted."), item=item_text(item.name)),
                field="reason",
            )
        lot = lot or lot_for(session, item)
    balance = _balance(session, wh.id, lot)
    at, why = _when(occurred_at, late_reason)
    session.execute(select(StockBalance.id).where(StockBalance.id == balance.id).with_for_update())
    on_hand_then = _as_of(session, wh.id, lot.id, at)[0] if occurred_at is not None else balance.on_hand
    note = "; ".join(x for x in (reason.strip(), why) if x)
    move = _apply(
        session, balance, "counted", counted - on_hand_then,
        counted=counted, reason_code="count", reference=reference.strip(), reason=note, occurred_at=at,
        actor_id=actor_id,
    )  # fmt: skip
    _record(session, wh, "stock.counted", actor_id, [move], counted=counted, difference=move.quantity)
    return move


def transfer(
    *,
    session: Session,
    from_warehouse_id: int,
    to_warehouse_id: int,
    item_id: int,
    quantity: int,
    reference: str = "",
    actor_id: int | None = None,
) -> list[StockMove]:
    """Move available stock to another warehouse, earliest expiry first."""
    _positive(quantity)
    if from_warehouse_id == to_warehouse_id:
        raise Invalid(text(N_("Pick another warehouse to transfer to.")), field="to_warehouse_id")
    source = _open_warehouse(session, from_warehouse_id)
    target = _open_warehouse(session, to_warehouse_id, field="to_warehouse_id")
    item = get_item(session, item_id)
    moves = []
    for balance, take in _fefo(session, source.id, item, quantity):
        common = {"reference": reference.strip(), "actor_id": actor_id, "reason_code": "transfer"}
        moves.append(_apply(session, balance, "transfer_out", take, counterpart_warehouse_id=target.id, **common))
        inbound = _balance(session, target.id, balance.lot)
        moves.append(_apply(session, inbound, "transfer_in", take, counterpart_warehouse_id=source.id, **common))
    _record(session, source, "stock.transferred", actor_id, [m for m in moves if m.kind == "transfer_out"])
    _record(session, target, "stock.transferred", actor_id, [m for m in moves if m.kind == "transfer_in"])
    return moves


# -- what allocation and delivery do ---------------------------------------------------


def available(session: Session, warehouse_id: int, item_id: int) -> int:
    """Units of an item not held, in lots that have not expired."""
    return int(
        session.scalar(
            select(func.coalesce(func.sum(StockBalance.on_hand - StockBalance.held), 0))
            .join(Lot, Lot.id == StockBalance.lot_id)
            .where(StockBalance.warehouse_id == warehouse_id, StockBalance.item_id == item_id, _fresh())
        )
    )


def hold(*, session: Session, warehouse_id: int, item_id: int, quantity: int, allocation_id: int) -> list[StockMove]:
    """Hold stock for an allocation, lot by lot, earliest expiry first.
    Raises Conflict when less is available (another dispatcher took it)."""
    _positive(quantity)
    item = get_item(session, item_id)
    return [
        _apply(session, balance, "held", take, allocation_id=allocation_id, reason_code="allocation")
        for balance, take in _fefo(session, warehouse_id, item, quantity)
    ]


def hold_many(*, session: Session, warehouse_id: int, item_id: int, holds: list[tuple[int, int]]) -> list[StockMove]:
    """Hold stock for several allocations of one item at one warehouse, as
    `hold` would one after the other (earliest expiry first), with one
    guarded update per lot. `holds` is [(allocation id, quantity)]. Raises
    Conflict, having held nothing, when less is available."""
    for _, quantity in holds:
        _positive(quantity)
    item = get_item(session, item_id)
    plan = _fefo(session, warehouse_id, item, sum(q for _, q in holds))
    with session.begin_nested():  # every lot or none
        for balance, take in plan:
            _guarded(session, balance, "held", take)
    moves, lots = [], iter(plan)
    balance, left = next(lots)
    for allocation_id, quantity in holds:
        while quantity:
            if not left:
                balance, left = next(lots)
            take = min(quantity, left)
            moves.append(
                StockMove(warehouse_id=warehouse_id, item_id=item_id, lot_id=balance.lot_id, kind="held", quantity=take,
                          allocation_id=allocation_id, reason_code="allocation")
            )  # fmt: skip
            quantity, left = quantity - take, left - take
    session.add_all(moves)
    return moves


def held_lots(session: Session, allocation_id: int) -> dict[int, int]:
    """What an allocation holds now, by lot (held minus released and issued)."""
    signed = case((StockMove.kind == "held", StockMove.quantity), else_=-StockMove.quantity)
    rows = session.execute(
        select(StockMove.lot_id, func.sum(signed))
        .where(StockMove.allocation_id == allocation_id, StockMove.kind.in_(("held", "released", "issued")))
        .group_by(StockMove.lot_id)
    )
    return {lot_id: int(q) for lot_id, q in rows if q}


def issued_lots(session: Session, allocation_id: int) -> dict[int, int]:
    """What left the warehouse for an allocation, by lot."""
    rows = session.execute(
        select(StockMove.lot_id, func.sum(StockMove.quantity))
        .where(StockMove.allocation_id == allocation_id, StockMove.kind == "issued")
        .group_by(StockMove.lot_id)
    )
    return {lot_id: int(q) for lot_id, q in rows if q}


def release(*, session: Session, warehouse_id: int, allocation_id: int, quantity: int | None = None) -> int:
    """Give back what an allocation holds (all of it, or `quantity` units,
    latest expiry first). Returns the units released."""
    lots = held_lots(session, allocation_id)
    left = sum(lots.values()) if quantity is None else min(quantity, sum(lots.values()))
    released = 0
    for lot in sorted((session.get(Lot, i) for i in lots), key=_expiry, reverse=True):
        take = min(lots[lot.id], left - released)
        if take <= 0:
            break
        _apply(session, _balance(session, warehouse_id, lot), "released", take, allocation_id=allocation_id)
        released += take
    return released


def issue(*, session: Session, warehouse_id: int, allocation_id: int, delivery_id: int, actor_id: int | None) -> int:
    """What an allocation holds leaves the warehouse on a delivery run."""
    total = 0
    for lot_id, qty in held_lots(session, allocation_id).items():
        balance = _balance(session, warehouse_id, session.get(Lot, lot_id))
        _apply(session, balance, "issued", qty, allocation_id=allocation_id, delivery_id=delivery_id, actor_id=actor_id)
        total += qty
    return total


def arrive(
    *,
    session: Session,
    warehouse_id: int,
    allocation_id: int,
    delivery_id: int,
    accepted: int,
    returned: int,
    reason_code: str = "",
    actor_id: int | None = None,
) -> list[StockMove]:
    """Record what arrived (accepted) and what came back (returned) of what
    was issued for an allocation, lot by lot, earliest expiry first."""
    moves: list[StockMove] = []
    for kind, qty in (("delivered", accepted), ("returned", returned)):
        left = qty
        for lot_id, shipped in issued_lots(session, allocation_id).items():
            take = min(shipped, left)
            if take <= 0:
                continue
            balance = _balance(session, warehouse_id, session.get(Lot, lot_id))
            moves.append(
                _apply(
                    session, balance, kind, take, allocation_id=allocation_id, delivery_id=delivery_id,
                    reason_code=reason_code if kind == "returned" else "", actor_id=actor_id,
                )
            )  # fmt: skip
            left -= take
    return moves


# -- reading the ledger ----------------------------------------------------------------


def _lot(session: Session, lot_id: Any, *, item: Item | None = None) -> Lot:
    lot = session.get(Lot, lot_id) if isinstance(lot_id, int) else None
    if lot is None or (item is not None and lot.item_id != item.id):
        raise Invalid(text(N_("Unknown lot %(lot_id)s."), lot_id=lot_id), field="lot_id")
    return lot


def _has_moves(session: Session, warehouse_id: int, lot_id: int) -> bool:
    query = select(StockMove.id).where(StockMove.warehouse_id == warehouse_id, StockMove.lot_id == lot_id)
    return session.scalar(query.limit(1)) is not None


def _expiry(lot: Lot) -> tuple[bool, date]:
    return (lot.expires_on is None, lot.expires_on or date.max)


def _fresh():
    return (Lot.expires_on.is_(None)) | (Lot.expires_on >= now().date())


def _fefo(session: Session, warehouse_id: int, item: Item, quantity: int) -> list[tuple[StockBalance, int]]:
    """Which lots to take `quantity` from: earliest expiry first, expired lots never."""
    balances = session.scalars(
        select(StockBalance).join(Lot, Lot.id == StockBalance.lot_id)
        .where(StockBalance.warehouse_id == warehouse_id, StockBalance.item_id == item.id, _fresh(),
               StockBalance.on_hand > StockBalance.held)
        .execution_options(populate_existing=True)
    ).all()  # fmt: skip
    plan, left = [], quantity
    for balance in sorted(balances, key=lambda b: _expiry(b.lot)):
        take = min(balance.available, left)
        plan.append((balance, take))
        left -= take
        if not left:
            return plan
    raise Conflict(
        text(
            N_("Not enough %(item)s: %(available)s available, %(quantity)s needed."),
            item=item_text(item.name),
            available=quantity - left,
            quantity=quantity,
        ),
        field="quantity",
    )


def _sums():
    on_hand = case(*((StockMove.kind == k, StockMove.quantity * e[0]) for k, e in MOVE_EFFECTS.items()), else_=0)
    held = case(*((StockMove.kind == k, StockMove.quantity * e[1]) for k, e in MOVE_EFFECTS.items()), else_=0)
    return func.coalesce(func.sum(on_hand), 0), func.coalesce(func.sum(held), 0)


def _as_of(session: Session, warehouse_id: int, lot_id: int, at: datetime) -> tuple[int, int]:
    on_hand, held = _sums()
    row = session.execute(
        select(on_hand, held).where(
            StockMove.warehouse_id == warehouse_id, StockMove.lot_id == lot_id, StockMove.occurred_at <= at
        )
    ).one()
    return int(row[0]), int(row[1])


def balance_as_of(*, session: Session, warehouse_id: int, item_id: int, at: datetime) -> dict[str, int]:
    """On hand and held of an item in a warehouse as of any moment, from the moves."""
    on_hand, held = _sums()
    row = session.execute(
        select(on_hand, held).where(
            StockMove.warehouse_id == warehouse_id, StockMove.item_id == item_id, StockMove.occurred_at <= at
        )
    ).one()
    return {"on_hand": int(row[0]), "held": int(row[1]), "available": int(row[0]) - int(row[1])}


def verify(*, session: Session) -> list[dict[str, Any]]:
    """Every cached balance that differs from the sum of its moves (empty: the ledger is exact)."""
    on_hand, held = _sums()
    summed = {
        (w, lot): (int(a), int(b))
        for w, lot, a, b in session.execute(
            select(StockMove.warehouse_id, StockMove.lot_id, on_hand, held).group_by(
                StockMove.warehouse_id, StockMove.lot_id
            )
        )
    }
    cached = {(b.warehouse_id, b.lot_id): (b.on_hand, b.held, b.item_id) for b in session.scalars(select(StockBalance))}
    drift = []
    for key in sorted(set(summed) | set(cached)):
        moves = summed.get(key, (0, 0))
        cache = cached.get(key, (0, 0, None))
        if moves != cache[:2]:
            drift.append(
                {"warehouse_id": key[0], "lot_id": key[1], "item_id": cache[2], "cached_on_hand": cache[0],
                 "cached_held": cache[1], "moves_on_hand": moves[0], "moves_held": moves[1]}
            )  # fmt: skip
    return drift


def stock_by_item(*, session: Session, warehouse_id: int) -> list[dict[str, Any]]:
    """A warehouse's stock per item, with its lots (earliest expiry first)."""
    items: dict[int, dict[str, Any]] = {}
    lots: dict[int, list[dict[str, Any]]] = defaultdict(list)
    balances = session.scalars(select(StockBalance).where(StockBalance.warehouse_id == warehouse_id)).all()
    for b in sorted(balances, key=lambda b: (b.item.name, _expiry(b.lot))):
        row = items.setdefault(
            b.item_id,
            {
                "item_id": b.item_id,
                "item": item_text(b.item.name),
                "unit": unit_text(b.item.unit),
                "on_hand": 0,
                "held": 0,
                "available": 0,
            },
        )
        row["on_hand"] += b.on_hand
        row["held"] += b.held
        row["available"] += b.available
        lots[b.item_id].append(
            {"lot_id": b.lot_id, "code": b.lot.code, "expires_on": b.lot.expires_on, "on_hand": b.on_hand,
             "held": b.held, "available": b.available}
        )  # fmt: skip
    return [row | {"lots": lots[item_id]} for item_id, row in items.items()]
