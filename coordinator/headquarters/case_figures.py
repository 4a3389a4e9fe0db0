"""Open and breached hotline cases per region, for the status board and the
status report's prefill.

What counts as an open or a breached case is the hotline's to say (one
definition, in `hotline.cases.open_clause` and `hotline.sla.breached_clause`),
but headquarters and hotline are independent domains and may not import each
other. So the definitions are handed in by a layer that reads both (the HQ
screen's `init_app` calls `provide`), and this module only counts with them.
Without a provider the figures are unknown (None), never made up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from coordinator.common.clock import now

_KEY = "birlik_hq_case_figures"


@dataclass(frozen=True)
class CaseCounts:
    open: int = 0
    breached: int = 0


@dataclass(frozen=True)
class _Source:
    region: Any  # the case's region column
    open: Callable[[], ColumnElement[bool]]
    breached: Callable[[datetime | None], ColumnElement[bool]]


def provide(
    app: Flask,
    *,
    region: Any,
    open: Callable[[], ColumnElement[bool]],
    breached: Callable[[datetime | None], ColumnElement[bool]],
) -> None:
    """Hand in the case table's region column and the SQL of an open and of a
    breached case (`breached(at)`), so HQs count cases as the hotline does."""
    app.extensions[_KEY] = _Source(region=region, open=open, breached=breached)


def by_region(*, session: Session, at: datetime | None = None) -> dict[int | None, CaseCounts] | None:
    """Open and breached cases per region (None: cases with no region yet);
    None when no definition was provided."""
    source: _Source | None = current_app.extensions.get(_KEY)
    if source is None:
        return None
    rows = session.execute(
        select(
            source.region,
            func.count(),
            func.coalesce(func.sum(case((source.breached(at or now()), 1), else_=0)), 0),
        )
        .where(source.open())
        .group_by(source.region)
    )
    return {region_id: CaseCounts(int(opened), int(breached)) for region_id, opened, breached in rows}


def for_hq(counts: dict[int | None, CaseCounts] | None, region_id: int | None) -> CaseCounts | None:
    """An HQ's cases: its region's, or every region's for the national HQ."""
    if counts is None:
        return None
    if region_id is None:
        return CaseCounts(sum(c.open for c in counts.values()), sum(c.breached for c in counts.values()))
    return counts.get(region_id, CaseCounts())


def of_hq(*, session: Session, region_id: int | None) -> CaseCounts | None:
    """The cases of the HQ of this region (None: the national HQ) now."""
    return for_hq(by_region(session=session), region_id)
