"""Batch dispatch for surges: when requests come in faster than they are
placed, a dispatcher claims every pending one and places them together
(`batch.place`: least total person-km, weighted by priority).

Gathering: while requests arrive at a surge's pace (`arriving_fast`), their
dispatch leaves them pending; once arrivals pause, or the oldest has waited
long enough (`due`), one batch places them all. Placed one by one as they
came, early groups would take the beds nearest to later ones (a train's
passengers, registered in a minute, all from the same towns).

Three steps, each its own transaction (the job commits between them, so on
SQLite, where every transaction holds the write lock, nobody waits while the
solver thinks):

1. `claim`: pending requests get this dispatcher's token and a lease. On
   PostgreSQL the rows are selected FOR UPDATE SKIP LOCKED, so a second
   dispatcher skips them instead of queueing; on either database the
   conditional UPDATE decides. Single dispatch leaves claimed requests alone
   (`dispatch.unclaimed`); a dead worker's claim lapses with its lease.
2. `snapshot`: the claimed groups and every open facility's free beds, as
   plain data for the solver.
3. `apply`: each decision is held with the conditional UPDATE of `beds.hold`
   (still the last word: a bed taken meanwhile by another dispatcher is
   never overbooked; that group is returned in `lost`, and a job of its own
   to dispatch it again is declared in the same transaction)
   and stored with its explanation in the single dispatch's form, plus the
   next-best alternative and what it would have cost.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from coordinator import queue
from coordinator.common.clock import now
from coordinator.events import service as events
from coordinator.geo.distance import haversine_matrix
from coordinator.housing import batch, beds, wait_texts
from coordinator.housing.dispatch import PASSED_SHOWN, assign, categories_for, leave_waiting, unclaimed, unfit
from coordinator.housing.models import Facility, PlacementRequest

BATCH_REASON = wait_texts.BATCH  # a nearer facility's beds went to other groups of the batch


def backlog(*, session: Session) -> int:
    """Requests waiting for their first dispatch that nobody has claimed."""
    return session.scalar(
        select(func.count(PlacementRequest.id)).where(PlacementRequest.status == "requested", unclaimed())
    )


def arriving_fast(*, session: Session, rate: float, windows: Sequence[float]) -> bool:
    """Whether requests came in at `rate` a second or faster over any of the
    last `windows` (seconds): the (rate x window)-th newest is that recent.
    Reads the primary key's index only, in one query, so every dispatch may ask."""
    recent = []
    for window in windows:
        nth = (
            select(PlacementRequest.id)
            .order_by(PlacementRequest.id.desc())
            .offset(max(int(rate * window), 1) - 1)
            .limit(1)
            .scalar_subquery()
        )
        recent.append(
            select(PlacementRequest.id)
            .where(PlacementRequest.id == nth, PlacementRequest.created_at > now() - timedelta(seconds=window))
            .exists()
        )
    return bool(recent) and bool(session.scalar(select(or_(*recent))))


def due(*, session: Session, pause: float, longest: float) -> float:
    """How long until gathered requests should be placed: 0 once none came
    in for `pause` seconds or the oldest pending one has waited `longest`;
    else until the newest is `pause` old."""
    newest = session.scalar(select(PlacementRequest.created_at).order_by(PlacementRequest.id.desc()).limit(1))
    waited = select(PlacementRequest.id).where(
        PlacementRequest.status == "requested",
        unclaimed(),
        PlacementRequest.created_at <= now() - timedelta(seconds=longest),
    )
    if newest is None or session.scalar(select(waited.exists())):
        return 0.0
    return max(pause - (now() - newest.replace(tzinfo=None)).total_seconds(), 0.0)


