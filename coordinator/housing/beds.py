"""Atomic bed-count changes. Each is one conditional UPDATE, so concurrent
dispatchers (several workers, several web processes) can never overbook:
the database re-checks the condition on the row it locks.

Whatever frees beds (a hold returned, a check-out, fewer arrivals than held,
more beds in service) calls `freed`, which has waiting groups placed once the
transaction commits: the one place that rule lives. Given the facility, it
also has unconfirmed holds elsewhere looked at for a move there when it is
much nearer (`housing.reoptimise`), after the waiting groups had their turn."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from coordinator import queue
from coordinator.common.errors import Conflict
from coordinator.housing.models import FacilityBeds
from coordinator.i18n import N_, text

_FREE = FacilityBeds.free


def freed(session: Session, facility_id: int | None = None) -> None:
    """Beds became free (at `facility_id` when known): place waiting groups
    after this transaction commits, then look for holds to move there."""
    queue.after_commit(session, "place_waiting")
    if facility_id is not None:
        queue.after_commit(session, "reoptimise_holds", facility_id)


def _row(facility_id: int, category: str):
    return (FacilityBeds.facility_id == facility_id) & (FacilityBeds.category == category)


def hold(session: Session, facility_id: int, category: str, n: int) -> bool:
    """Hold n free beds; False if they are not free (any more)."""
    result = session.execute(
        update(FacilityBeds)
        .where(_row(facility_id, category), _FREE >= n)
        .values(held=FacilityBeds.held + n)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def hold_all(session: Session, wanted: Mapping[tuple[int, str], int]) -> bool:
    """Hold n free beds at each (facility, category) of `wanted`, all or none:
    the same conditional UPDATE, sent once for every row (a surge's batch
    holds at a few hundred; one statement each took a tenth of its apply).
    False, with nothing held, if any of them is not free (any more)."""
    if not wanted:
        return True
    # The table, not the class: an ORM update given a list of rows is the
    # ORM's bulk update by primary key, which takes no condition.
    statement = (
        update(FacilityBeds.__table__)
        .where(_row(bindparam("f"), bindparam("c")), _FREE >= bindparam("n"))
        .values(held=FacilityBeds.held + bindparam("n"))
    )
    # Not `with`: a job's time limit may cut the statement off half way, and
    # rolling back to the savepoint on that connection would fail in its place
    # (the caller's hand-back deals with such a connection).
    savepoint = session.begin_nested()
    result = session.execute(statement, [{"f": f, "c": c, "n": n} for (f, c), n in wanted.items()])
    if result.rowcount == len(wanted):
        savepoint.commit()
        return True
    savepoint.rollback()
    return False


def _apply(session: Session, facility_id: int, category: str, condition, what: str, **values) -> None:
    result = session.execute(
        update(FacilityBeds)
        .where(_row(facility_id, category), condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(
            text(
                N_("The bed counts of facility %(id)s (%(category)s) do not allow %(what)s."),
                id=facility_id,
                category=category,
                what=text(what),
            )
        )


def unhold(session: Session, facility_id: int, category: str, n: int) -> None:
    """Return n held beds to free."""
    _apply(
        session, facility_id, category, FacilityBeds.held >= n, N_("releasing this hold"), held=FacilityBeds.held - n
    )
    freed(session, facility_id)


def occupy(session: Session, facility_id: int, category: str, held: int, arrived: int) -> None:
    """Turn a hold of `held` beds into `arrived` occupied beds (the rest go free)."""
    _apply(
        session,
        facility_id,
        category,
        FacilityBeds.held >= held,
        N_("this check-in"),
        held=FacilityBeds.held - held,
        occupied=FacilityBeds.occupied + arrived,
    )
    if arrived < held:
        freed(session, facility_id)


def vacate(session: Session, facility_id: int, category: str, n: int) -> None:
    """Free n occupied beds."""
    _apply(
        session,
        facility_id,
        category,
        FacilityBeds.occupied >= n,
        N_("this check-out"),
        occupied=FacilityBeds.occupied - n,
    )
    freed(session, facility_id)
