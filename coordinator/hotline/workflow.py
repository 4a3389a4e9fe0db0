"""The case's state machine, in one place: every change of a case's status,
severity, region, handler, pause or links goes through here, with its step
(who and when), its SLA clocks and its event.

new -> triaged -> inspection assigned -> inspected -> resolved, or referred
(labour inspectorate or prosecutor, with their reference) -> closed. A failed
or cancelled inspection takes the case back to triaged.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from coordinator import i18n
from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.common.errors import Conflict, Invalid
from coordinator.events import service as events
from coordinator.geo.models import Region
from coordinator.hotline import cases, sla
from coordinator.hotline.models import REFERRAL_BODIES, SEVERITIES, WAITING_ON, Case, CaseStep
from coordinator.i18n import N_, message, text

# A case's status as the word an error message shows (in English, the code with spaces).
STATUS_WORDS = {
    "new": N_("new"),
    "triaged": N_("triaged"),
    "inspection_assigned": N_("inspection assigned"),
    "inspected": N_("inspected"),
    "resolved": N_("resolved"),
    "referred": N_("referred"),
    "closed": N_("closed"),
}
WAITING_WORDS = {"reporter": N_("reporter"), "employer": N_("employer"), "other": N_("other")}


def word(table: dict[str, str], code: str | None) -> Any:
    """A code as a message for an error text, from one of the tables above (an unknown code as is)."""
    return message(table[code]) if code in table else (code or "").replace("_", " ")


TRANSITIONS = {
    "new": ("triaged",),
    "triaged": ("inspection_assigned", "resolved", "referred"),
    "inspection_assigned": ("inspected", "triaged"),
    "inspected": ("inspection_assigned", "resolved", "referred"),
    "resolved": ("closed",),
    "referred": ("closed",),
    "closed": (),
}
SEVERITY_ORDER = {s: i for i, s in enumerate(SEVERITIES)}  # critical first


def record_step(
    session: Session,
    case: Case,
    kind: str,
    *,
    actor_id: int | None,
    status: str | None = None,
    note: str = "",
    public: bool = False,
) -> CaseStep:
    """Append a step to the case's history."""
    step = CaseStep(case_id=case.id, kind=kind, status=status, note=note, public=public, actor_id=actor_id, at=now())
    session.add(step)
    return step


def emit(
    session: Session,
    case: Case,
    type_: str,
    *,
    actor_id: int | None,
    before: dict | None = None,
    extra: dict | None = None,
    also_regions: tuple[int | None, ...] = (),
) -> None:
    """The case's event, to the hotline, national HQ and the case's region."""
    rooms = cases.rooms(case) + events.rooms(regions=also_regions)
    events.record(
        session=session,
        type=type_,
        subject_type="case",
        subject_id=case.id,
        rooms=rooms,
        actor_id=actor_id,
        before=before,
        after=cases.state(case) | (extra or {}),
    )


def _require_open(case: Case, doing: str) -> None:
    if case.duplicate_of_id is not None:
        raise Conflict(
            text(
                N_("Case %(number)s was linked into another case; %(doing)s that one."),
                number=case.number,
                doing=message(doing),
            ),
            status=case.status,
        )
    if not cases.is_open(case):
        raise Conflict(
            text(
                N_("Case %(number)s is %(status)s; it can no longer be %(doing)s."),
                number=case.number,
                status=word(STATUS_WORDS, case.status),
                doing=message(doing),
            )
        )


