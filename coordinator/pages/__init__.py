"""The signed-in home page (`/`): each role's home is registered by the domain
that owns it, so this package imports no domain. Also the labels every page uses."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Flask, current_app

from coordinator.authz import ANY_USER, allow
from coordinator.common.errors import Forbidden

bp = Blueprint("pages", __name__)
_HOMES = "birlik_homes"


def register_home(app: Flask, role: str, view: Callable) -> None:
    """`view()` answers `/` for users of `role` (a page or a redirect)."""
    app.extensions.setdefault(_HOMES, {})[role] = view


@bp.route("/")
@allow(*ANY_USER)
def home():
    from flask_login import current_user

    view = current_app.extensions.get(_HOMES, {}).get(current_user.role)
    if view is None:
        raise Forbidden("Your role has no home page.")
    return view()


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


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
