"""Field teams: the list in scope, shift, position from the phone, and the
status HQ sees (available, busy, stale, off duty)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator import authz, queue
from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.common.errors import Invalid, NotFound
from coordinator.events import service as events
from coordinator.field.models import WORKING_STATUSES, Team, TeamPosition
from coordinator.geo.service import check_point
from coordinator.i18n import N_, text

TRACK_LENGTH = 50


def list_teams(*, session: Session, user: User, limit: int | None = None, offset: int = 0) -> list[Team]:
    """Teams in the user's scope by name (`limit` rows from `offset`): a field user sees only their own team."""
    query = authz.scoped(select(Team).order_by(Team.name, Team.id), user, region=Team.region_id, team=Team.id)
    return list(session.scalars(query.limit(limit).offset(offset)))


def get_team(*, session: Session, user: User, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(text(N_("No team with id %(id)s."), id=team_id))
    authz.require_record(user, region_id=team.region_id, team_id=team.id)
    return team


def team_rooms(team: Team) -> list[str]:
    return events.rooms(regions=[team.region_id], teams=[team.id])


def set_shift(*, session: Session, user: User, team: Team, on_duty: bool) -> Team:
    before = {"on_duty": team.on_duty}
    team.on_duty = on_duty
    events.record(
        session=session,
        type="team.shift",
        subject_type="team",
        subject_id=team.id,
        rooms=team_rooms(team),
        actor_id=user.id,
        before=before,
        after={"on_duty": on_duty},
    )
    if on_duty:
        queue.after_commit(session, "offer_tasks")
    return team


def report_position(*, session: Session, user: User | None, team: Team, lat: float, lon: float, at) -> Team:
    """Store a position from the team's phone (or the simulator, with no user);
    refuses impossible times and places."""
    check_point(lat, lon, field="lat")
    current = now()
    if at > current + timedelta(minutes=2):
        raise Invalid(text(N_("The position's time is in the future.")), field="at")
    if at < current - timedelta(hours=12):
        raise Invalid(text(N_("The position is more than 12 hours old.")), field="at")
    if team.last_seen_at and at <= team.last_seen_at:
        return team  # an older fix arriving late: keep the newer one
    session.add(TeamPosition(team_id=team.id, lat=lat, lon=lon, at=at))
    before = {"lat": team.last_lat, "lon": team.last_lon, "at": team.last_seen_at}
    team.last_lat, team.last_lon, team.last_seen_at = lat, lon, at
    events.record(
        session=session,
        type="team.position",
        subject_type="team",
        subject_id=team.id,
        rooms=team_rooms(team),
        actor_id=user.id if user else None,
        before=before,
        after={"lat": lat, "lon": lon, "at": at},
    )
    old = session.scalars(
        select(TeamPosition.id)
        .where(TeamPosition.team_id == team.id)
        .order_by(TeamPosition.at.desc())
        .offset(TRACK_LENGTH)
    ).all()
    if old:
        session.execute(TeamPosition.__table__.delete().where(TeamPosition.id.in_(old)))
    return team


WORKING = WORKING_STATUSES  # what the HQ screen counts as a busy team


def team_status(team: Team, *, working: bool) -> str:
    """What HQ sees of a team: busy (it has an accepted, on-the-way or
    on-site task), else off duty, stale (phone silent) or available.

    Busy comes first: a crew at work often has its phone in a pocket, and
    counting it as stale (or off duty, when the shift ended mid-task) hid
    every busy team. Its silence still shows (`is_stale`, the stale alert)."""
    if working:
        return "busy"
    if not team.on_duty:
        return "off_duty"
    if is_stale(team):
        return "stale"
    return "available"


def is_stale(team: Team) -> bool:
    """An on-duty team whose phone has been silent too long."""
    limit = timedelta(seconds=current_app.config["TEAM_STALE_SECONDS"])
    return team.on_duty and (team.last_seen_at is None or now() - team.last_seen_at > limit)
