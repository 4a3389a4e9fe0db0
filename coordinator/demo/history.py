"""The demo's past: 30 days of stock issues, people in quarantine now and
the occupancy curve that led there, and a month of hotline cases worked
through the hotline's own services. Without a past, days of cover, the
situation report's charts and the SLA clocks would all start empty."""

from __future__ import annotations

import heapq
import itertools
import random
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator import localtime
from coordinator.auth import service as auth_service
from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.demo import callers
from coordinator.field import tasks as field_tasks
from coordinator.field.models import Task, Team
from coordinator.hotline import cases, duplicates, escalation, inspections, sla, workflow
from coordinator.hotline.models import REFERRAL_BODIES, SEVERITIES, Case
from coordinator.housing.models import Facility, OccupancyDay, PlacementRequest
from coordinator.supplies.models import StockBalance, StockMove

DAYS = 30


def stock(session: Session, rng: random.Random) -> None:
    """Opening stock a month ago, then daily issues; some items run low."""
    start = now() - timedelta(days=DAYS)
    for move in session.scalars(select(StockMove).where(StockMove.reference == "opening stock")):
        move.created_at = move.occurred_at = start
    for balance in session.scalars(select(StockBalance)):
        rate = balance.on_hand * rng.uniform(0.003, 0.028)
        for day in range(DAYS, 0, -1):
            qty = min(balance.on_hand, max(1, round(rate * rng.uniform(0.6, 1.4))))
            if not qty:
                break
            balance.on_hand -= qty
            at = now() - timedelta(days=day, hours=rng.uniform(-6, 6))
            # Held for a request, then issued: the ledger's path for stock that leaves.
            for kind in ("held", "issued"):
                session.add(
                    StockMove(
                        warehouse_id=balance.warehouse_id,
                        item_id=balance.item_id,
                        lot_id=balance.lot_id,
                        kind=kind,
                        quantity=qty,
                        reason="issued to requesters",
                        occurred_at=at,
                        created_at=at,
                    )
                )


def quarantine(session: Session, rng: random.Random, facilities: list[Facility]) -> None:
    """Groups checked in over the last two weeks, and 30 days of daily readings."""
    for f in facilities:
        standard = next((b for b in f.beds if b.category == "standard"), None)
        if standard is None or rng.random() < 0.3:
            continue
        for _ in range(rng.randint(1, 4)):
            size = rng.randint(1, 12)
            if standard.free < size:
                break
            arrived = now() - timedelta(days=rng.uniform(0.5, 13.5))
            session.add(
                PlacementRequest(
                    head_count=size,
                    checked_in_count=size,
                    contact_phone="+7 700 000 00 00",
                    origin_name=f.settlement,
                    origin_lat=f.lat,
                    origin_lon=f.lon,
                    region_id=f.region_id,
                    status="checked_in",
                    facility_id=f.id,
                    bed_category="standard",
                    checked_in_at=arrived,
                    release_due_at=arrived + timedelta(days=14),
                    created_at=arrived - timedelta(hours=3),
                )
            )
            standard.occupied += size
    session.flush()
    today = localtime.local_today()  # occupancy days are local, as the snapshot job records them
    for f in facilities:
        total = sum(b.total for b in f.beds)
        oos = sum(b.out_of_service for b in f.beds)
        occupied = sum(b.occupied for b in f.beds)
        for back in range(DAYS - 1, 0, -1):
            # The month's wave: rising to a peak ten days ago, easing to today's figure.
            wave = 0.6 + 0.8 * max(0.0, 1 - abs(back - 10) / 15)
            session.add(
                OccupancyDay(
                    facility_id=f.id,
                    day=today - timedelta(days=back),
                    total=total,
                    out_of_service=oos,
                    held=0,
                    occupied=min(total - oos, round(occupied * wave * rng.uniform(0.9, 1.1))),
                )
            )


@contextmanager
def _clock_at(when: datetime) -> Iterator[None]:
    """Run services as if it were `when`: the application clock's offset (the
    one tests move time on with) is set for the while, so every step, clock,
    event and escalation they write carries its moment in the past."""
    config = current_app.config
    saved = config.get("CLOCK_OFFSET_SECONDS", 0)
    config["CLOCK_OFFSET_SECONDS"] = saved + (when - now()).total_seconds()
    try:
        yield
    finally:
        config["CLOCK_OFFSET_SECONDS"] = saved


