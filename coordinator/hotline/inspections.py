"""Inspections: a case asks for a workplace inspection through the task
bridge (`field.tasks.create`); the field team files its findings on the
checklist with notes and photos when it marks the task done, and the findings
flow back into the case (`field.hooks.on_step`). A failed or cancelled
inspection takes the case back to triaged, so another can be asked for."""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.common.errors import Conflict, DomainError, Invalid
from coordinator.field import hooks, reports
from coordinator.field import tasks as field_tasks
from coordinator.field.hooks import TaskStep
from coordinator.hotline import evidence, workflow
from coordinator.hotline.labels import CODES
from coordinator.hotline.models import Case, Evidence, Inspection
from coordinator.i18n import N_, client_texts, message, text

TITLE = N_("Inspection %(number)s: %(category)s at %(place)s")  # a task title, per reader
SOURCE = "case"
# The checklist: key, and the label the field app shows (the same message ids).
CHECKLIST = (
    ("ppe_issued", "PPE given to workers"),
    ("distancing", "Distancing kept"),
    ("sanitation", "Sanitizer and washing available"),
    ("wages_paid", "Wages paid on time"),
)
PRIORITY = {"critical": 1, "high": 2, "normal": 3}


def _label_keys() -> dict[str, str]:
    """Checklist keys by every label the field app may send (it sends labels in its user's language)."""
    out = {key: key for key, _ in CHECKLIST}
    for locale in ("en", "ru", "kk"):
        with force_locale(locale):
            out |= {gettext(label): key for key, label in CHECKLIST}
    return out


def findings(checklist: dict[str, Any] | None) -> dict[str, bool]:
    """A team's checklist with known items under their keys (others kept as sent)."""
    keys = _label_keys()
    return {keys.get(name, name): bool(value) for name, value in (checklist or {}).items()}


def request(*, session: Session, user: User, case: Case) -> Inspection:
    """Ask for an inspection of the case's workplace: a task offered to an
    inspection team; the case becomes "inspection assigned"."""
    if case.lat is None or case.lon is None:
        raise Invalid(text(N_("The case has no workplace location; an inspection team needs one.")), field="location")
    if case.duplicate_of_id is not None or case.status not in ("triaged", "inspected"):
        raise Conflict(
            text(
                N_("A case that is %(status)s cannot get an inspection: triage it first."),
                status=workflow.word(workflow.STATUS_WORDS, case.status),
            ),
            status=case.status,
        )
    where = case.employer_name or case.settlement or case.number
    task = field_tasks.create(
        session=session,
        kind="inspection",
        title=message(
            TITLE,
            number=case.number,
            category=message(CODES["category"][case.category])
            if case.category in CODES["category"]
            else case.category.replace("_", " "),
            place=where[:120],
        ),
        lat=case.lat,
        lon=case.lon,
        actor_id=user.id,
        priority=PRIORITY[case.severity],
        details={
            "case": case.number,
            "category": case.category,
            "employer": case.employer_name,
            "settlement": case.settlement,
            "checklist": [{"key": key, "label": label} for key, label in CHECKLIST],
        },
        source_type=SOURCE,
        source_id=case.id,
        region_id=case.region_id,
    )
    inspection = Inspection(case_id=case.id, task_id=task.id, requested_by_id=user.id)
    session.add(inspection)
    session.flush()
    workflow.transition(
        session=session, case=case, to="inspection_assigned", actor_id=user.id, extra={"task_id": task.id}
    )
    return inspection


def _of(session: Session, step: TaskStep) -> tuple[Inspection | None, Case | None]:
    inspection = session.scalar(select(Inspection).where(Inspection.task_id == step.task_id))
    return inspection, session.get(Case, step.source_id)


def _photos(session: Session, case: Case, inspection: Inspection, photos: list[str], actor: User | None) -> int:
    """Keep the team's photos as evidence; one that is not a photo is skipped
    (refusing it would make the team's phone send the step again and again)."""
    kept = 0
    for number, photo in enumerate(photos, start=1):
        try:
            data = evidence.from_data_url(photo)
            if evidence.check(data, field="photos") not in evidence.IMAGE_TYPES:
                continue
            evidence.store(
                session=session,
                case=case,
                data=data,
                filename=f"inspection-{inspection.id}-photo-{number}",
                user_id=actor.id if actor else None,
                inspection_id=inspection.id,
            )
            kept += 1
        except DomainError:
            continue
    return kept


