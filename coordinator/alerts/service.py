"""Alerts: a scan turns current conditions (low stock, a stock ledger whose
balances drift from its moves, SLA clocks, silent HQs,
tasks nobody took, stale teams) into alerts, and clears those whose condition
has ended. People acknowledge them; both are events, so every HQ screen in
scope sees an alert appear and vanish live."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.alerts.models import Alert
from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.common.errors import Conflict, Invalid, NotFound
from coordinator.events import service as events
from coordinator.field import teams as field_teams
from coordinator.field.models import Task, Team
from coordinator.headquarters.models import Headquarters
from coordinator.hotline import cases, sla
from coordinator.hotline.models import Case
from coordinator.supplies import ledger, stock
from coordinator.supplies.models import Warehouse

STATES = ("open", "acknowledged", "all")


@dataclass(frozen=True)
class Condition:
    key: str
    kind: str
    severity: str
    region_id: int | None
    subject_type: str
    subject_id: int
    message: str


def rooms(region_id: int | None) -> list[str]:
    return events.rooms(regions=[region_id])


def to_dict(a: Alert) -> dict[str, Any]:
    return {
        "id": a.id,
        "kind": a.kind,
        "severity": a.severity,
        "region_id": a.region_id,
        "subject_type": a.subject_type,
        "subject_id": a.subject_id,
        "message": a.message,
        "raised_at": a.raised_at,
        "acknowledged_at": a.acknowledged_at,
        "acknowledged_by": a.acknowledged_by.display_name if a.acknowledged_by else None,
        "cleared_at": a.cleared_at,
    }


def _stock(session: Session) -> list[Condition]:
    cfg = current_app.config
    limit = cfg["COVER_ALERT_DAYS"]
    cover = stock.cover_by_warehouse(session=session, window_days=cfg["COVER_WINDOW_DAYS"])
    out = []
    for w in session.scalars(select(Warehouse)):
        for item in cover.get(w.id, []):
            days = item["days_of_cover"]
            status = stock.cover_status(days, alert_days=item["alert_days"] or limit)  # per item, if set
            if status in ("critical", "low"):
                out.append(
                    Condition(
                        key=f"stock_low:{item['balance_id']}",
                        kind="stock_low",
                        severity="critical" if status == "critical" else "high",
                        region_id=w.region_id,
                        subject_type="warehouse",
                        subject_id=w.id,
                        message=f"{w.name}: {item['item']} {days} days of cover "
                        f"({item['on_hand']} {item['unit']}, {item['per_day']}/day).",
                    )
                )
    return out


def _cases(session: Session) -> list[Condition]:
    warning = current_app.config["SLA_WARNING_MINUTES"]
    query = select(Case).where(cases.open_clause(), Case.sla_due_at.is_not(None))
    out = []
    for c in session.scalars(query):
        clock = sla.state(c, warning_minutes=warning)
        if clock == "breached":
            kind, severity, text = "sla_breach", "critical", "SLA breached"
        elif clock == "due_soon":
            kind, severity, text = "sla_warning", "high", "SLA due soon"
        else:
            continue
        out.append(
            Condition(
                key=f"{kind}:{c.id}",
                kind=kind,
                severity=severity,
                region_id=c.region_id,
                subject_type="case",
                subject_id=c.id,
                message=f"Case {c.number} ({c.category.replace('_', ' ')}, {c.severity}): {text}, "
                f"due {c.sla_due_at:%Y-%m-%d %H:%M}.",
            )
        )
    return out


def _ledger(session: Session) -> list[Condition]:
    """A cached stock balance that differs from the sum of its moves: national HQ must look."""
    return [
        Condition(
            key=f"ledger_drift:{d['warehouse_id']}:{d['lot_id']}",
            kind="ledger_drift",
            severity="critical",
            region_id=None,
            subject_type="warehouse",
            subject_id=d["warehouse_id"],
            message=f"Stock ledger drift at warehouse {d['warehouse_id']}, lot {d['lot_id']}: the balance says "
            f"{d['cached_on_hand']} on hand ({d['cached_held']} held), the moves add up to {d['moves_on_hand']} "
            f"({d['moves_held']} held).",
        )
        for d in ledger.verify(session=session)
    ]


def _hqs(session: Session) -> list[Condition]:
    return [
        Condition(
            key=f"hq_silent:{h.id}",
            kind="hq_silent",
            severity="high",
            region_id=h.region_id,
            subject_type="hq",
            subject_id=h.id,
            message=f"{h.name} has not reported since "
            f"{h.last_report_at.strftime('%Y-%m-%d %H:%M') if h.last_report_at else 'it was set up'}.",
        )
        for h in session.scalars(select(Headquarters).where(Headquarters.silent.is_(True)))
    ]


def _tasks(session: Session) -> list[Condition]:
    return [
        Condition(
            key=f"offer_expired:{t.id}",
            kind="offer_expired",
            severity="high",
            region_id=t.region_id,
            subject_type="task",
            subject_id=t.id,
            message=f"Task #{t.id} {t.title}: no team took it after {t.offer_attempts} offers.",
        )
        for t in session.scalars(select(Task).where(Task.status == "created", Task.needs_hq.is_(True)))
    ]


def _teams(session: Session) -> list[Condition]:
    return [
        Condition(
            key=f"team_stale:{t.id}",
            kind="team_stale",
            severity="normal",
            region_id=t.region_id,
            subject_type="team",
            subject_id=t.id,
            message=f"{t.name} is on duty but its phone has been silent since "
            f"{t.last_seen_at.strftime('%H:%M') if t.last_seen_at else 'the shift began'}.",
        )
        for t in session.scalars(select(Team).where(Team.on_duty.is_(True)))
        if field_teams.is_stale(t)
    ]


def conditions(*, session: Session) -> dict[str, Condition]:
    """Every condition that deserves an alert right now, by key."""
    found = [*_stock(session), *_ledger(session), *_cases(session), *_hqs(session), *_tasks(session), *_teams(session)]
    return {c.key: c for c in found}


def scan(*, session: Session) -> dict[str, int]:
    """Raise an alert for each new condition and clear those that ended."""
    current = conditions(session=session)
    live = {a.key: a for a in session.scalars(select(Alert).where(Alert.cleared_at.is_(None)))}
    raised = cleared = 0
    for key, c in current.items():
        if key in live:
            continue
        alert = Alert(
            key=c.key,
            kind=c.kind,
            severity=c.severity,
            region_id=c.region_id,
            subject_type=c.subject_type,
            subject_id=c.subject_id,
            message=c.message,
            raised_at=now(),
        )
        try:
            with session.begin_nested():
                session.add(alert)
                session.flush()
        except IntegrityError:
            continue  # another scanner raised it first
        events.record(
            session=session,
            type="alert.raised",
            subject_type="alert",
            subject_id=alert.id,
            rooms=rooms(alert.region_id),
            after=to_dict(alert),
        )
        raised += 1
    for key, alert in live.items():
        if key not in current:
            alert.cleared_at = now()
            events.record(
                session=session,
                type="alert.cleared",
                subject_type="alert",
                subject_id=alert.id,
                rooms=rooms(alert.region_id),
                after=to_dict(alert),
            )
            cleared += 1
    return {"raised": raised, "cleared": cleared, "live": len(current)}


def list_alerts(*, session: Session, user: User, state: str = "open", limit: int = 200) -> list[Alert]:
    """Alerts in the user's scope: open (live, unacknowledged), acknowledged, or all."""
    if state not in STATES:
        raise Invalid(f"Unknown state {state!r}. States: {', '.join(STATES)}.", field="state")
    query = select(Alert).order_by(Alert.raised_at.desc(), Alert.id.desc()).limit(limit)
    if state == "open":
        query = query.where(Alert.cleared_at.is_(None), Alert.acknowledged_at.is_(None))
    elif state == "acknowledged":
        query = query.where(Alert.acknowledged_at.is_not(None))
    return list(session.scalars(authz.scoped(query, user, region=Alert.region_id)))


def acknowledge(*, session: Session, user: User, alert_id: int) -> Alert:
    """Record that a person has seen an alert; it leaves every feed in scope."""
    alert = session.scalar(select(Alert).where(Alert.id == alert_id).with_for_update(of=Alert))
    if alert is None:
        raise NotFound(f"No alert with id {alert_id}.")
    authz.require_record(user, region_id=alert.region_id)
    if alert.acknowledged_at is not None:
        who = alert.acknowledged_by.display_name if alert.acknowledged_by else "someone"
        raise Conflict(f"{who} already acknowledged this alert at {alert.acknowledged_at:%Y-%m-%d %H:%M}.")
    alert.acknowledged_at, alert.acknowledged_by_id = now(), user.id
    session.flush()
    session.refresh(alert, ["acknowledged_by"])
    events.record(
        session=session,
        type="alert.acknowledged",
        subject_type="alert",
        subject_id=alert.id,
        rooms=rooms(alert.region_id),
        actor_id=user.id,
        after=to_dict(alert),
    )
    return alert
