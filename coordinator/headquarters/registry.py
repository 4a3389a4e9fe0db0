"""The registry of headquarters: the national HQ and one HQ per region or city
of republican significance, with their contacts and how often each must report."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.auth.models import User
from coordinator.common.errors import Forbidden, Invalid, NotFound
from coordinator.events import service as events
from coordinator.headquarters.models import Headquarters
from coordinator.i18n import N_, text

FIELDS = ("name", "phone", "email", "address", "report_interval_minutes")
# An HQ reports at least every 7 days and at most every 15 minutes.
MIN_INTERVAL, MAX_INTERVAL = 15, 7 * 24 * 60


def rooms(hq: Headquarters) -> list[str]:
    """Rooms that hear about an HQ: national, and its own region."""
    return events.rooms(regions=[hq.region_id])


def default_interval() -> int:
    """Minutes between status reports for an HQ without an interval of its own."""
    return int(current_app.config["HQ_SILENCE_MINUTES"])


def interval_minutes(hq: Headquarters) -> int:
    """How often this HQ must report, in minutes: its own interval or the default."""
    return hq.report_interval_minutes or default_interval()


def list_hqs(*, session: Session, user: User) -> list[Headquarters]:
    """HQs the user may see: all for national staff, their own region's otherwise."""
    query = select(Headquarters).order_by(Headquarters.region_id.is_not(None), Headquarters.name)
    return list(session.scalars(authz.scoped(query, user, region=Headquarters.region_id)))


def get(*, session: Session, user: User, hq_id: int) -> Headquarters:
    """One HQ, within the user's scope; raises NotFound or Forbidden."""
    hq = session.get(Headquarters, hq_id)
    if hq is None:
        raise NotFound(text(N_("No headquarters with id %(id)s."), id=hq_id), field="hq_id")
    authz.require_record(user, region_id=hq.region_id)
    return hq


def may_edit(user: User, hq: Headquarters) -> bool:
    """Whether the user may edit this HQ: national staff any, regional staff their own."""
    scope = authz.region_scope(user)
    return user.role in authz.HQ_ROLES and (scope is None or scope == hq.region_id)


def update(*, session: Session, user: User, hq: Headquarters, data: dict[str, Any]) -> Headquarters:
    """Change an HQ's name, contacts or report interval (0 or None: the default).
    Only the national HQ sets intervals, since it is the one they warn.
    Raises Forbidden or Invalid."""
    if not may_edit(user, hq):
        raise Forbidden(text(N_("You may edit only your own HQ.")))
    if "report_interval_minutes" in data:
        if not authz.is_national(user):
            raise Forbidden(
                text(N_("Only the national HQ sets how often an HQ must report.")), field="report_interval_minutes"
            )
        minutes = data["report_interval_minutes"] or None
        if minutes is not None and not MIN_INTERVAL <= minutes <= MAX_INTERVAL:
            raise Invalid(
                text(
                    N_("Give minutes from %(min)s to %(max)s (7 days), or 0 for the default (%(default)s)."),
                    min=MIN_INTERVAL,
                    max=MAX_INTERVAL,
                    default=default_interval(),
                ),
                field="report_interval_minutes",
            )
        data = {**data, "report_interval_minutes": minutes}
    if "name" in data and not data["name"].strip():
        raise Invalid(text(N_("Give the HQ a name.")), field="name")
    changed = {k: data[k].strip() if isinstance(data[k], str) else data[k] for k in FIELDS if k in data}
    changed = {k: v for k, v in changed.items() if getattr(hq, k) != v}
    if not changed:
        return hq
    before = {k: getattr(hq, k) for k in changed}
    for key, value in changed.items():
        setattr(hq, key, value)
    session.flush()
    events.record(
        session=session,
        type="hq.updated",
        subject_type="hq",
        subject_id=hq.id,
        rooms=rooms(hq),
        actor_id=user.id,
        before=before,
        after={**changed, "name": hq.name, "interval_minutes": interval_minutes(hq)},
    )
    return hq