def claim(*, session: Session, limit: int, lease: timedelta, least: int = 1) -> tuple[str, list[int]]:
    """Claim up to `limit` pending requests (most urgent, then oldest first)
    for one batch: returns the claim's token and the ids it got; none if
    fewer than `least` are there to claim."""
    token = uuid.uuid4().hex
    candidates = session.scalars(
        select(PlacementRequest.id)
        .where(PlacementRequest.status == "requested", unclaimed())
        .order_by(PlacementRequest.priority, PlacementRequest.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has one writer at a time anyway
    ).all()
    if len(candidates) < max(least, 1):
        return token, []
    got = session.scalars(
        update(PlacementRequest)
        .where(PlacementRequest.id.in_(candidates), PlacementRequest.status == "requested", unclaimed())
        .values(claimed_by=token, claimed_until=now() + lease)
        .returning(PlacementRequest.id)
        .execution_options(synchronize_session=False)
    ).all()
    return token, sorted(got)


@dataclass
class Snapshot:
    """A batch's groups and the free beds it may use, as the solver's data."""

    token: str
    groups: list[batch.Group] = field(default_factory=list)
    options: list[batch.Option] = field(default_factory=list)


def _needs(p: PlacementRequest) -> frozenset[str]:
    return frozenset(
        [
            *(["medical"] if p.needs_medical or p.needs_isolation else []),
            *(["accessible"] if p.needs_accessible else []),
        ]
    )


def _meets(f: Facility) -> frozenset[str]:
    return frozenset([*(["medical"] if f.has_medical_staff else []), *(["accessible"] if f.accessible else [])])


def _mine(session: Session, token: str, *, lock: bool = False) -> list[PlacementRequest]:
    query = (
        select(PlacementRequest)
        .where(PlacementRequest.claimed_by == token, PlacementRequest.status == "requested")
        .order_by(PlacementRequest.id)
    )
    # Applying locks the rows (PostgreSQL): HQ's cancel, move and split lock
    # them too, so one waits for the other and sees what it decided.
    return list(session.scalars(query.with_for_update(of=PlacementRequest) if lock else query))


def snapshot(*, session: Session, token: str) -> Snapshot:
    """The claimed requests and every open facility's free beds by category."""
    snap = Snapshot(token)
    for p in _mine(session, token):
        snap.groups.append(
            batch.Group(
                p.id,
                p.head_count,
                p.origin_lat,
                p.origin_lon,
                categories_for(p),
                _needs(p),
                batch.weight_of(p.priority),
            )
        )
    for f in session.scalars(select(Facility).where(Facility.status == "open").order_by(Facility.id)):
        for b in f.beds:
            if b.free > 0:
                snap.options.append(batch.Option(f.id, b.category, b.free, f.lat, f.lon, _meets(f)))
    return snap


@dataclass
class Outcome:
    placed: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)  # their beds were taken meanwhile: dispatched again by jobs


def apply(*, session: Session, snap: Snapshot, plan: batch.Plan, actor_id: int | None = None) -> Outcome:
    """Hold and record every decision of the plan for the requests this claim
    still has; then release the claim."""
    out = Outcome()
    requests = {p.id: p for p in _mine(session, snap.token, lock=True)}
    facilities = list(session.scalars(select(Facility).order_by(Facility.id)))
    free_before: dict[tuple[int, str], int] = {(o.facility_id, o.category): o.free for o in snap.options}
    mine = [g for g in snap.groups if g.id in requests]
    km = haversine_matrix(
        np.array([g.lat for g in mine]),
        np.array([g.lon for g in mine]),
        np.array([f.lat for f in facilities]),
        np.array([f.lon for f in facilities]),
    ) if mine and facilities else np.zeros((len(mine), len(facilities)))  # fmt: skip
    about = {
        "id": snap.token[:12],
        "groups": len(snap.groups),
        "solver": plan.solver,
        "optimal": "Optimal" in plan.status,
    }
    bulk = _hold_in_bulk(session, snap, plan, mine)
    by_id = {f.id: f for f in facilities}
    with events.in_bulk(session):  # thousands of decisions: their events flushed once
        for row, g in enumerate(mine):
            p = requests[g.id]
            ranked = _NearestFirst(facilities, km[row])
            chosen = plan.placed.get(g.id)
            if chosen is None:
                _waits(session, p, g, ranked, free_before, actor_id, about)
                out.waiting.append(p.id)
                continue
            option = snap.options[chosen.option]
            if not bulk.get(chosen.option) and not beds.hold(session, option.facility_id, option.category, g.size):
                # Dispatched again by a job of its own, declared here: done in
                # the batch's job one by one, a hundred of them outran its
                # time limit, and the rest waited for the stranded sweep.
                queue.after_commit(session, "dispatch_placement", p.id)
                out.lost.append(p.id)
                continue
            facility = by_id[option.facility_id]
            passed = _passed(p, g, ranked, free_before, until=facility.id)
            explained = {"batch": about, "next_best": _next_best(p, g, ranked, free_before, facility, chosen.km)}
            assign(session, p, facility, option.category, chosen.km, passed, actor_id, **explained)
            out.placed.append(p.id)
    release(session=session, token=snap.token)
    return out


