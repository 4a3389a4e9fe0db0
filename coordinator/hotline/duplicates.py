"""Duplicates across channels. A report about the same employer (normalised
name, fuzzy with RapidFuzz), the same site (two points within
HOTLINE_DUPLICATE_METERS) or from the same reporter (by the keyed hash of the
phone number: the number is never compared or shown) filed in the last
HOTLINE_DUPLICATE_DAYS days is suggested as linked to it. Operators link (the
reports form one case) or dismiss."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.common.errors import Conflict, NotFound
from coordinator.hotline import cases, privacy, settings, workflow
from coordinator.hotline import text as normalize
from coordinator.hotline.models import Case, DuplicateLink, Report
from coordinator.i18n import N_, message, text

MAX_SUGGESTIONS = 10
# A decided suggestion's status as the word an error message shows (in English, the code).
LINK_WORDS = {"linked": N_("linked"), "dismissed": N_("dismissed")}
Window = tuple[datetime, datetime]  # reports filed between these are compared
KM_PER_DEGREE = 111.32


@dataclass
class Match:
    """A case that may be about the same thing, and why."""

    case_id: int
    reasons: set[str] = field(default_factory=set)
    score: float = 0.0

    def add(self, reason: str, score: float) -> None:
        self.reasons.add(reason)
        self.score = max(self.score, score)


def _recent_reports(window: Window) -> Any:
    return (
        select(Report.case_id)
        .join(Case, Case.id == Report.case_id)
        .where(Report.created_at.between(*window), cases.open_clause())
    )


def _by_employer(session: Session, name: str, since: Window, found: dict[int, Match]) -> None:
    # Compare each distinct name once, then fetch the reports of the close ones.
    names = set(
        session.scalars(
            _recent_reports(since).with_only_columns(Report.employer_norm).where(Report.employer_norm != "").distinct()
        )
    )
    cutoff = settings.value("HOTLINE_EMPLOYER_SCORE")
    close = {
        m[0]: m[1] for m in process.extract(name, names, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff, limit=None)
    }
    if not close:
        return
    rows = session.execute(
        _recent_reports(since).add_columns(Report.employer_norm).where(Report.employer_norm.in_(close))
    )
    for case_id, norm in rows:
        found.setdefault(case_id, Match(case_id)).add("employer", close[norm])


def _by_site(session: Session, lat: float, lon: float, since: Window, found: dict[int, Match]) -> None:
    meters = settings.value("HOTLINE_DUPLICATE_METERS")
    dlat = meters / 1000 / KM_PER_DEGREE
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    rows = session.execute(
        _recent_reports(since)
        .add_columns(Report.lat, Report.lon)
        .where(
            Report.precise.is_(True),
            Report.lat.between(lat - dlat, lat + dlat),
            Report.lon.between(lon - dlon, lon + dlon),
        )
    ).all()
    for case_id, rlat, rlon in rows:
        km = _km(lat, lon, rlat, rlon)
        if km * 1000 <= meters:
            found.setdefault(case_id, Match(case_id)).add("site", 100 * (1 - km * 1000 / meters / 2))


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, h)))


def _by_reporter(session: Session, key: str, since: Window, found: dict[int, Match]) -> None:
    for (case_id,) in session.execute(_recent_reports(since).where(Report.reporter_key == key)):
        found.setdefault(case_id, Match(case_id)).add("reporter", 100)


def candidates(
    *,
    session: Session,
    employer: str = "",
    lat: float | None = None,
    lon: float | None = None,
    precise: bool = False,
    reporter_key: str | None = None,
    exclude: tuple[int, ...] = (),
    at: datetime | None = None,
) -> list[Match]:
    """Open cases with a report about the same employer, site or reporter
    filed in the N days before `at` (now), best first. Later reports look
    back for themselves."""
    at = at or now()
    since = (at - timedelta(days=settings.value("HOTLINE_DUPLICATE_DAYS")), at)
    found: dict[int, Match] = {}
    if employer:
        _by_employer(session, employer, since, found)
    if precise and lat is not None and lon is not None:
        _by_site(session, lat, lon, since, found)
    if reporter_key:
        _by_reporter(session, reporter_key, since, found)
    ranked = [m for m in found.values() if m.case_id not in exclude]
    return sorted(ranked, key=lambda m: (-len(m.reasons), -m.score, m.case_id))[:MAX_SUGGESTIONS]


def check_draft(
    *,
    session: Session,
    user: User,
    employer: str = "",
    lat: float | None = None,
    lon: float | None = None,
    contact: str | None = None,
) -> list[dict[str, Any]]:
    """What an operator sees while typing a report: possible duplicates in
    their scope (the contact is only hashed, never compared or returned)."""
    matches = candidates(
        session=session,
        employer=normalize.employer(employer),
        lat=lat,
        lon=lon,
        precise=lat is not None,
        reporter_key=privacy.reporter_key(contact),
    )
    by_id = {
        c.id: c
        for c in session.scalars(cases.scope(select(Case).where(Case.id.in_([m.case_id for m in matches])), user))
    }
    return [summary(by_id[m.case_id], m) for m in matches if m.case_id in by_id]


def summary(case: Case, match: Match | None = None) -> dict[str, Any]:
    """A candidate case as lists show it."""
    return {
        "case_id": case.id,
        "number": case.number,
        "category": case.category,
        "status": case.status,
        "severity": case.severity,
        "employer_name": case.employer_name,
        "settlement": case.settlement,
        "created_at": case.created_at,
        "reasons": sorted(match.reasons) if match else [],
    }


def suggest(*, session: Session, case_id: int) -> list[DuplicateLink]:
    """Look for duplicates of a new case and store the suggestions (once per pair)."""
    case = session.get(Case, case_id)
    if case is None or not cases.is_open(case) or not case.reports:
        return []
    report = case.reports[0]
    matches = candidates(
        session=session,
        employer=report.employer_norm,
        lat=report.lat,
        lon=report.lon,
        precise=report.precise,
        reporter_key=report.reporter_key,
        exclude=(case.id,),
        at=report.created_at,
    )
    known = set(
        session.execute(
            select(DuplicateLink.case_id, DuplicateLink.other_id).where(
                or_(DuplicateLink.case_id == case.id, DuplicateLink.other_id == case.id)
            )
        ).all()
    )
    made = []
    for m in matches:
        if (case.id, m.case_id) in known or (m.case_id, case.id) in known:
            continue
        link = DuplicateLink(case_id=case.id, other_id=m.case_id, reasons=sorted(m.reasons), score=round(m.score, 1))
        try:
            with session.begin_nested():
                session.add(link)
        except IntegrityError:
            continue  # another run stored it first
        made.append(link)
    if made:
        workflow.emit(session, case, "case.duplicates_suggested", actor_id=None, extra={"suggested": len(made)})
    return made


def suggestions(*, session: Session, case: Case) -> list[DuplicateLink]:
    """Open suggestions about a case (either side of the pair)."""
    query = select(DuplicateLink).where(
        DuplicateLink.status == "suggested",
        or_(DuplicateLink.case_id == case.id, DuplicateLink.other_id == case.id),
    )
    return [link for link in session.scalars(query.order_by(DuplicateLink.score.desc())) if _both_open(link)]


def _both_open(link: DuplicateLink) -> bool:
    return cases.is_open(link.case) and cases.is_open(link.other)


def _get(session: Session, user: User, case: Case, link_id: int) -> DuplicateLink:
    link = session.get(DuplicateLink, link_id)
    if link is None or case.id not in (link.case_id, link.other_id):
        raise NotFound(text(N_("No suggestion %(link_id)s on case %(number)s."), link_id=link_id, number=case.number))
    cases.require(user, link.case)
    cases.require(user, link.other)
    if link.status != "suggested":
        raise Conflict(
            text(
                N_("This suggestion was already %(status)s."),
                status=message(LINK_WORDS[link.status]) if link.status in LINK_WORDS else link.status,
            ),
            status=link.status,
        )
    return link


def link(*, session: Session, user: User, case: Case, link_id: int) -> Case:
    """Accept a suggestion: the newer case joins the older one. Returns the case that remains."""
    found = _get(session, user, case, link_id)
    older, newer = sorted((found.case, found.other), key=lambda c: c.id)
    found.status, found.decided_by_id, found.decided_at = "linked", user.id, now()
    return workflow.merge(session=session, user=user, into=older, case=newer)


def link_cases(*, session: Session, user: User, into: Case, case: Case) -> Case:
    """Link any two cases by hand (the record of it is a decided suggestion)."""
    existing = session.scalar(
        select(DuplicateLink).where(
            or_(
                (DuplicateLink.case_id == case.id) & (DuplicateLink.other_id == into.id),
                (DuplicateLink.case_id == into.id) & (DuplicateLink.other_id == case.id),
            )
        )
    )
    if existing is None:
        existing = DuplicateLink(case_id=case.id, other_id=into.id, reasons=["operator"], score=0)
        session.add(existing)
    existing.status, existing.decided_by_id, existing.decided_at = "linked", user.id, now()
    return workflow.merge(session=session, user=user, into=into, case=case)


def dismiss(*, session: Session, user: User, case: Case, link_id: int) -> DuplicateLink:
    """Reject a suggestion: the two cases stay apart and it is not suggested again."""
    found = _get(session, user, case, link_id)
    found.status, found.decided_by_id, found.decided_at = "dismissed", user.id, now()
    other = found.other if found.case_id == case.id else found.case
    workflow.record_step(session, case, "dismissed", actor_id=user.id, note=other.number)
    workflow.emit(session, case, "case.link_dismissed", actor_id=user.id, extra={"other": other.number})
    return found
