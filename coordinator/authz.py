"""Authorization: the one place that says who may use which route and room.

Every view declares its roles with `@allow(...)` (or `@public`). A request to a
view that declares nothing is refused, so a forgotten route fails closed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, jsonify, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import Select, false, or_
from sqlalchemy.orm import Session

from coordinator.auth.models import ROLES, User
from coordinator.common.errors import Forbidden, Invalid
from coordinator.geo.models import Region
from coordinator.i18n import N_, text

# Named role sets: views declare one of these, so a role added to a set is
# added everywhere the set is used.
ANY_USER = ROLES
HQ_ROLES = ("admin", "hq")
HOUSING_ROLES = ("admin", "hq", "facility_manager")
FIELD_ROLES = ("admin", "hq", "field")
WAREHOUSE_ROLES = ("admin", "hq", "warehouse_manager")
PLACEMENT_CREATORS = ("admin", "hq", "hotline_operator")
_ATTR = "_birlik_roles"
PUBLIC = "public"
# Static files, npm-installed assets and the OpenAPI document with its docs page.
PUBLIC_ENDPOINT_PREFIXES = ("static", "vendor.", "api-docs.")


def allow(*roles: str) -> Callable:
    """Declare the roles that may call a view."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def mark(view: Callable) -> Callable:
        setattr(view, _ATTR, tuple(roles))
        return view

    return mark


def public(view: Callable) -> Callable:
    """Declare a view open to everyone, signed in or not."""
    setattr(view, _ATTR, PUBLIC)
    return view


def roles_for_endpoint(app: Flask, endpoint: str) -> tuple[str, ...] | str | None:
    """The declared roles of an endpoint (None when undeclared)."""
    view = app.view_functions.get(endpoint)
    return getattr(view, _ATTR, None)


def is_national(user: User) -> bool:
    return user.role == "admin" or (user.role == "hq" and user.region_id is None)


def _own(user: User) -> dict[str, list[int]]:
    """The records a non-HQ user is limited to, by kind."""
    return {
        "facility": [f.id for f in user.facilities] if user.role == "facility_manager" else [],
        "warehouse": [w.id for w in user.warehouses] if user.role == "warehouse_manager" else [],
        "team": [user.team_id] if user.role == "field" and user.team_id else [],
        "organization": [user.organization_id] if user.role == "requester" and user.organization_id else [],
    }


def rooms_for(user: User) -> list[str]:
    """Every socket room the user's role and scope allow."""
    if is_national(user):
        return ["hq"]
    if user.role == "hq":
        return [f"region:{user.region_id}"]
    if user.role == "hotline_operator":
        return ["hotline"]
    return [f"{kind}:{i}" for kind, ids in _own(user).items() for i in ids]


def may_join(user: User, room: str) -> bool:
    """Whether the user may listen to a room."""
    if is_national(user):
        return True
    return room in rooms_for(user)


def region_scope(user: User) -> int | None:
    """The region a regional HQ user is limited to (None: no region limit)."""
    return user.region_id if user.role == "hq" else None


def region_to_show(*, session: Session, user: User, region_id: int | None) -> int | None:
    """The region a screen shows: a regional HQ user's own, or the one asked
    for (None: all). Raises Invalid for an unknown region, Forbidden for
    another region than the user's."""
    scope = region_scope(user)
    if region_id is not None:
        if session.get(Region, region_id) is None:
            raise Invalid(
                text(N_("Unknown region %(id)s. Pick one from /api/v1/geo/regions."), id=region_id), field="region_id"
            )
        if scope is not None and region_id != scope:
            raise Forbidden(N_("You may see only your own region."))
    return scope if scope is not None else region_id


def scoped(query: Select, user: User, *, region: Any = None, everything: tuple[str, ...] = (), **own: Any) -> Select:
    """Limit a query to the user's scope: a regional HQ user to rows whose
    `region` column (or any of a tuple of region columns) is theirs; a
    facility manager, warehouse manager, field team or requester to their own
    records through `facility=`, `warehouse=`, `team=` or `organization=`
    columns. National HQ and admin see everything, as do the roles named in
    `everything`; any other role sees nothing (fail closed)."""
    if is_national(user) or user.role in everything:
        return query
    if user.role == "hq":
        if region is None:
            return query.where(false())
        columns = region if isinstance(region, tuple) else (region,)
        return query.where(or_(*(c == user.region_id for c in columns)))
    for kind, ids in _own(user).items():
        if ids and kind in own:
            return query.where(own[kind].in_(ids))
    return query.where(false())


def require_record(
    user: User,
    *,
    region_id: int | None,
    also_regions: tuple[int | None, ...] = (),
    facility_id: int | None = None,
    warehouse_id: int | None = None,
    team_id: int | None = None,
    organization_id: int | None = None,
) -> None:
    """Refuse a record outside the user's scope (Forbidden, with the reason).
    HQ users are checked by region (the record's, or any of `also_regions`);
    other roles by their own records."""
    if user.role in HQ_ROLES:
        scope = region_scope(user)
        if scope is not None and scope not in (region_id, *also_regions):
            raise Forbidden(N_("This record belongs to another region."))
        return
    given = {"facility": facility_id, "warehouse": warehouse_id, "team": team_id, "organization": organization_id}
    for kind, ids in _own(user).items():
        if given[kind] is not None and given[kind] in ids:
            return
    kind = next((k for k, v in given.items() if v is not None), None)
    raise Forbidden(_REFUSALS.get(kind, N_("This record is outside your scope.")))


_REFUSALS = {
    "facility": N_("You do not manage this facility."),
    "warehouse": N_("You do not manage this warehouse."),
    "team": N_("This is not your team."),
    "organization": N_("This belongs to another organization."),
}


def unauthenticated():
    """401 JSON for API paths, a redirect to sign-in for pages."""
    if request.path.startswith("/api/"):
        resp = jsonify(code=401, status="Unauthorized", message="Sign in or send a valid bearer token.")
        resp.status_code = 401
        return resp
    return redirect(url_for("auth.login", next=request.full_path))


def _check_request() -> Any:
    if request.endpoint is None or request.endpoint.startswith(PUBLIC_ENDPOINT_PREFIXES):
        return None
    roles = roles_for_endpoint(current_app, request.endpoint)
    if roles == PUBLIC:
        return None
    if roles is None:
        raise Forbidden(N_("This route has no access rule."))
    if not current_user.is_authenticated:
        return unauthenticated()
    if current_user.role not in roles:
        raise Forbidden(N_("Your role may not use this page."))
    return None


def init_app(app: Flask) -> None:
    """Check every request against the declared roles."""
    app.before_request(_check_request)