def on_done(*, session: Session, step: TaskStep, actor: User | None) -> None:
    """The team filed its findings: they join the case, which becomes inspected."""
    inspection, case = _of(session, step)
    if inspection is None or case is None:
        return
    report = step.report or {}
    inspection.status, inspection.inspected_at = "done", now()
    inspection.inspector_id = actor.id if actor else None
    inspection.checklist = findings(report.get("checklist"))
    inspection.notes = (report.get("notes") or "").strip()
    photos = _photos(session, case, inspection, list(report.get("photos") or []), actor)
    failed = sorted(k for k, ok in inspection.checklist.items() if not ok)
    note = f"{len(inspection.checklist) - len(failed)} of {len(inspection.checklist)} checks passed"
    note += f"; not met: {', '.join(failed)}" if failed else ""
    note += f"; {photos} photo(s)" if photos else ""
    actor_id = actor.id if actor else None
    if case.status == "inspection_assigned" and case.duplicate_of_id is None:
        workflow.transition(
            session=session,
            case=case,
            to="inspected",
            actor_id=actor_id,
            note=note,
            extra={"inspection_id": inspection.id},
        )
    else:
        workflow.record_step(session, case, "findings", actor_id=actor_id, note=note)


def _not_done(status: str):
    def handler(*, session: Session, step: TaskStep, actor: User | None) -> None:
        inspection, case = _of(session, step)
        if inspection is None or case is None or inspection.status != "assigned":
            return
        inspection.status, inspection.fail_reason = status, step.reason
        note = f"inspection {status}" + (f": {step.reason}" if step.reason else "")
        if case.status == "inspection_assigned" and case.duplicate_of_id is None:
            workflow.transition(
                session=session, case=case, to="triaged", actor_id=actor.id if actor else None, note=note
            )

    handler.__name__ = f"on_{status}"
    handler.__doc__ = f"The inspection task was {status}: the case goes back to triaged."
    return handler


on_failed = _not_done("failed")
on_cancelled = _not_done("cancelled")


def for_case(*, session: Session, case: Case) -> list[Inspection]:
    return list(session.scalars(select(Inspection).where(Inspection.case_id == case.id).order_by(Inspection.id)))


def task_reports(*, session: Session, tasks: list[reports.TaskRef]) -> dict[int, dict[str, Any]]:
    """What each inspection task found, for HQ's task history (the
    `field.reports` provider of case tasks): the checklist with its labels in
    the reader's language, the notes and links to the photos kept as evidence."""
    rows = session.execute(
        select(Inspection, Case.number)
        .join(Case, Case.id == Inspection.case_id)
        .where(Inspection.task_id.in_([t.task_id for t in tasks]))
    ).all()
    photos: dict[int, list[dict[str, Any]]] = {}
    ids = [inspection.id for inspection, _ in rows]
    for item in session.scalars(select(Evidence).where(Evidence.inspection_id.in_(ids)).order_by(Evidence.id)):
        url = url_for("hotline.evidence_file", case_id=item.case_id, evidence_id=item.id)
        photos.setdefault(item.inspection_id, []).append({"id": item.id, "filename": item.filename, "url": url})
    labels = dict(CHECKLIST)
    order = {key: n for n, (key, _) in enumerate(CHECKLIST)}  # the field app's order, whatever the column keeps
    return {
        inspection.task_id: {
            "inspection_id": inspection.id,
            "case_id": inspection.case_id,
            "case": number,
            "case_url": url_for("hotline.case_page", case_id=inspection.case_id),
            "status": inspection.status,
            "inspected_at": inspection.inspected_at,
            "inspector": inspection.inspector.display_name if inspection.inspector else None,
            "checklist": [
                {"key": key, "label": gettext(labels[key]) if key in labels else key, "ok": bool(ok)}
                for key, ok in sorted((inspection.checklist or {}).items(), key=lambda kv: order.get(kv[0], len(order)))
            ],
            "notes": inspection.notes or "",
            "fail_reason": inspection.fail_reason,
            "photos": photos.get(inspection.id, []),
        }
        for inspection, number in rows
    }


def register(app: Flask) -> None:
    """Follow inspection tasks made for cases, and give their findings to the task history."""
    client_texts(app, [TITLE])  # task titles show on live pages
    hooks.on_step(app, SOURCE, "done", on_done)
    hooks.on_step(app, SOURCE, "failed", on_failed)
    hooks.on_step(app, SOURCE, "cancelled", on_cancelled)
    reports.provide(app, SOURCE, task_reports, "hotline/_task_report.html")
