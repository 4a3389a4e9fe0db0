"""The signed-in home page (`/`): each role's home is registered by the domain
that owns it, so this package imports no domain. Also the labels every page
uses, and how a page reads its query string."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, current_app, request, send_from_directory
from flask_babel import get_locale
from marshmallow import EXCLUDE, Schema, ValidationError

from coordinator.authz import ANY_USER, allow, public
from coordinator.common.errors import Forbidden, Invalid
from coordinator.i18n import N_, text

bp = Blueprint("pages", __name__)
_HOMES = "birlik_homes"


def register_home(app: Flask, role: str, view: Callable) -> None:
    """`view()` answers `/` for users of `role` (a page or a redirect)."""
    app.extensions.setdefault(_HOMES, {})[role] = view


def query_args(schema: Schema) -> dict[str, Any]:
    """A page's query string read through `schema`. A blank value counts as
    absent (a form's "all" choice) and parameters the schema does not name are
    ignored (a link may carry others); a bad value raises Invalid, a 422 page
    showing the field's message, which should say what to pick instead."""
    given = {name: value for name, value in request.args.items() if value.strip()}
    try:
        return schema.load(given, unknown=EXCLUDE)
    except ValidationError as exc:
        name, messages = next(iter(exc.normalized_messages().items()))
        # The schemas' own messages are English (and name the field): a reader
        # of another language is told the same in theirs.
        message, value = messages[0], given.get(name, "")
        if value and str(get_locale()) != "en":
            message = text(N_("%(value)s is not a choice here: pick one from the list."), value=repr(value))
        raise Invalid(message, field=name) from None


@bp.route("/")
@allow(*ANY_USER)
def home():
    from flask_login import current_user

    view = current_app.extensions.get(_HOMES, {}).get(current_user.role)
    if view is None:
        raise Forbidden(N_("Your role has no home page."))
    return view()


@bp.route("/favicon.ico")
@public
def favicon():
    """Browsers ask every site for /favicon.ico, whatever the page links."""
    return send_from_directory(
        current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=86400
    )


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
