"""Headquarters pages: the status board of every HQ in scope, and each HQ's
page (status report form, roster, contacts, staff). Actions go through the
JSON API; both pages patch themselves live."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, render_template
from flask_babel import format_timedelta
from flask_login import current_user

from coordinator import authz, localtime
from coordinator.authz import allow
from coordinator.common.clock import now
from coordinator.extensions import db
from coordinator.headquarters import board, case_figures, registry, reports, roster

bp = Blueprint("headquarters", __name__)


def ago(when: datetime | None) -> str:
    """How long ago, in the page's language ("3 hours ago"); empty for never."""
    if when is None:
        return ""
    return format_timedelta(when - now(), granularity="minute", add_direction=True)


def _when(when: datetime | None) -> str:
    return localtime.localtime(when)


@bp.route("/hq/headquarters")
@allow(*authz.HQ_ROLES)
def board_page():
    """Every HQ in scope at a glance, live."""
    return render_template(
        "headquarters/board.html",
        lines=board.rows(session=db.session, user=current_user),
        ago=ago,
        when=_when,
    )


@bp.route("/hq/headquarters/<int:hq_id>")
@allow(*authz.HQ_ROLES)
def hq_page(hq_id: int):
    """One HQ: its status report form, who is on duty, its reports and shifts, contacts and staff."""
    session = db.session
    hq = registry.get(session=session, user=current_user, hq_id=hq_id)
    mine = roster.membership(session=session, user=current_user)
    on_duty = roster.on_duty(session=session, hq_ids=[hq.id]).get(hq.id, [])
    history = reports.history(session=session, hq=hq)
    cases = case_figures.of_hq(session=session, region_id=hq.region_id)
    line = board.row(hq, at=now(), last=history[0] if history else None, on_duty=on_duty, cases=cases)
    return render_template(
        "headquarters/hq.html",
        hq=hq,
        line=line,
        history=history,
        prefill=reports.prefill(session=session, hq=hq),
        staff=roster.staff(session=session, hq=hq),
        shifts=roster.shifts(session=session, hq=hq, limit=30),
        on_staff=mine is not None and mine.hq_id == hq.id,
        my_shift=next((s for s in on_duty if s.user_id == current_user.id), None),
        is_lead=roster.is_lead(session=session, user=current_user, hq=hq),
        may_edit=registry.may_edit(current_user, hq),
        national=authz.is_national(current_user),
        default_interval=registry.default_interval(),
        intervals=(60, 120, 180, 240, 360, 480, 720, 1440, 2880),
        ago=ago,
        when=_when,
    )