def transition(
    *, session: Session, case: Case, to: str, actor_id: int | None, note: str = "", extra: dict | None = None
) -> Case:
    """Move a case to another status (Conflict if the step does not apply),
    stopping and starting its clocks, with a public step and an event."""
    if case.duplicate_of_id is not None:
        raise Conflict(
            text(N_("Case %(number)s was linked into another case."), number=case.number), status=case.status
        )
    if to not in TRANSITIONS.get(case.status, ()):
        raise Conflict(
            text(
                N_("A case that is %(status)s cannot become %(to)s."),
                status=word(STATUS_WORDS, case.status),
                to=word(STATUS_WORDS, to),
            ),
            status=case.status,
        )
    before = cases.state(case)
    case.status = to
    if to == "triaged":
        sla.stop(session=session, case=case, stages=("triage",))
        sla.start(session=session, case=case, stage="assignment")
    elif to == "inspection_assigned":
        sla.stop(session=session, case=case, stages=("assignment",))
    elif to in ("resolved", "referred"):
        sla.stop(session=session, case=case)
        case.resolved_at = now()
        case.paused, case.waiting_on, case.pause_reason = False, None, None
    elif to == "closed":
        sla.stop(session=session, case=case)
        case.closed_at = now()
    sla.refresh(session=session, case=case)
    record_step(session, case, "status", actor_id=actor_id, status=to, note=note, public=True)
    emit(session, case, f"case.{to}", actor_id=actor_id, before=before, extra=extra)
    return case


def _region(session: Session, region_id: int) -> Region:
    region = session.get(Region, region_id)
    if region is None:
        raise Invalid(
            text(N_("Unknown region %(region_id)s. Pick one from /api/v1/geo/regions."), region_id=region_id),
            field="region_id",
        )
    return region


def update(
    *,
    session: Session,
    user: User,
    case: Case,
    severity: str | None = None,
    region_id: int | None = None,
    assignee_id: int | None = None,
) -> Case:
    """Change an open case's severity (its clocks take the new budgets), its
    region (the HQ it is routed to) or its handler; raises Invalid or Conflict."""
    _require_open(case, N_("changed"))
    before = cases.state(case)
    old_region = case.region_id
    if severity is not None and severity != case.severity:
        if severity not in SEVERITIES:
            raise Invalid(
                text(
                    N_("Unknown severity '%(severity)s'. Use one of: %(choices)s."),
                    severity=severity,
                    choices=", ".join(SEVERITIES),
                ),
                field="severity",
            )
        case.severity = severity
        sla.rebudget(session=session, case=case)
    if region_id is not None and region_id != case.region_id:
        case.region_id = _region(session, region_id).id
    if assignee_id is not None:
        assignee = session.get(User, assignee_id)
        if assignee is None or assignee.role not in cases.CASE_ROLES or not assignee.active:
            raise Invalid(text(N_("Assign the case to a hotline operator or an HQ user.")), field="assignee_id")
        case.assignee_id = assignee.id
    sla.refresh(session=session, case=case)
    if cases.state(case) != before:
        record_step(session, case, "updated", actor_id=user.id, note=_changes(before, cases.state(case)))
        emit(session, case, "case.updated", actor_id=user.id, before=before, also_regions=(old_region,))
    return case


def _changes(before: dict[str, Any], after: dict[str, Any]) -> str:
    keys = ("severity", "region_id", "assignee_id")
    return ", ".join(f"{k}: {before[k]} → {after[k]}" for k in keys if before[k] != after[k])


def triage(
    *, session: Session, user: User, case: Case, severity: str | None = None, region_id: int | None = None
) -> Case:
    """The operator decides the severity and the region (the HQ it goes to): new -> triaged."""
    update(session=session, user=user, case=case, severity=severity, region_id=region_id)
    if case.region_id is None:
        raise Invalid(text(N_("Choose the region whose HQ takes this case.")), field="region_id")
    return transition(session=session, case=case, to="triaged", actor_id=user.id)


def resolve(*, session: Session, user: User, case: Case, resolution: str) -> Case:
    """The violation was put right: the resolution says how."""
    if not resolution.strip():
        raise Invalid(text(N_("Say how the case was resolved.")), field="resolution")
    case.resolution = resolution.strip()
    return transition(session=session, case=case, to="resolved", actor_id=user.id, note=case.resolution)


def refer(*, session: Session, user: User, case: Case, to: str, reference: str) -> Case:
    """Hand the case to the labour inspectorate or the prosecutor, with their reference."""
    if to not in REFERRAL_BODIES:
        raise Invalid(text(N_("Refer to one of: %(choices)s."), choices=", ".join(REFERRAL_BODIES)), field="to")
    if not reference.strip():
        raise Invalid(text(N_("Give the reference the inspectorate or prosecutor gave the case.")), field="reference")
    case.referred_to, case.referral_reference = to, reference.strip()
    return transition(session=session, case=case, to="referred", actor_id=user.id, note=to, extra={"referred_to": to})