def _hold_in_bulk(session: Session, snap: Snapshot, plan: batch.Plan, mine: list[batch.Group]) -> dict[int, bool]:
    """Hold each option's beds for all the plan's groups there in one
    conditional UPDATE (a surge's 3,000 groups go to a few hundred options),
    sent once for them all. If any option's beds were taken meanwhile, each
    is held on its own, and one that fails is held group by group instead,
    so the groups that still fit keep it."""
    people: dict[int, int] = {}
    for g in mine:
        if (chosen := plan.placed.get(g.id)) is not None:
            people[chosen.option] = people.get(chosen.option, 0) + g.size
    wanted = {(snap.options[j].facility_id, snap.options[j].category): n for j, n in people.items()}
    if beds.hold_all(session, wanted):
        return dict.fromkeys(people, True)
    return {
        j: beds.hold(session, snap.options[j].facility_id, snap.options[j].category, n)
        for j, n in sorted(people.items())
    }


def release(*, session: Session, token: str) -> None:
    """Hand back every request this claim still holds."""
    session.execute(
        update(PlacementRequest)
        .where(PlacementRequest.claimed_by == token)
        .values(claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )


class _NearestFirst:
    """Every facility, nearest to one group first, each made as it is read:
    most decisions read a few of them (a surge's 3,000 groups made all
    450,000 pairs, a tenth of the batch's time)."""

    def __init__(self, facilities: list[Facility], km: np.ndarray) -> None:
        self.facilities, self.km = facilities, km
        self.order = np.argsort(km, kind="stable")

    def __iter__(self) -> Iterator[tuple[Facility, float]]:
        for c in self.order:
            yield self.facilities[c], float(self.km[c])


def _room(g: batch.Group, f: Facility, free_before: dict[tuple[int, str], int]) -> bool:
    return any(free_before.get((f.id, c), 0) >= g.size for c in g.categories)


def _reason(p: PlacementRequest, g: batch.Group, f: Facility, free_before: dict[tuple[int, str], int]) -> str:
    return unfit(f, p) or (BATCH_REASON if _room(g, f, free_before) else "not enough free beds")


def _passed(
    p: PlacementRequest,
    g: batch.Group,
    ranked: Iterable[tuple[Facility, float]],
    free_before: dict[tuple[int, str], int],
    *,
    until: int | None,
) -> list[dict[str, Any]]:
    """The nearest facilities passed over (those nearer than the chosen one), and why."""
    passed = []
    for f, km in ranked:
        if f.id == until or len(passed) == PASSED_SHOWN:
            break
        reason = _reason(p, g, f, free_before)
        passed.append(
            {
                "facility_id": f.id,
                "name": f.name,
                "distance_km": round(km, 1),
                "reason": reason,
                "reason_text": wait_texts.passed_over(reason, g.categories),
            }
        )
    return passed


def _next_best(
    p: PlacementRequest,
    g: batch.Group,
    ranked: Iterable[tuple[Facility, float]],
    free_before: dict[tuple[int, str], int],
    chosen: Facility,
    chosen_km: float,
) -> dict[str, Any] | None:
    """The nearest other facility that could have taken the group before the
    batch, and how many person-km more (or fewer) it would have meant."""
    for f, km in ranked:
        if f.id != chosen.id and unfit(f, p) is None and _room(g, f, free_before):
            return {
                "facility_id": f.id,
                "facility": f.name,
                "distance_km": round(km, 1),
                "extra_person_km": round(g.size * (km - chosen_km), 1),
            }
    return None


def _waits(
    session: Session,
    p: PlacementRequest,
    g: batch.Group,
    ranked: Iterable[tuple[Facility, float]],
    free_before: dict[tuple[int, str], int],
    actor_id: int | None,
    about: dict[str, Any],
) -> None:
    biggest = 0
    for f, _ in ranked:
        if unfit(f, p) is None:
            by_cat = {b.category: b for b in f.beds}
            biggest = max([biggest, *(by_cat[c].total - by_cat[c].out_of_service for c in g.categories if c in by_cat)])
    passed = _passed(p, g, ranked, free_before, until=None)
    leave_waiting(session, p, passed, biggest, g.categories, actor_id, batch=about)
