"""Hotline pages: the operator's queue and intake form, the case page, the
printable case file and inspection act, evidence downloads and the breach
dashboard. Actions go through the JSON API; pages patch live."""

from __future__ import annotations

from flask import Blueprint, render_template, send_file
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from coordinator import authz, database
from coordinator.api.schemas import Id
from coordinator.auth.models import User
from coordinator.authz import allow
from coordinator.common.errors import NotFound
from coordinator.extensions import db
from coordinator.geo.service import list_regions
from coordinator.hotline import breaches, cases, duplicates, evidence, inspections, labels, privacy, sla
from coordinator.hotline.api import INTAKE_ROLES
from coordinator.hotline.models import (
    CASE_STATUSES,
    CATEGORIES,
    REFERRAL_BODIES,
    SEVERITIES,
    WAITING_ON,
    Case,
    Inspection,
)
from coordinator.i18n import N_, text
from coordinator.pages import query_args

bp = Blueprint("hotline", __name__)
ROLES = cases.CASE_ROLES


class QueueQuery(Schema):
    status = fields.String(
        validate=validate.OneOf(
            ("open", "all", *CASE_STATUSES), error="Unknown status {input!r}: pick one from the list."
        )
    )
    severity = fields.String(validate=validate.OneOf(SEVERITIES, error="Unknown severity {input!r}."))
    category = fields.String(validate=validate.OneOf(CATEGORIES, error="Unknown category {input!r}."))
    region_id = Id(error="Unknown region {input!r}: pick a region from the list.")
    sla = fields.String(validate=validate.OneOf(sla.STATES, error="Unknown SLA state {input!r}."))
    q = fields.String(validate=validate.Length(max=80))


class BreachQuery(Schema):
    region_id = Id(error="Unknown region {input!r}: pick a region from the list.")
    category = fields.String(validate=validate.OneOf(CATEGORIES, error="Unknown category {input!r}."))


class PrintQuery(Schema):
    reporter = fields.Boolean()


@bp.app_context_processor
def _labels():
    return {"hotline_label": labels.labeller()}


def _regions():
    return {r.id: r for r in list_regions(session=db.session)}


def _handlers() -> list[User]:
    """Who a case may be given to: hotline operators and HQ users."""
    query = select(User).where(User.role.in_(ROLES), User.active.is_(True)).order_by(User.display_name).limit(500)
    return list(db.session.scalars(query))


def _queue_page():
    args = query_args(QueueQuery())
    region_id = authz.region_to_show(session=db.session, user=current_user, region_id=args.get("region_id"))
    filters = {k: args.get(k) for k in ("status", "severity", "category", "q")} | {"region_id": region_id}
    rows = cases.queue(session=db.session, user=current_user, sla_state=args.get("sla"), **filters)
    # The list stops at QUEUE_LIMIT; the count is of every case the filters match.
    total = len(rows) if args.get("sla") else cases.count(session=db.session, user=current_user, **filters)
    return render_template(
        "hotline/queue.html",
        cases=rows,
        total=total,
        sla_state={c.id: sla.state(c) for c in rows},
        filters=args,
        regions=_regions(),
        statuses=CASE_STATUSES,
        severities=SEVERITIES,
        categories=CATEGORIES,
        sla_states=sla.STATES,
        can_file=current_user.role in INTAKE_ROLES,
        handlers=_handlers(),
    )


def operator_home():
    """The hotline operator's home: the queue of cases."""
    return _queue_page()


@bp.route("/hotline")
@allow(*ROLES)
def queue():
    return _queue_page()


@bp.route("/hotline/new")
@allow(*INTAKE_ROLES)
def new_report():
    return render_template("hotline/new.html", categories=CATEGORIES, severities=SEVERITIES)


