"""Fair shares of scarce stock: pure arithmetic, no database.

Both ways of sharing a tier's stock are one levelling. Each claim has a
`base` level, a `weight` (units that raise its level by one) and a `cap`
(units it may get at most: what it still asks). Stock raises the lowest level
first until it reaches the next one, and so on: the common level L is the one
at which the claims take exactly the supply,

    sum of clamp(weight * (L - base), 0, cap) = supply.

- Max-min water-filling on quantities: base = units already allocated,
  weight = 1 (a level is a number of units).
- Levelling days of cover: base = (own stock + units already allocated) /
  daily use, weight = daily use (a level is a number of days).

Levels are exact fractions. Shares are then whole units: each claim gets the
floor of its exact share, and the few units left over go one each to the
claims still short, lowest level first, then by `rank` (oldest request first).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Claim:
    """One line's claim on a tier's stock."""

    key: Hashable
    base: Fraction
    weight: Fraction
    cap: int
    rank: tuple = ()  # smaller first when levels tie: (request created, request id, line id)

    def level_with(self, units: int | Fraction) -> Fraction:
        """The claim's level once it has `units` more."""
        return self.base + Fraction(units) / self.weight


@dataclass(frozen=True)
class Shares:
    """Whole units per claim key; `level` is the common level reached (None:
    the supply covered every cap, so nobody was limited)."""

    units: dict[Hashable, int]
    level: Fraction | None

    @property
    def total(self) -> int:
        return sum(self.units.values())


def quantity_claim(key: Hashable, *, allocated: int, asked: int, rank: tuple = ()) -> Claim:
    """A claim for max-min water-filling: levels are units allocated."""
    return Claim(key, Fraction(allocated), Fraction(1), max(0, asked - allocated), rank)


def cover_claim(
    key: Hashable, *, on_hand: int, daily_use: float, allocated: int, asked: int, rank: tuple = ()
) -> Claim:
    """A claim for levelling days of cover: levels are days of cover."""
    use = Fraction(daily_use)
    if use <= 0:
        raise ValueError("daily use must be above zero")
    return Claim(key, Fraction(on_hand + allocated) / use, use, max(0, asked - allocated), rank)


def taken_at(claims: Sequence[Claim], level: Fraction) -> Fraction:
    """Units all claims take at a common level (exact)."""
    return sum((min(Fraction(c.cap), max(Fraction(0), c.weight * (level - c.base))) for c in claims), Fraction(0))


def common_level(claims: Sequence[Claim], supply: int) -> Fraction | None:
    """The level at which the claims take exactly `supply` units (None when
    the supply covers every cap). Walks the breakpoints (where a claim starts
    or stops rising) in order; between two of them the units taken grow
    linearly."""
    live = [c for c in claims if c.cap > 0]
    if supply >= sum(c.cap for c in live):
        return None
    if not live:
        return None
    points = sorted({c.base for c in live} | {c.level_with(c.cap) for c in live})
    if supply <= 0:
        return points[0]
    for low, high in zip(points, points[1:], strict=False):
        at_high = taken_at(live, high)
        if at_high >= supply:
            at_low = taken_at(live, low)
            rising = sum((c.weight for c in live if c.base <= low < c.level_with(c.cap)), Fraction(0))
            return low + (supply - at_low) / rising
    raise AssertionError("the supply is below the caps, so some breakpoint takes it")  # pragma: no cover


def share(claims: Sequence[Claim], supply: int) -> Shares:
    """Whole units per claim: every claim capped at what it asks; when the
    supply is short, levelled to the common level, floored, and the units
    left over given one each to the claims still short, lowest level first,
    then by rank."""
    supply = max(0, int(supply))
    level = common_level(claims, supply)
    if level is None:
        return Shares({c.key: c.cap for c in claims}, None)
    exact = {c.key: min(Fraction(c.cap), max(Fraction(0), c.weight * (level - c.base))) for c in claims}
    units = {c.key: math.floor(exact[c.key]) for c in claims}
    left = supply - sum(units.values())
    short = sorted((c for c in claims if units[c.key] < c.cap), key=lambda c: (c.level_with(units[c.key]), c.rank))
    for c in short[:left]:
        units[c.key] += 1
    return Shares(units, level)


def nearest_first(need: int, sources: Sequence[tuple[Hashable, float, int]]) -> list[tuple[Hashable, int]]:
    """Take `need` units from (source, distance, available) tuples, nearest
    first (ties by source), splitting across sources when one is not enough.
    Returns [(source, units)], possibly short of `need` when stock runs out."""
    plan: list[tuple[Hashable, int]] = []
    left = need
    for source, _distance, available in sorted(sources, key=lambda s: (s[1], s[0])):
        if left <= 0:
            break
        take = min(left, available)
        if take > 0:
            plan.append((source, take))
            left -= take
    return plan
