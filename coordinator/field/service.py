"""Field team services (read side for now)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.auth.models import User
from coordinator.common.errors import NotFound
from coordinator.field.models import Team


def list_teams(*, session: Session, user: User) -> list[Team]:
    """Teams in the user's scope: a field user sees only their own team."""
    query = select(Team).order_by(Team.name)
    if user.role == "field":
        query = query.where(Team.id == user.team_id)
    scope = authz.region_scope(user)
    if scope is not None:
        query = query.where(Team.region_id == scope)
    return list(session.scalars(query))


def get_team(*, session: Session, user: User, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"No team with id {team_id}.")
    authz.require_team(user, team.id, team.region_id)
    return team


def team_rooms(team: Team) -> list[str]:
    return ["hq", f"region:{team.region_id}", f"team:{team.id}"]


def record_position(*, session: Session, team: Team, lat: float, lon: float, actor_id: int | None) -> None:
    """Store a team's latest position and announce it."""
    from coordinator.common.clock import now
    from coordinator.events import service as events
    from coordinator.geo.service import check_point

    check_point(lat, lon, field="position")
    before = {"lat": team.last_lat, "lon": team.last_lon, "at": team.last_seen_at}
    team.last_lat, team.last_lon, team.last_seen_at = lat, lon, now()
    events.record(
        session=session,
        type="team.position",
        subject_type="team",
        subject_id=team.id,
        rooms=team_rooms(team),
        actor_id=actor_id,
        before=before,
        after={"lat": lat, "lon": lon, "at": team.last_seen_at},
    )
