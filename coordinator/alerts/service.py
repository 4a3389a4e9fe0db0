"""Alerts: a scan turns current conditions (low stock, a stock ledger whose
balances drift from its moves, SLA clocks, silent HQs,
tasks nobody took, stale teams) into alerts, and clears those whose condition
has ended. People acknowledge them; both are events, so every HQ screen in
scope sees an alert appear and vanish live.

Stale teams make one alert per HQ naming its silent teams, updated in place as
teams go silent or come back (`alert.updated`). Each alert's text is stored as
a message id with parameters (`content`) and rendered for each reader; the
feed is ranked by severity, then newest first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import case, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.alerts.models import Alert
from coordinator.auth.models import User
from coordinator.common.clock import iso_utc, now
from coordinator.common.errors import Conflict, Invalid, NotFound
from coordinator.events import service as events
from coordinator.field import teams as field_teams
from coordinator.field.models import Task, Team
from coordinator.headquarters.models import Headquarters
from coordinator.hotline import cases, sla
from coordinator.hotline import labels as hotline_labels
from coordinator.hotline.models import Case
from coordinator.i18n import N_, at, message, render, text
from coordinator.supplies import ledger, stock
from coordinator.supplies.models import Warehouse

STATES = ("open", "acknowledged", "all")
SEVERITIES = ("critical", "high", "normal", "low")  # the feed's order, most severe first

T_STOCK = N_("%(warehouse)s: %(item)s, days of cover: %(days)s (%(on_hand)s %(unit)s on hand, %(per_day)s a day).")
T_SLA_BREACH = N_("Case %(number)s (%(category)s, %(severity)s): SLA breached, due %(due)s.")
T_SLA_WARNING = N_("Case %(number)s (%(category)s, %(severity)s): SLA due soon, at %(due)s.")
T_LEDGER = N_(
    "Stock ledger drift at warehouse %(warehouse)s, lot %(lot)s: the balance says %(cached)s on hand "
    "(%(cached_held)s held), the moves add up to %(moves)s (%(moves_held)s held)."
)
T_HQ_SILENT = N_("%(hq)s has not reported since %(since)s.")
T_HQ_NEVER = N_("%(hq)s has not reported since it was set up.")
T_TASK = N_("Task #%(id)s needs HQ: %(title)s. %(reason)s")
T_TASK_REASON = N_("Offered %(count)s times; no team took it.")
T_STALE = N_("%(hq)s: on-duty teams whose phone is silent (%(count)s): %(teams)s.")
# What HQ can keep in the feed (the screen's filter), by kind.
KIND_LABELS = {
    "sla_breach": N_("SLA breached"),
    "sla_warning": N_("SLA due soon"),
    "stock_low": N_("Low stock"),
    "ledger_drift": N_("Stock ledger drift"),
    "offer_expired": N_("Tasks for HQ"),
    "hq_silent": N_("Silent HQs"),
    "team_stale": N_("Stale teams"),
}
TEXTS = (T_STOCK, T_SLA_BREACH, T_SLA_WARNING, T_LEDGER, T_HQ_SILENT, T_HQ_NEVER, T_TASK, T_TASK_REASON, T_STALE)


@dataclass(frozen=True)
class Condition:
    key: str
    kind: str
    severity: str
    region_id: int | None
    subject_type: str
    subject_id: int
    content: dict[str, Any]  # a message (coordinator.i18n.message)


def english(content: dict[str, Any] | None) -> str:
    """The message in English: the `message` column, for readers of rows from before 0010."""
    with force_locale("en"):
        return render(content)


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
        "message": render(a.content) if a.content else a.message,
        "content": a.content,
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
                        content=message(
                            T_STOCK,
                            warehouse=w.name,
                            item=item["item_message"],
                            days=days,
                            on_hand=item["on_hand"],
                            unit=item["unit_message"],
                            per_day=item["per_day"],
                        ),
                    )
                )
    return out


def _code(kind: str, code: str) -> Any:
    """A case's category or severity as a message, read in each reader's language."""
    msgid = hotline_labels.CODES[kind].get(code)
    return message(msgid) if msgid else code.replace("_", " ")


def _cases(session: Session) -> list[Condition]:
    warning = current_app.config["SLA_WARNING_MINUTES"]
    query = select(Case).where(cases.open_clause(), Case.sla_due_at.is_not(None))
    out = []
    for c in session.scalars(query):
        clock = sla.state(c, warning_minutes=warning)
        if clock == "breached":
            kind, severity, msgid = "sla_breach", "critical", T_SLA_BREACH
        elif clock == "due_soon":
            kind, severity, msgid = "sla_warning", "high", T_SLA_WARNING
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
                content=message(
                    msgid,
                    number=c.number,
                    category=_code("category", c.category),
                    severity=_code("severity", c.severity),
                    due=at(iso_utc(c.sla_due_at)),
                ),
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
            content=message(
                T_LEDGER,
                warehouse=d["warehouse_id"],
                lot=d["lot_id"],
                cached=d["cached_on_hand"],
                cached_held=d["cached_held"],
                moves=d["moves_on_hand"],
                moves_held=d["moves_held"],
            ),
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
            content=message(T_HQ_SILENT, hq=h.name, since=f"{h.last_report_at:%Y-%m-%d %H:%M}")
            if h.last_report_at
            else message(T_HQ_NEVER, hq=h.name),
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
            content=message(
                T_TASK,
                id=t.id,
                title=t.title_message or t.title,
                reason=t.status_reason or message(T_TASK_REASON, count=t.offer_attempts),
            ),
        )
        for t in session.scalars(select(Task).where(Task.status == "created", Task.needs_hq.is_(True)))
    ]


def _teams(session: Session) -> list[Condition]:
    """One condition per HQ naming its stale teams, so a silent network is one line, not fifteen."""
    by_hq: dict[int, list[Team]] = {}
    for t in session.scalars(select(Team).where(Team.on_duty.is_(True)).order_by(Team.name)):
        if field_teams.is_stale(t):
            by_hq.setdefault(t.home_hq_id, []).append(t)
    return [
        Condition(
            key=f"team_stale:hq:{hq_id}",
            kind="team_stale",
            severity="normal",
            region_id=teams[0].home_hq.region_id,
            subject_type="hq",
            subject_id=hq_id,
            content=message(
                T_STALE,
                hq=teams[0].home_hq.name,
                count=len(teams),
                teams=", ".join(t.name for t in teams),
                team_ids=[t.id for t in teams],
            ),
        )
        for hq_id, teams in by_hq.items()
    ]


def conditions(*, session: Session) -> dict[str, Condition]:
    """Every condition that deserves an alert right now, by key."""
    found = [*_stock(session), *_ledger(session), *_cases(session), *_hqs(session), *_tasks(session), *_teams(session)]
    return {c.key: c for c in found}


def _raise(session: Session, c: Condition) -> bool:
    alert = Alert(
        key=c.key,
        kind=c.kind,
        severity=c.severity,
        region_id=c.region_id,
        subject_type=c.subject_type,
        subject_id=c.subject_id,
        message=english(c.content),
        content=c.content,
        raised_at=now(),
    )
    try:
        with session.begin_nested():
            session.add(alert)
            session.flush()
    except IntegrityError:
        return False  # another scanner raised it first
    _record(session, "alert.raised", alert)
    return True


def _clear(session: Session, alert: Alert) -> None:
    alert.cleared_at = now()
    session.flush()  # before a fresh alert with the same key is inserted
    _record(session, "alert.cleared", alert)


def _record(session: Session, type_: str, alert: Alert) -> None:
    events.record(
        session=session,
        type=type_,
        subject_type="alert",
        subject_id=alert.id,
        rooms=rooms(alert.region_id),
        after=to_dict(alert),
    )


def _members(content: dict[str, Any] | None) -> set[int]:
    return set(((content or {}).get("params") or {}).get("team_ids") or ())


def _update(session: Session, alert: Alert, c: Condition) -> bool:
    """Bring a live alert's text up to date. An acknowledged alert whose
    condition grew (a new stale team) is cleared and raised afresh, so HQ
    sees the newcomer; the old one stays on record with who acknowledged it."""
    if alert.content == c.content:
        return False
    if alert.acknowledged_at is not None and not _members(c.content) <= _members(alert.content):
        _clear(session, alert)
        return _raise(session, c)
    alert.content, alert.message, alert.severity = c.content, english(c.content), c.severity
    _record(session, "alert.updated", alert)
    return True


def scan(*, session: Session) -> dict[str, int]:
    """Raise an alert for each new condition, update those whose text changed, and clear those that ended."""
    current = conditions(session=session)
    live = {a.key: a for a in session.scalars(select(Alert).where(Alert.cleared_at.is_(None)))}
    raised = updated = cleared = 0
    for key, c in current.items():
        if key in live:
            updated += _update(session, live[key], c)
        else:
            raised += _raise(session, c)
    for key, alert in live.items():
        if key not in current:
            _clear(session, alert)
            cleared += 1
    return {"raised": raised, "updated": updated, "cleared": cleared, "live": len(current)}


def list_alerts(
    *, session: Session, user: User, state: str = "open", kind: str | None = None, limit: int = 200, offset: int = 0
) -> list[Alert]:
    """Alerts in the user's scope: open (live, unacknowledged), acknowledged, or all;
    of one kind if given; the most severe first, then the newest."""
    if state not in STATES:
        raise Invalid(
            text(N_("Unknown state %(state)s. States: %(states)s."), state=repr(state), states=", ".join(STATES)),
            field="state",
        )
    rank = case({s: i for i, s in enumerate(SEVERITIES)}, value=Alert.severity, else_=len(SEVERITIES))
    query = select(Alert).order_by(rank, Alert.raised_at.desc(), Alert.id.desc()).limit(limit).offset(offset)
    if state == "open":
        query = query.where(Alert.cleared_at.is_(None), Alert.acknowledged_at.is_(None))
    elif state == "acknowledged":
        query = query.where(Alert.acknowledged_at.is_not(None))
    if kind:
        query = query.where(Alert.kind == kind)
    return list(session.scalars(authz.scoped(query, user, region=Alert.region_id)))


def acknowledge(*, session: Session, user: User, alert_id: int) -> Alert:
    """Record that a person has seen an alert; it leaves every feed in scope."""
    alert = session.scalar(select(Alert).where(Alert.id == alert_id).with_for_update(of=Alert))
    if alert is None:
        raise NotFound(text(N_("No alert with id %(id)s."), id=alert_id))
    authz.require_record(user, region_id=alert.region_id)
    if alert.acknowledged_at is not None:
        who = alert.acknowledged_by.display_name if alert.acknowledged_by else text(N_("someone"))
        raise Conflict(
            text(
                N_("%(who)s already acknowledged this alert at %(time)s."),
                who=who,
                time=f"{alert.acknowledged_at:%Y-%m-%d %H:%M}",
            )
        )
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
