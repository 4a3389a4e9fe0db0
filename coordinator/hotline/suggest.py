"""Suggestions for the operator's form: known employers, and settlements of
the offline gazetteer."""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordinator.geo import gazetteer
from coordinator.hotline import text
from coordinator.hotline.models import Report

LIMIT = 10
KNOWN_LIMIT = 20_000  # distinct employer names compared (the most reported first)


def employers(*, session: Session, q: str) -> list[str]:
    """Employers named in earlier reports that resemble `q`, best first."""
    wanted = text.employer(q)
    if not wanted:
        return []
    rows = session.execute(
        select(Report.employer_norm, func.min(Report.employer_name))
        .where(Report.employer_norm != "")
        .group_by(Report.employer_norm)
        .order_by(func.count(Report.id).desc())
        .limit(KNOWN_LIMIT)
    ).all()
    names = dict(rows)
    found = process.extract(wanted, list(names), scorer=fuzz.WRatio, score_cutoff=70, limit=LIMIT)
    return [names[norm] for norm, _, _ in found]


def places(q: str) -> list[dict[str, Any]]:
    """Settlements whose name starts like `q`, largest first, after the one
    the gazetteer finds for any Latin or Cyrillic spelling of it."""
    key = gazetteer.normalize(q)
    if len(key) < 2:
        return []
    found = gazetteer.geocode(q)
    starts = [s for s in gazetteer.settlements() if gazetteer.normalize(s.name).startswith(key)]
    best = ([found] if found else []) + sorted(starts, key=lambda s: -s.population)
    unique = list({s.geonameid: s for s in best}.values())[:LIMIT]
    return [{"name": s.name, "region_code": s.region_code, "lat": s.lat, "lon": s.lon} for s in unique]
