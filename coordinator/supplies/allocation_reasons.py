"""Why a line got what it got: the reasoning each allocation keeps, with a
sentence a person can read: a message rendered in the reader's language."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from flask_babel import force_locale

from coordinator.common.clock import iso_utc, now
from coordinator.i18n import N_, message, render
from coordinator.supplies.item_names import STANDARD_NAMES, STANDARD_UNITS
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


def _sources(warehouses: list[dict[str, Any]], unit: Any) -> dict[str, Any]:
    """Where the stock came from, as one message (each source nests the next)."""
    if not warehouses:
        return message(N_("nothing from any warehouse"))
    parts = [
        message(N_("%(n)s %(unit)s from %(warehouse)s (%(km)s km)"), n=w["took"], unit=unit, warehouse=w["warehouse"],
                km=w["distance_km"])
        for w in warehouses
    ]  # fmt: skip
    out = parts[-1]
    for part in reversed(parts[:-1]):
        out = message(N_("%(first)s, %(rest)s"), first=part, rest=out)
    return out


def _named(value: str, standard: frozenset[str]) -> Any:
    """A standard item's name or unit as a message (read per reader), any other as entered."""
    return message(value) if value in standard else value


def _sentence(o: OpenLine, tier: Tier | None, item: Item, warehouses: list[dict[str, Any]]) -> dict[str, Any]:
    """Why the line got what it got, as a message with its data: rendered in
    each reader's language (the allocation keeps it in its reasoning)."""
    unit = _named(item.unit, STANDARD_UNITS)
    head = message(
        N_("%(org)s (tier %(tier)s) asked for %(asked)s %(unit)s of %(item)s and gets %(now)s now (%(total)s in all)"),
        org=o.request.organization.name,
        tier=o.request.tier,
        asked=o.line.quantity_requested,
        unit=unit,
        item=_named(item.name, STANDARD_NAMES),
        now=sum(o.given.values()),
        total=o.allocated,
    )
    sources = _sources(warehouses, unit)
    if o.override is not None:
        if o.fixed is not None and o.pin is not None:
            what = message(N_("a quantity of %(q)s %(unit)s and this warehouse only"), q=o.fixed, unit=unit)
        elif o.fixed is not None:
            what = message(N_("a quantity of %(q)s %(unit)s"), q=o.fixed, unit=unit)
        else:
            what = message(N_("this warehouse only"))
        why = message(N_(" (%(reason)s)"), reason=o.override.reason) if o.override.reason else ""
        share = (
            message(N_(", within its fair share of tier %(tier)s"), tier=tier.tier)
            if tier is not None and o.fixed is None
            else ""
        )
        return message(
            N_("%(head)s as HQ set %(what)s%(why)s%(share)s: %(sources)s."),
            head=head, what=what, why=why, share=share, sources=sources,
        )  # fmt: skip
    if tier.method == "full":
        return message(
            N_("%(head)s, all it still asked, as tier %(tier)s asked for no more than was available: %(sources)s."),
            head=head, tier=tier.tier, sources=sources,
        )  # fmt: skip
    if tier.method == "days_of_cover":
        return message(
            N_(
                "%(head)s, levelling days of cover in tier %(tier)s (%(supply)s %(unit)s for %(demand)s asked): "
                "from %(before)s to %(after)s days, the level being %(level)s: %(sources)s."
            ),
            head=head, tier=tier.tier, supply=tier.supply, unit=unit, demand=tier.demand,
            before=_days(o, o.before), after=_days(o, o.allocated), level=_num(tier.level), sources=sources,
        )  # fmt: skip
    return message(
        N_(
            "%(head)s, its max-min fair share in tier %(tier)s (%(supply)s %(unit)s for %(demand)s asked, "
            "every line raised to %(level)s %(unit)s unless it asked for less): %(sources)s."
        ),
        head=head, tier=tier.tier, supply=tier.supply, unit=unit, demand=tier.demand, level=_num(tier.level),
        sources=sources,
    )  # fmt: skip


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
    # The sentence as data (read per reader), and in English for the API and events.
    out["explanation_text"] = _sentence(o, tier, item, warehouses)
    with force_locale("en"):
        out["explanation"] = render(out["explanation_text"])
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
