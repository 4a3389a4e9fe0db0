"""The duty roster: who is on an HQ's staff, who is on duty there now, and the
history of shifts. People sign themselves on; they, their HQ's leads and
administrators sign them off."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.common.errors import Conflict, Forbidden, Invalid, NotFound
from coordinator.events import service as events
from coordinator.headquarters.models import Headquarters, HQShift, HQStaff
from coordinator.headquarters.registry import may_edit, rooms
from coordinator.i18n import N_, text


def staff(*, session: Session, hq: Headquarters) -> list[HQStaff]:
    """The HQ's staff, leads first, then by name."""
    rows = session.scalars(select(HQStaff).where(HQStaff.hq_id == hq.id))
    return sorted(rows, key=lambda s: (not s.lead, s.user.display_name.lower()))


def membership(*, session: Session, user: User) -> HQStaff | None:
    """The user's place on an HQ's staff, if any (a person serves one HQ)."""
    return session.scalar(select(HQStaff).where(HQStaff.user_id == user.id))


def is_lead(*, session: Session, user: User, hq: Headquarters) -> bool:
    """Whether the user leads this HQ (administrators count as leads everywhere)."""
    if user.role == "admin":
        return True
    mine = membership(session=session, user=user)
    return mine is not None and mine.hq_id == hq.id and mine.lead


def _eligible(person: User, hq: Headquarters) -> None:
    if person.role == "admin":
        return
    if person.role != "hq" or person.region_id != hq.region_id or not person.active:
        raise Invalid(
            text(
                N_("%(user)s cannot serve %(hq)s: staff are active HQ users of the national HQ.")
                if hq.is_national
                else N_("%(user)s cannot serve %(hq)s: staff are active HQ users of its region."),
                user=person.username,
                hq=hq.name,
            ),
            field="username",
        )


def _staff_event(
    session: Session, type: str, user: User, hq: Headquarters, row: HQStaff, before: dict | None = None
) -> None:
    events.record(
        session=session,
        type=type,
        subject_type="hq",
        subject_id=hq.id,
        rooms=rooms(hq),
        actor_id=user.id,
        before=before,
        after={"user_id": row.user_id, "name": row.user.display_name, "lead": row.lead, "position": row.position},
    )


def set_staff(
    *, session: Session, user: User, hq: Headquarters, username: str, lead: bool = False, position: str = ""
) -> HQStaff:
    """Attach a user to the HQ's staff, or change their lead flag and position.
    Raises Forbidden, Invalid (unknown or ineligible user) or Conflict (on another HQ's staff)."""
    if not may_edit(user, hq):
        raise Forbidden(text(N_("You may change only your own HQ's staff.")))
    person = session.scalar(select(User).where(User.username == username.strip()))
    if person is None:
        raise Invalid(text(N_("No user is named %(name)s."), name=repr(username.strip())), field="username")
    _eligible(person, hq)
    row = membership(session=session, user=person)
    if row is not None and row.hq_id != hq.id:
        raise Conflict(
            text(N_("%(user)s is on another HQ's staff; remove them there first."), user=person.username),
            field="username",
        )
    if row is None:
        row = HQStaff(hq_id=hq.id, user_id=person.id, lead=lead, position=position.strip(), created_at=now())
        session.add(row)
        session.flush()
        _staff_event(session, "hq.staff_added", user, hq, row)
        return row
    before = {"lead": row.lead, "position": row.position}
    row.lead, row.position = lead, position.strip()
    if before != {"lead": row.lead, "position": row.position}:
        session.flush()
        _staff_event(session, "hq.staff_changed", user, hq, row, before)
    return row


def remove_staff(*, session: Session, user: User, hq: Headquarters, user_id: int) -> None:
    """Take a person off the HQ's staff, ending their shift there if they are on duty.
    Raises Forbidden or NotFound."""
    if not may_edit(user, hq):
        raise Forbidden(text(N_("You may change only your own HQ's staff.")))
    row = session.scalar(select(HQStaff).where(HQStaff.hq_id == hq.id, HQStaff.user_id == user_id))
    if row is None:
        raise NotFound(text(N_("User %(id)s is not on the staff of %(hq)s."), id=user_id, hq=hq.name), field="user_id")
    shift = _open_shift(session, user_id)
    if shift is not None and shift.hq_id == hq.id:
        _end(session, user, hq, shift)
    _staff_event(session, "hq.staff_removed", user, hq, row)
    session.delete(row)
    session.flush()