RESOLUTIONS = {
    "unpaid_wages": "The employer paid the wages owed.",
    "forced_unpaid_leave": "The workers were taken back on paid leave.",
    "dismissal": "The dismissals were withdrawn.",
    "no_ppe": "Masks and gloves were issued to every shift.",
    "unsafe_conditions": "Shifts were split and the floor aired.",
    "quarantine_violation": "The worker was sent home on sick leave.",
    "help_request": "Food kits and transport were arranged.",
    "other": "Settled with the employer.",
}
LATE = 0.12  # share of steps taken after their SLA clock ran out
BEHIND = (timedelta(days=1), 0.5)  # in the last day the operators fell behind: this share is triaged late
SCAN_EVERY = timedelta(minutes=20)  # the SLA scan as often as this in the past (every minute live)


class HotlineMonth:
    """A month of hotline work replayed in time order through the hotline's
    services: reports through the three channels (some repeating earlier
    ones), the duplicate check as its job runs it, operators linking or
    dismissing suggestions and triaging, inspections done by field crews
    through the task bridge, pauses, resolutions, referrals and closing.
    Each step runs with the clock at its moment, and the SLA scan runs
    before it as the periodic job would have, so clocks warned and breached
    when they did. Run it once the demo's users exist."""

    def __init__(self, session: Session, rng: random.Random) -> None:
        self.session, self.rng, self.end = session, rng, now()
        users = session.scalars(select(User).order_by(User.id)).all()
        self.admin = next(u for u in users if u.role == "admin")  # its token feeds the SMS gateway and bots
        self.operator = next((u for u in users if u.role == "hotline_operator"), self.admin)
        self.hq = {u.region_id: u for u in users if u.role == "hq" and u.region_id is not None}
        self.agenda: list[tuple[datetime, int, Callable[..., None], tuple]] = []
        self.order = itertools.count()
        self.teams: dict[int | None, Team | None] = {}

    def later(self, when: datetime, action: Callable[..., None], *args: object) -> None:
        if when < self.end:
            heapq.heappush(self.agenda, (when, next(self.order), action, args))

    def run(self) -> None:
        for back in range(DAYS, -1, -1):
            for _ in range(self.rng.randint(4, 12)):
                self.later(self.end - timedelta(days=back, hours=self.rng.uniform(0, 24)), self.file)
        scanned = self.end - timedelta(days=DAYS + 1)
        while self.agenda:
            when, _, action, args = heapq.heappop(self.agenda)
            with _clock_at(when):
                if when - scanned >= SCAN_EVERY:
                    escalation.scan(session=self.session)
                    scanned = when
                action(*args)
        escalation.scan(session=self.session)

    def _after(self, stage: str, case: Case, late: bool | None = None) -> timedelta:
        """Some share of the case's budget for a stage: within it, or (late) past it."""
        late = self.rng.random() < LATE if late is None else late
        share = self.rng.uniform(1.05, 1.6) if late else self.rng.uniform(0.1, 0.9)
        return timedelta(minutes=sla.budget_minutes(stage, case.severity) * share)

    def file(self) -> None:
        rng = self.rng
        earlier = callers.recent(self.session, rng) if rng.random() < callers.DUPLICATE_SHARE else None
        again = callers.duplicate(earlier, rng, caller="Demo caller") if earlier else None
        if again is not None:
            draft, how = again
            channel = callers.pick_channel(rng, other_than=earlier.channel if "reporter" in how else None)
        else:
            draft, channel = callers.fresh(self.session, rng, caller="Demo caller"), callers.pick_channel(rng)
        opened = now()
        case = callers.file(self.session, draft, channel, rng, operator=self.operator, gateway=self.admin,
                            opened_at=opened).case  # fmt: skip
        self.later(opened + timedelta(seconds=rng.uniform(5, 90)), self.check, case)
        late = rng.random() < (BEHIND[1] if opened > self.end - BEHIND[0] else LATE)
        self.later(opened + self._after("triage", case, late), self.triage, case, earlier.case_id if again else None)

    def check(self, case: Case) -> None:
        """What the check_duplicates job does after the report's commit."""
        duplicates.suggest(session=self.session, case_id=case.id)

    def triage(self, case: Case, repeats: int | None) -> None:
        """The operator links the report it repeats (and often others of the
        same kind), dismisses most other suggestions, then triages."""
        if case.status != "new" or not cases.is_open(case):
            return
        for link in duplicates.suggestions(session=self.session, case=case):
            other = link.other if link.case_id == case.id else link.case
            if link.status != "suggested" or not (cases.is_open(case) and cases.is_open(other)):
                continue
            if other.id == repeats or (other.category == case.category and self.rng.random() < 0.3):
                duplicates.link(session=self.session, user=self.operator, case=case, link_id=link.id)
                if case.duplicate_of_id is not None:
                    return  # it joined the older case
            elif self.rng.random() < 0.7:
                duplicates.dismiss(session=self.session, user=self.operator, case=case, link_id=link.id)
        severity = case.severity_suggested if self.rng.random() < 0.8 else self.rng.choice(SEVERITIES)
        workflow.triage(session=self.session, user=self.operator, case=case, severity=severity)
        at = now()
        if self.rng.random() < 0.15:
            paused = at + timedelta(hours=self.rng.uniform(1, 12))
            self.later(paused, self.pause, case)
            self.later(paused + timedelta(hours=self.rng.uniform(6, 48)), self.resume, case)
        step = self.settle if self.rng.random() < 0.45 else self.inspect
        self.later(at + self._after("assignment", case), step, case)

    def pause(self, case: Case) -> None:
        if cases.is_open(case) and not case.paused:
            waiting_on = self.rng.choice(("employer", "reporter"))
            reason = "Asked the employer for the payroll." if waiting_on == "employer" else "Waiting for photos."
            workflow.pause(session=self.session, user=self.operator, case=case, waiting_on=waiting_on, reason=reason)

    def resume(self, case: Case) -> None:
        if cases.is_open(case) and case.paused:
            workflow.resume(session=self.session, user=self.operator, case=case)

    def inspect(self, case: Case) -> None:
        """An inspection through the task bridge, offered to an inspection team
        of the region, whose crew accepts, goes and files the checklist."""
        team = self._team(case)
        if case.status != "triaged" or not cases.is_open(case) or team is None:
            self.settle(case)
            return
        inspection = inspections.request(session=self.session, user=self.operator, case=case)
        task = self.session.get(Task, inspection.task_id)
        field_tasks.reassign(session=self.session, user=self.operator, task=task, team=team)
        crew, at = _crew(self.session, team), now()
        self.later(at + timedelta(minutes=self.rng.uniform(2, 20)), self.crew_step, task, crew, "accept")
        on_site = at + timedelta(hours=self.rng.uniform(1, 10))
        self.later(on_site, self.crew_step, task, crew, "on_site")
        done = on_site + timedelta(hours=self.rng.uniform(0.5, 2))
        checklist = {key: self.rng.random() < 0.6 for key, _ in inspections.CHECKLIST}
        report = {"checklist": checklist, "notes": "Walked the site with the shift manager."}
        self.later(done, self.crew_step, task, crew, "done", report)
        resolve_by = case.created_at + self._after("resolution", case)
        self.later(max(resolve_by, done + timedelta(hours=self.rng.uniform(2, 24))), self.settle, case)

    def crew_step(self, task: Task, crew: User, action: str, report: dict | None = None) -> None:
        field_tasks.step(session=self.session, user=crew, task=task, action=action, report=report)

    def settle(self, case: Case) -> None:
        """Resolved with the employer, or referred to the inspectorate or the
        prosecutor with their reference; closed a few days later."""
        if case.status not in ("triaged", "inspected") or not cases.is_open(case):
            return
        user = self.hq.get(case.region_id, self.operator)
        if self.rng.random() < 0.3:
            to = self.rng.choices(REFERRAL_BODIES, weights=(7, 3))[0]
            reference = f"{'LI' if to == 'labour_inspectorate' else 'PR'}-{now():%Y}-{self.rng.randint(100, 9999):05d}"
            workflow.refer(session=self.session, user=user, case=case, to=to, reference=reference)
        else:
            workflow.resolve(session=self.session, user=user, case=case, resolution=RESOLUTIONS[case.category])
        self.later(now() + timedelta(days=self.rng.uniform(0.5, 3)), self.close, case)

    def close(self, case: Case) -> None:
        if case.status in ("resolved", "referred"):
            workflow.close(session=self.session, user=self.operator, case=case)

    def _team(self, case: Case) -> Team | None:
        """The region's first inspection team, else the first anywhere."""
        if case.region_id not in self.teams:
            capable = select(Team).where(Team.can_inspect.is_(True)).order_by(Team.id).limit(1)
            self.teams[case.region_id] = self.session.scalar(
                capable.where(Team.region_id == case.region_id)
            ) or self.session.scalar(capable)
        return self.teams[case.region_id]


def _crew(session: Session, team: Team) -> User:
    """The team's crew account, named as the simulator names it (which then uses it too)."""
    username = f"crew-{team.id}"
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = auth_service.create_user(
            session=session, username=username, password=secrets.token_urlsafe(16), role="field", team_id=team.id
        )
    return user


def backfill(*, session: Session, rng: random.Random, facilities: list[Facility]) -> None:
    """The demo's past; run once its users exist (the hotline's month is worked by them)."""
    stock(session, rng)
    quarantine(session, rng, facilities)
    HotlineMonth(session, rng).run()
    session.flush()