def close(*, session: Session, user: User, case: Case, note: str = "") -> Case:
    """Close a resolved or referred case."""
    return transition(session=session, case=case, to="closed", actor_id=user.id, note=note.strip())


def pause(*, session: Session, user: User, case: Case, waiting_on: str, reason: str) -> Case:
    """Stop the resolution clock while waiting on the reporter or the employer."""
    _require_open(case, N_("paused"))
    if waiting_on not in WAITING_ON:
        raise Invalid(text(N_("Say who is waited on: %(choices)s."), choices=", ".join(WAITING_ON)), field="waiting_on")
    if not reason.strip():
        raise Invalid(text(N_("Say why the case waits.")), field="reason")
    if case.paused:
        raise Conflict(
            text(
                N_("Case %(number)s is already waiting on the %(waiting_on)s."),
                number=case.number,
                waiting_on=word(WAITING_WORDS, case.waiting_on),
            )
        )
    before = cases.state(case)
    case.paused, case.waiting_on, case.pause_reason = True, waiting_on, reason.strip()
    sla.pause(session=session, case=case)
    sla.refresh(session=session, case=case)
    record_step(session, case, "paused", actor_id=user.id, note=f"{waiting_on}: {case.pause_reason}")
    emit(session, case, "case.paused", actor_id=user.id, before=before)
    return case


def resume(*, session: Session, user: User, case: Case) -> Case:
    """Restart the resolution clock."""
    if not case.paused:
        raise Conflict(text(N_("Case %(number)s is not paused."), number=case.number))
    before = cases.state(case)
    case.paused, case.waiting_on, case.pause_reason = False, None, None
    sla.resume(session=session, case=case)
    sla.refresh(session=session, case=case)
    record_step(session, case, "resumed", actor_id=user.id)
    emit(session, case, "case.resumed", actor_id=user.id, before=before)
    return case


def comment(*, session: Session, user: User, case: Case, text: str) -> CaseStep:
    """An operator's or HQ's note on the case (the event does not carry the text)."""
    if not text.strip():
        # `text` is the comment here (the API's field), so the message is rendered by i18n.text.
        raise Invalid(i18n.text(N_("Write the comment.")), field="text")
    step = record_step(session, case, "comment", actor_id=user.id, note=text.strip())
    emit(session, case, "case.commented", actor_id=user.id)
    return step


def merge(*, session: Session, user: User, into: Case, case: Case) -> Case:
    """Link `case` into `into`: its reports join `into`, which takes the higher
    severity and the larger head count; `case` stops counting as open."""
    if into.id == case.id:
        raise Invalid(text(N_("A case cannot be linked into itself.")), field="case_id")
    _require_open(into, N_("linked"))
    if case.duplicate_of_id is not None:
        raise Conflict(text(N_("Case %(number)s is already linked into another case."), number=case.number))
    before_into, before_case = cases.state(into), cases.state(case)
    for report in list(case.reports):
        report.case_id = into.id
    case.duplicate_of_id = into.id
    sla.stop(session=session, case=case)
    sla.refresh(session=session, case=case)
    if SEVERITY_ORDER[case.severity] < SEVERITY_ORDER[into.severity]:
        into.severity = case.severity
        sla.rebudget(session=session, case=into)
    into.workers_affected = max(into.workers_affected or 0, case.workers_affected or 0) or None
    session.flush()
    session.expire(into, ["reports"])
    session.expire(case, ["reports"])
    sla.refresh(session=session, case=into)
    record_step(session, case, "linked", actor_id=user.id, note=into.number)
    record_step(session, into, "linked", actor_id=user.id, note=case.number)
    emit(session, case, "case.linked", actor_id=user.id, before=before_case, extra={"into": into.number})
    emit(session, into, "case.updated", actor_id=user.id, before=before_into, extra={"linked": case.number})
    return into