def _open_shift(session: Session, user_id: int) -> HQShift | None:
    return session.scalar(select(HQShift).where(HQShift.user_id == user_id, HQShift.ended_at.is_(None)))


def _shift_after(shift: HQShift) -> dict:
    return {
        "shift_id": shift.id,
        "user_id": shift.user_id,
        "name": shift.user.display_name,
        "started_at": shift.started_at,
        "ended_at": shift.ended_at,
    }


def sign_on(*, session: Session, user: User, hq: Headquarters) -> HQShift:
    """Start the user's own shift at the HQ. Raises Conflict when they are not
    on its staff or already on duty."""
    mine = membership(session=session, user=user)
    if mine is None or mine.hq_id != hq.id:
        raise Conflict(text(N_("You are not on the staff of %(hq)s. Ask its HQ to add you first."), hq=hq.name))
    current = _open_shift(session, user.id)
    if current is not None:
        raise Conflict(
            text(N_("You are on duty already, since %(time)s UTC."), time=f"{current.started_at:%Y-%m-%d %H:%M}")
        )
    shift = HQShift(hq_id=hq.id, user_id=user.id, started_at=now(), started_by_id=user.id)
    try:
        with session.begin_nested():  # a second sign-on racing this one meets the unique index
            session.add(shift)
            session.flush()
    except IntegrityError:
        raise Conflict(text(N_("You are on duty already."))) from None
    events.record(
        session=session,
        type="hq.shift_started",
        subject_type="hq",
        subject_id=hq.id,
        rooms=rooms(hq),
        actor_id=user.id,
        after=_shift_after(shift),
    )
    return shift


def _end(session: Session, user: User, hq: Headquarters, shift: HQShift) -> None:
    shift.ended_at, shift.ended_by_id = now(), user.id
    session.flush()
    events.record(
        session=session,
        type="hq.shift_ended",
        subject_type="hq",
        subject_id=hq.id,
        rooms=rooms(hq),
        actor_id=user.id,
        before={"ended_at": None},
        after={**_shift_after(shift), "ended_by_id": user.id},
    )


def sign_off(*, session: Session, user: User, hq: Headquarters, shift_id: int) -> HQShift:
    """End a shift: one's own, or anyone's at an HQ one leads. Raises NotFound,
    Forbidden, or Conflict when the shift has ended already."""
    shift = session.get(HQShift, shift_id)
    if shift is None or shift.hq_id != hq.id:
        raise NotFound(text(N_("No shift %(id)s at %(hq)s."), id=shift_id, hq=hq.name), field="shift_id")
    if shift.user_id != user.id and not is_lead(session=session, user=user, hq=hq):
        raise Forbidden(text(N_("Only a lead of %(hq)s may sign others off duty."), hq=hq.name))
    if shift.ended_at is not None:
        raise Conflict(text(N_("This shift ended at %(time)s UTC."), time=f"{shift.ended_at:%Y-%m-%d %H:%M}"))
    _end(session, user, hq, shift)
    return shift


def on_duty(*, session: Session, hq_ids: Iterable[int]) -> dict[int, list[HQShift]]:
    """Open shifts per HQ, longest on duty first."""
    out: dict[int, list[HQShift]] = defaultdict(list)
    ids = list(hq_ids)
    if not ids:
        return out
    query = select(HQShift).where(HQShift.hq_id.in_(ids), HQShift.ended_at.is_(None)).order_by(HQShift.started_at)
    for shift in session.scalars(query):
        out[shift.hq_id].append(shift)
    return out


def shifts(*, session: Session, hq: Headquarters, limit: int = 50) -> list[HQShift]:
    """The HQ's shifts, newest first."""
    query = select(HQShift).where(HQShift.hq_id == hq.id).order_by(HQShift.started_at.desc(), HQShift.id.desc())
    return list(session.scalars(query.limit(limit)))
