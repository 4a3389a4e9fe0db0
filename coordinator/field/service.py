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