@bp.route("/hotline/cases/<int:case_id>")
@allow(*ROLES)
def case_page(case_id: int):
    case = cases.get(session=db.session, user=current_user, case_id=case_id)
    session = db.session
    return render_template(
        "hotline/case.html",
        case=case,
        sla_state=sla.state(case),
        clocks=sla.clocks(session=session, case=case),
        clock_state=sla.clock_state,
        remaining=sla.remaining_minutes,
        steps=cases.steps(session=session, case=case),
        links=duplicates.suggestions(session=session, case=case),
        inspections=inspections.for_case(session=session, case=case),
        files=evidence.for_case(session=session, case=case),
        may_see_reporter=privacy.may_see_reporter(current_user, case),
        views=privacy.views(session=session, case=case) if privacy.may_see_reporter(current_user, case) else [],
        merged_into=session.get(Case, case.duplicate_of_id) if case.duplicate_of_id else None,
        merged=list(session.scalars(select(Case).where(Case.duplicate_of_id == case.id))),
        regions=_regions(),
        severities=SEVERITIES,
        referral_bodies=REFERRAL_BODIES,
        waiting_on=WAITING_ON,
        is_open=cases.is_open(case),
    )


@bp.route("/hotline/cases/<int:case_id>/print")
@allow(*ROLES)
def case_file(case_id: int):
    """The printable case file; `?reporter=1` adds who reported it (for those
    allowed, and recorded)."""
    case = cases.get(session=db.session, user=current_user, case_id=case_id)
    shown = None
    if query_args(PrintQuery()).get("reporter"):
        database.will_write(db.session)  # the view is recorded
        shown = privacy.reveal(session=db.session, user=current_user, case=case, via="print")
        db.session.commit()
    return render_template(
        "hotline/case_print.html",
        case=case,
        clocks=sla.clocks(session=db.session, case=case),
        clock_state=sla.clock_state,
        steps=cases.steps(session=db.session, case=case),
        inspections=inspections.for_case(session=db.session, case=case),
        files=evidence.for_case(session=db.session, case=case),
        reporters=shown,
        regions=_regions(),
    )


@bp.route("/hotline/inspections/<int:inspection_id>/print")
@allow(*ROLES)
def inspection_act(inspection_id: int):
    """The printable inspection act: checklist, notes, photos, who and when."""
    found = db.session.get(Inspection, inspection_id)
    if found is None:
        raise NotFound(text(N_("No inspection with id %(inspection_id)s."), inspection_id=inspection_id))
    case = cases.get(session=db.session, user=current_user, case_id=found.case_id)
    photos = [f for f in evidence.for_case(session=db.session, case=case) if f.inspection_id == found.id]
    return render_template(
        "hotline/inspection_act.html",
        inspection=found,
        case=case,
        photos=photos,
        checklist=inspections.CHECKLIST,
        regions=_regions(),
    )


@bp.route("/hotline/cases/<int:case_id>/evidence/<int:evidence_id>")
@allow(*ROLES)
def evidence_file(case_id: int, evidence_id: int):
    """A case's file, as the type sniffed when it was kept; documents download."""
    case = cases.get(session=db.session, user=current_user, case_id=case_id)
    item = evidence.get(session=db.session, case=case, evidence_id=evidence_id)
    resp = send_file(
        evidence.path_of(item),
        mimetype=item.content_type,
        as_attachment=item.content_type not in evidence.IMAGE_TYPES,
        download_name=item.filename,
        max_age=0,
    )
    resp.headers["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'self'; img-src 'self'; frame-ancestors 'none'; sandbox"
    )
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.route("/hotline/breaches")
@allow(*ROLES)
def breach_dashboard():
    """Open cases by SLA state, stage, region and category; the breached clocks."""
    args = query_args(BreachQuery())
    region_id = authz.region_to_show(session=db.session, user=current_user, region_id=args.get("region_id"))
    figures = breaches.dashboard(
        session=db.session, user=current_user, region_id=region_id, category=args.get("category")
    )
    return render_template(
        "hotline/breaches.html",
        figures=figures,
        filters=args,
        regions=_regions(),
        categories=CATEGORIES,
        statuses=CASE_STATUSES,
        states=("breached", "due_soon", "on_time", "paused"),
    )
