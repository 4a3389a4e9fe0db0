"""Server-rendered pages: a home page for each role."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from coordinator import authz
from coordinator.authz import ANY_USER, allow
from coordinator.extensions import db
from coordinator.field import service as field_service
from coordinator.hotline.models import Case
from coordinator.housing import service as housing_service
from coordinator.hq import service as hq_service
from coordinator.supplies import service as supplies_service
from coordinator.supplies.models import SupplyRequest

bp = Blueprint("pages", __name__)


def _hq_home():
    facilities = housing_service.list_facilities(session=db.session, user=current_user)
    scope = authz.region_scope(current_user)
    cases = select(func.count(Case.id)).where(Case.status.not_in(("closed", "resolved")))
    if scope is not None:
        cases = cases.where(Case.region_id == scope)
    return render_template(
        "pages/hq.html",
        kpi=housing_service.summary(session=db.session, user=current_user),
        facilities=facilities,
        hqs=hq_service.list_hqs(session=db.session, user=current_user),
        teams=field_service.list_teams(session=db.session, user=current_user),
        warehouses=supplies_service.list_warehouses(session=db.session, user=current_user),
        open_cases=db.session.scalar(cases),
    )


def _home_for_role():
    role = current_user.role
    if role in authz.HQ_ROLES:
        return redirect(url_for("situation.hq_home"))
    if role == "facility_manager":
        from coordinator.housing.views import manager_home

        return manager_home()
    if role == "warehouse_manager":
        return render_template(
            "pages/warehouse.html",
            warehouses=supplies_service.list_warehouses(session=db.session, user=current_user),
        )
    if role == "field":
        return redirect(url_for("field.app"))
    if role == "hotline_operator":
        cases = db.session.scalars(select(Case).order_by(Case.created_at.desc()).limit(50)).all()
        return render_template("pages/hotline.html", cases=cases)
    requests = db.session.scalars(
        select(SupplyRequest)
        .where(SupplyRequest.organization_id == current_user.organization_id)
        .order_by(SupplyRequest.created_at.desc())
    ).all()
    return render_template("pages/requester.html", requests=requests)


@bp.route("/")
@allow(*ANY_USER)
def home():
    return _home_for_role()


@bp.route("/hq/overview")
@allow(*authz.HQ_ROLES)
def hq_overview():
    return _hq_home()


@bp.app_context_processor
def _labels():
    from flask_babel import gettext as _

    roles = {
        "admin": _("administrator"),
        "hq": _("headquarters"),
        "facility_manager": _("facility manager"),
        "warehouse_manager": _("warehouse manager"),
        "field": _("field team"),
        "hotline_operator": _("hotline operator"),
        "requester": _("requester"),
    }
    beds = {
        "standard": _("standard"),
        "shared": _("shared / dormitory"),
        "family": _("family room"),
        "isolation": _("isolation with medical staff"),
    }
    kinds = {
        "sanatorium": _("sanatorium"),
        "rest_home": _("rest home"),
        "hotel": _("hotel"),
        "dormitory": _("dormitory"),
        "training_centre": _("training centre"),
        "other": _("other"),
    }
    statuses = {
        "requested": _("requested"),
        "waiting": _("waiting"),
        "assigned": _("assigned"),
        "in_transit": _("in transit"),
        "checked_in": _("checked in"),
        "released": _("released"),
        "no_show": _("no-show"),
        "cancelled": _("cancelled"),
        "expired": _("expired"),
        "split": _("split"),
    }
    return {
        "role_label": lambda r: roles.get(r, r),
        "bed_label": lambda c: beds.get(c, c),
        "kind_label": lambda k: kinds.get(k, k),
        "status_label": lambda s: statuses.get(s, s),
    }
