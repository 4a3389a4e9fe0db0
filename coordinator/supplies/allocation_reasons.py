"""Why a line got what it got: the reasoning each allocation keeps, with a
sentence a person can read (English for now)."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from coordinator.common.clock import iso_utc, now
from coordinator.supplies.models import TIERS, Allocation, Item

if TYPE_CHECKING:
    from coordinator.supplies.allocation_run import OpenLine, Tier

MAX_PEERS = 50  # a tier of thousands would make every reasoning as long


def _num(value: Fraction | float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def _days(o: OpenLine, allocated: int) -> float | None:
    if not o.gave_cover:
        return None
    return _num(Fraction(o.line.on_hand + allocated) / Fraction(o.line.daily_use))


def _peer(p: OpenLine) -> dict[str, Any]:
    return {
        "request_id": p.request.id,
        "line_id": p.line.id,
        "organization": p.request.organization.name,
        "asked": p.line.quantity_requested,
        "got": p.allocated,
        "days_of_cover": _days(p, p.allocated),
    }


def _how(tier: Tier, unit: str) -> str:
    short = f"{tier.supply} {unit} available for {tier.demand} still asked in tier {tier.tier}"
    if tier.method == "full":
        return f"{short}: enough for every line."
    if tier.method == "days_of_cover":
        return (
            f"{short}: levelled by days of cover ((own stock + allocated) / daily use), the lines with the fewest "
            f"days raised first, up to {_num(tier.level)} days, never beyond what a line asked; whole units, "
            "the units left over one each to those still short, lowest cover first, then oldest request."
        )
    return (
        f"{short}: shared max-min on the quantities asked, every line raised to {_num(tier.level)} {unit} in all "
        "(or to what it asked, if less); whole units, the units left over one each to those still short, "
        "oldest request first."
    )


def _sources(warehouses: list[dict[str, Any]], unit: str) -> str:
    return ", ".join(f"{w['took']} {unit} from {w['warehouse']} ({w['distance_km']} km)" for w in warehouses)


def _sentence(o: OpenLine, tier: Tier | None, item: Item, warehouses: list[dict[str, Any]]) -> str:
    unit, org = item.unit, o.request.organization.name
    now_given = sum(o.given.values())
    head = (
        f"{org} (tier {o.request.tier}) asked for {o.line.quantity_requested} {unit} of {item.name} and gets "
        f"{now_given} now ({o.allocated} in all)"
    )
    tail = f": {_sources(warehouses, unit)}."
    if o.override is not None:
        said = []
        if o.fixed is not None:
            said.append(f"a quantity of {o.fixed} {unit}")
        if o.pin is not None:
            said.append("this warehouse only")
        why = f" ({o.override.reason})" if o.override.reason else ""
        share = f", within its fair share of tier {tier.tier}" if tier is not None and o.fixed is None else ""
        return f"{head} as HQ set {' and '.join(said)}{why}{share}{tail}"
    if tier.method == "full":
        return f"{head}, all it still asked, as tier {tier.tier} asked for no more than was available{tail}"
    if tier.method == "days_of_cover":
        return (
            f"{head}, levelling days of cover in tier {tier.tier} ({tier.supply} {unit} for {tier.demand} asked): "
            f"from {_days(o, o.before)} to {_days(o, o.allocated)} days, the level being {_num(tier.level)}{tail}"
        )
    return (
        f"{head}, its max-min fair share in tier {tier.tier} ({tier.supply} {unit} for {tier.demand} asked, "
        f"every line raised to {_num(tier.level)} {unit} unless it asked for less){tail}"
    )


def reasoning(o: OpenLine, tier: Tier | None, *, item: Item, warehouses: list[dict[str, Any]]) -> dict[str, Any]:
    """The reasoning of a line's allocations in one run. `tier` is how its
    tier was shared (None for a quantity HQ fixed)."""
    if tier is not None and tier.peers is None:
        tier.peers = [_peer(p) for p in tier.lines]  # once per tier, not once per line
    peers = [p for p in (tier.peers if tier else []) if p["line_id"] != o.line.id]
    method = "override" if o.override is not None else tier.method
    out: dict[str, Any] = {
        "tier": o.request.tier,
        "tier_name": TIERS.get(o.request.tier, ""),
        "method": method,
        "asked": o.line.quantity_requested,
        "allocated_before": o.before,
        "given_now": sum(o.given.values()),
        "fair_share": o.allocated,
        "how": _how(tier, item.unit) if tier else "HQ fixed the quantity for this line.",
        "shared_by": tier.method if tier else None,
        "level": _num(tier.level) if tier else None,
        "level_unit": ("days" if tier.method == "days_of_cover" else item.unit) if tier else None,
        "supply": tier.supply if tier else None,
        "demand": tier.demand if tier else None,
        "days_of_cover": {"before": _days(o, o.before), "after": _days(o, o.allocated)} if o.gave_cover else None,
        "warehouses": warehouses,
        "peers": peers[:MAX_PEERS],
        "peers_total": len(peers),
        "override": None,
        "decided_at": iso_utc(now().replace(microsecond=0)),
    }
    if o.override is not None:
        out["override"] = {"warehouse_id": o.pin, "quantity": o.fixed, "reason": o.override.reason}
    out["explanation"] = _sentence(o, tier, item, warehouses)
    return out


def event_state(row: Allocation) -> dict[str, Any]:
    """What an allocation event carries."""
    reasoning = row.reasoning or {}
    return {
        "allocation_id": row.id,
        "line_id": row.line_id,
        "request_id": row.request_id,
        "item_id": row.item_id,
        "warehouse_id": row.warehouse_id,
        "quantity": row.quantity,
        "status": row.status,
        "distance_km": row.distance_km,
        "method": reasoning.get("method"),
        "explanation": reasoning.get("explanation"),
    }
