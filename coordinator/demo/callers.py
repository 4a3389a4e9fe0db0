"""The demo's hotline reporters, for the simulator and the seeded past alike.

A report goes in through one of the hotline's three channels by the service
call that channel's view makes: the operator's form during a call (channel
"phone", the operator as actor, POST /api/v1/hotline/reports), the public
form (channel "web", no actor, a submission key as the form token carries,
/report) and another channel's API client (channel "api" with its gateway's
name, the token's user as actor). What the views add around that call (the
rate limit per address, the honeypot, the Idempotency-Key) guards the HTTP
door and has no part here.

Some reports deliberately repeat an earlier one, as people do when nothing
seems to happen: the same employer spelled another way, the same site from a
phone's location, or the same caller's phone number (written differently)
on another channel. The hotline's duplicate check should suggest each."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.geo import gazetteer
from coordinator.hotline import cases, intake
from coordinator.hotline.models import CATEGORIES, CHANNELS, Case, Report
from coordinator.supplies.models import Organization

CHANNEL_WEIGHTS = (4, 3, 2)  # phone, web, api (as CHANNELS lists them)
GATEWAYS = ("sms", "telegram-bot", "whatsapp-bot")
DUPLICATE_SHARE = 0.25
RECENT = timedelta(days=3)  # a caller repeats a report of the last few days
WHAT = {
    "unpaid_wages": "wages for last month have not been paid",
    "forced_unpaid_leave": "workers are being sent on unpaid leave against their will",
    "dismissal": "workers were dismissed without notice",
    "no_ppe": "staff work without masks or gloves",
    "unsafe_conditions": "the shop floor is crowded and unventilated",
    "quarantine_violation": "a worker with symptoms was told to keep working",
    "help_request": "workers ask for help with food and transport",
    "other": "workers complain about their conditions",
}
FIRST = ("Aigerim", "Nurlan", "Dana", "Yerlan", "Saule", "Marat", "Olga", "Timur", "Gulnara", "Askar")
LEGAL = ("TOO «{}»", "ТОО «{}»", '"{}" LLP', "{} JSC")


@dataclass(frozen=True)
class Draft:
    """What a reporter says, whatever the channel."""

    category: str
    description: str
    employer_name: str = ""
    settlement: str = ""
    lat: float | None = None
    lon: float | None = None
    workers_affected: int | None = None
    anonymous: bool = False
    reporter_name: str | None = None
    reporter_contact: str | None = None


def phone_number(rng: random.Random) -> str:
    return f"+7 70{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"


def respell_phone(contact: str, rng: random.Random) -> str:
    """The same number as someone else would write it (8 7xx..., no spaces, brackets)."""
    digits = "".join(c for c in contact if c.isdigit())[-10:]
    return rng.choice(
        (
            f"8 ({digits[:3]}) {digits[3:6]}-{digits[6:8]}-{digits[8:]}",
            f"+7{digits}",
            f"8{digits}",
            f"7 {digits[:3]} {digits[3:]}",
        )
    )


def respell_employer(name: str, rng: random.Random) -> str:
    """The same employer as another caller would name it: a legal form and
    quotes, the words in another order, a letter dropped, another case."""
    words = name.replace("No. ", "No.").split()
    how = rng.sample(("legal", "order", "typo", "case"), k=rng.randint(1, 2))
    if "order" in how and len(words) > 2:
        words = words[1:] + words[:1]
    if "typo" in how:
        i = max(range(len(words)), key=lambda n: len(words[n]))
        if len(words[i]) > 5:
            cut = rng.randint(1, len(words[i]) - 2)
            words[i] = words[i][:cut] + words[i][cut + 1 :]
    text = " ".join(words).replace("No.", rng.choice(("No. ", "№", "#")))
    if "case" in how:
        text = text.lower()
    if "legal" in how:
        text = rng.choice(LEGAL).format(text)
    return text


def _who(rng: random.Random, caller: str, anonymous_share: float) -> dict:
    if rng.random() < anonymous_share:
        return {"anonymous": True}
    name = f"{caller} {rng.choice(FIRST)}"
    return {"anonymous": False, "reporter_name": name, "reporter_contact": phone_number(rng)}


def fresh(session: Session, rng: random.Random, *, caller: str) -> Draft:
    """A new report about a workplace (one of the demo's organizations):
    named or not, at its coordinates (a phone's location, an address found on
    the map) or only its settlement."""
    org = rng.choice(session.scalars(select(Organization).order_by(Organization.id)).all())
    category = rng.choice(CATEGORIES)
    named = rng.random() < 0.85
    where = {"settlement": org.settlement}
    if rng.random() < 0.5:  # within a few dozen metres of the workplace
        where = {"lat": org.lat + rng.uniform(-3e-4, 3e-4), "lon": org.lon + rng.uniform(-3e-4, 3e-4)}
    workers = rng.choices([None, 4, 15, 40, 120, 600], weights=[4, 3, 3, 2, 1, 0.3])[0]
    subject = org.name if named else f"a workplace in {org.settlement}"
    return Draft(
        category=category,
        description=f"At {subject} {WHAT[category]}.",
        employer_name=org.name if named else "",
        workers_affected=workers,
        **where,
        **_who(rng, caller, anonymous_share=0.3),
    )


def duplicate(report: Report, rng: random.Random, *, caller: str) -> tuple[Draft, str] | None:
    """A report about what `report` said, told again, and how it repeats the
    earlier one (employer, site and/or reporter); None if `report` names no
    employer, no point and no phone number the hotline could match."""
    ways = [w for w, ok in (("employer", report.employer_name), ("site", report.precise),
                            ("reporter", report.reporter_contact)) if ok]  # fmt: skip
    if not ways:
        return None
    chosen = set(rng.sample(ways, k=min(len(ways), rng.randint(1, 2))))
    draft = Draft(
        category=report.category,
        description=f"Again about {report.employer_name or report.settlement or 'the same workplace'}: "
        f"{WHAT[report.category]}, nothing has changed.",
        settlement=report.settlement or _nearest_settlement(report.lat, report.lon),
        workers_affected=report.workers_affected,
        **_who(rng, caller, anonymous_share=0.2),
    )
    if "employer" in chosen:
        draft = replace(draft, employer_name=respell_employer(report.employer_name, rng))
    if "site" in chosen:  # the same gate, within about a hundred metres
        draft = replace(draft, settlement="", lat=report.lat + rng.uniform(-8e-4, 8e-4),
                        lon=report.lon + rng.uniform(-8e-4, 8e-4))  # fmt: skip
    if "reporter" in chosen:
        draft = replace(draft, anonymous=False, reporter_name=report.reporter_name,
                        reporter_contact=respell_phone(report.reporter_contact, rng))  # fmt: skip
    return draft, "+".join(sorted(chosen))


def _nearest_settlement(lat: float, lon: float) -> str:
    """The settlement a caller names for a point (a report made from a phone's location has none)."""
    return min(gazetteer.settlements(), key=lambda s: (s.lat - lat) ** 2 + (s.lon - lon) ** 2).name


def recent(session: Session, rng: random.Random, *, at: datetime | None = None) -> Report | None:
    """A report of an open case filed in the last few days before `at` (now), to repeat."""
    at = at or now()
    ids = session.scalars(
        select(Report.id)
        .join(Case, Case.id == Report.case_id)
        .where(Report.created_at.between(at - RECENT, at), cases.open_clause())
        .order_by(Report.id.desc())
        .limit(200)
    ).all()
    return session.get(Report, rng.choice(ids)) if ids else None


def pick_channel(rng: random.Random, *, other_than: str | None = None) -> str:
    choices = [(c, w) for c, w in zip(CHANNELS, CHANNEL_WEIGHTS, strict=True) if c != other_than]
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def file(
    session: Session,
    draft: Draft,
    channel: str,
    rng: random.Random,
    *,
    operator: User,
    gateway: User,
    opened_at: datetime | None = None,
) -> Report:
    """File `draft` as the channel's view does; raises Invalid naming the field."""
    said = {k: v for k, v in vars(draft).items() if v is not None}
    if channel == "phone":  # the operator's form; the operator may set the severity at once
        severity = rng.choice(("critical", "high")) if rng.random() < 0.1 else None
        return intake.file_report(session=session, channel="phone", actor_id=operator.id, issue_code=True,
                                  severity=severity, opened_at=opened_at, **said)  # fmt: skip
    if channel == "api":
        return intake.file_report(session=session, channel="api", via=rng.choice(GATEWAYS), actor_id=gateway.id,
                                  issue_code=True, opened_at=opened_at, **said)  # fmt: skip
    return intake.file_report(session=session, channel="web", issue_code=True,
                              submission_key=secrets.token_urlsafe(24), opened_at=opened_at, **said)  # fmt: skip
