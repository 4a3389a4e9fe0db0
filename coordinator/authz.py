"""Authorization: the one place that says who may use which route and room.

Every view declares its roles with `@allow(...)` (or `@public`). A request to a
view that declares nothing is refused, so a forgotten route fails closed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
from flask_login import current_user

from coordinator.auth.models import ROLES, User
from coordinator.common.errors import Forbidden

ANY_USER = ROLES
HQ_ROLES = ("admin", "hq")
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


def rooms_for(user: User) -> list[str]:
    """Every socket room the user's role and scope allow."""
    if is_national(user):
        return ["hq"]
    if user.role == "hq":
        return [f"region:{user.region_id}"]
    if user.role == "facility_manager":
        return [f"facility:{f.id}" for f in user.facilities]
    if user.role == "warehouse_manager":
        return [f"warehouse:{w.id}" for w in user.warehouses]
    if user.role == "field" and user.team_id:
        return [f"team:{user.team_id}"]
    if user.role == "hotline_operator":
        return ["hotline"]
    if user.role == "requester" and user.organization_id:
        return [f"organization:{user.organization_id}"]
    return []


def may_join(user: User, room: str) -> bool:
    """Whether the user may listen to a room."""
    if is_national(user):
        return True
    return room in rooms_for(user)


def region_scope(user: User) -> int | None:
    """The region a regional HQ user is limited to (None: no region limit)."""
    return user.region_id if user.role == "hq" else None


def require_region(user: User, region_id: int | None) -> None:
    """Refuse a regional HQ user access to another region's record."""
    scope = region_scope(user)
    if scope is not None and region_id != scope:
        raise Forbidden("This record belongs to another region.")


def require_facility(user: User, facility_id: int, region_id: int | None = None) -> None:
    """Refuse access to a facility outside the user's scope."""
    if user.role in HQ_ROLES:
        require_region(user, region_id)
        return
    if user.role == "facility_manager" and any(f.id == facility_id for f in user.facilities):
        return
    raise Forbidden("You do not manage this facility.")


def require_team(user: User, team_id: int, region_id: int | None = None) -> None:
    """Refuse access to a team outside the user's scope."""
    if user.role in HQ_ROLES:
        require_region(user, region_id)
        return
    if user.role == "field" and user.team_id == team_id:
        return
    raise Forbidden("This is not your team.")


def _check_request() -> Any:
    if request.endpoint is None or request.endpoint.startswith(PUBLIC_ENDPOINT_PREFIXES):
        return None
    roles = roles_for_endpoint(current_app, request.endpoint)
    if roles == PUBLIC:
        return None
    if roles is None:
        raise Forbidden("This route has no access rule.")
    if not current_user.is_authenticated:
        from coordinator.auth.views import unauthenticated

        return unauthenticated()
    if current_user.role not in roles:
        raise Forbidden("Your role may not use this page.")
    return None


def init_app(app: Flask) -> None:
    """Check every request against the declared roles."""
    app.before_request(_check_request)
