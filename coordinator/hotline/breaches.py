"""The breach dashboard: open cases by SLA state, stage, region and category,
and the clocks that ran out, so an HQ sees which stage breached."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.hotline import cases, sla
from coordinator.hotline.models import Case, CaseClock


def dashboard(
    *, session: Session, user: User, region_id: int | None = None, category: str | None = None
) -> dict[str, Any]:
    """Counts of the open cases in scope, and the breached clocks of those cases."""
    query = cases.scope(select(Case).where(cases.open_clause()), user)
    if region_id is not None:
        query = query.where(Case.region_id == region_id)
    if category is not None:
        query = query.where(Case.category == category)
    at = now()
    open_cases = list(session.scalars(query))
    by_state: Counter[str] = Counter()
    by_stage: Counter[tuple[str, str]] = Counter()
    by_region: Counter[tuple[int | None, str]] = Counter()
    by_category: Counter[tuple[str, str]] = Counter()
    for c in open_cases:
        state = sla.state(c, at=at)
        by_state[state] += 1
        by_stage[(c.status, state)] += 1
        by_region[(c.region_id, state)] += 1
        by_category[(c.category, state)] += 1
    ids = [c.id for c in open_cases]
    breached = (
        []
        if not ids
        else session.execute(
            select(CaseClock, Case)
            .join(Case, Case.id == CaseClock.case_id)
            .where(CaseClock.breached_at.is_not(None), Case.id.in_(ids))
            .order_by(CaseClock.breached_at.desc())
        ).all()
    )
    by_clock: Counter[str] = Counter(clock.stage for clock, _ in breached)
    return {
        "total": len(open_cases),
        "by_state": dict(by_state),
        "by_stage": _table(by_stage),
        "by_region": _table(by_region),
        "by_category": _table(by_category),
        "breached_stages": dict(by_clock),
        "breached": [
            {
                "case_id": c.id,
                "number": c.number,
                "stage": clock.stage,
                "due_at": clock.due_at,
                "breached_at": clock.breached_at,
                "stopped": clock.stopped_at is not None,
                "region_id": c.region_id,
                "category": c.category,
                "severity": c.severity,
                "status": c.status,
            }
            for clock, c in breached[:500]
        ],
    }


def _table(counts: Counter) -> dict[str, dict[str, int]]:
    """{key: {state: count}}, keys as strings (a case without a region: \"none\")."""
    out: dict[str, dict[str, int]] = {}
    for (key, state), n in counts.items():
        out.setdefault("none" if key is None else str(key), {})[state] = n
    return out
