"""The public's way in: limits per address, the form's token (which carries
its submission key and the time it was handed out, for the minimum fill
time), and the reporter's status lookup.

Counts live in Redis, shared by every process; while Redis does not answer
they live in this process's memory (as the login throttle does)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from flask import Flask, current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from redis import RedisError
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.auth.throttle import Counters, ProcessCounters, RedisCounters
from coordinator.common.errors import Invalid, TooManyAttempts
from coordinator.hotline import cases, privacy, settings
from coordinator.hotline.models import Case, Report
from coordinator.i18n import N_, text
from coordinator.redis_conn import get_redis

log = logging.getLogger(__name__)
T = TypeVar("T")
_FALLBACK = "birlik_hotline_counters"
FORM_MAX_AGE = 7 * 24 * 3600  # a draft kept on a phone may be sent up to a week later
HONEYPOT = "website"


class Limit:
    """At most `limit` counted events per address, remembered `window`
    seconds from the last; past that, TooManyAttempts with Retry-After."""

    def __init__(self, name: str, *, limit: int, window: int) -> None:
        self.name, self.limit, self.window = name, limit, window

    def _key(self, address: str) -> str:
        return f"birlik:hotline:{self.name}:{address}"

    def _counted(self, action: Callable[[Counters], T]) -> T:
        try:
            return action(RedisCounters(get_redis()))
        except RedisError as exc:
            log.warning("Hotline limits: Redis does not answer (%s); counting in this process.", exc)
            return action(current_app.extensions[_FALLBACK])

    def check(self, address: str) -> None:
        """Refuse an address that has used up its window."""
        key = self._key(address)
        [(count, seconds_left)] = self._counted(lambda c: c.state([key]))
        if count >= self.limit:
            raise TooManyAttempts(
                text(
                    N_("Too many attempts from your address. Try again in %(minutes)s minute(s)."),
                    minutes=max(1, (seconds_left + 59) // 60),
                ),
                retry_after=max(seconds_left, 1),
            )

    def hit(self, address: str) -> None:
        """Count one event; counts are forgotten `window` seconds after the last."""
        key = self._key(address)
        self._counted(lambda c: c.add_failure([key], self.window))


def report_limit() -> Limit:
    return Limit(
        "report",
        limit=settings.value("HOTLINE_PUBLIC_REPORTS"),
        window=settings.value("HOTLINE_PUBLIC_WINDOW_SECONDS"),
    )


def lookup_limit() -> Limit:
    return Limit(
        "lookup",
        limit=settings.value("HOTLINE_LOOKUP_FAILURES"),
        window=settings.value("HOTLINE_LOOKUP_WINDOW_SECONDS"),
    )


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="birlik-public-report")


def new_form_token() -> str:
    """A token for one report form: a fresh submission key and the time it was handed out."""
    return _serializer().dumps({"k": secrets.token_urlsafe(24)})


def read_form_token(token: str | None) -> tuple[str, float]:
    """The submission key of a form and how many seconds it has been open;
    raises Invalid for a missing, forged or week-old token."""
    try:
        data, issued = _serializer().loads(token or "", max_age=FORM_MAX_AGE, return_timestamp=True)
    except SignatureExpired:
        raise Invalid(
            text(N_("This form is more than a week old. Reload the page and send it again.")), field="form"
        ) from None
    except BadSignature:
        raise Invalid(text(N_("The form is incomplete. Reload the page and send it again.")), field="form") from None
    age = datetime.now(issued.tzinfo) - issued
    return str(data["k"]), age.total_seconds()


def already_filed(*, session: Session, submission_key: str) -> Report | None:
    """The report a form with this key already filed (a resend after a lost answer)."""
    return session.scalar(select(Report).where(Report.submission_hash == privacy.submission_hash(submission_key)))


@dataclass
class Lookup:
    """What a reporter may see of their report: the status and the public steps."""

    number: str
    status: str
    steps: list[tuple[str, datetime]]


def lookup(*, session: Session, number: str, code: str) -> Lookup | None:
    """The status of the report with this case number, if the code matches;
    None alike for an unknown number and a wrong code."""
    number = number.strip().upper()[:24]
    report = session.scalar(select(Report).where(Report.public_number == number).limit(1)) if number else None
    matches = privacy.codes_match(report.lookup_hash if report else None, code)  # the same work either way
    if report is None or report.lookup_hash is None or not matches:
        return None
    case = session.get(Case, report.case_id)
    steps: list[tuple[str, datetime]] = [("new", report.created_at)]
    steps += [(s.status, s.at) for s in cases.steps(session=session, case=case, public_only=True) if s.status != "new"]
    return Lookup(number=number, status=case.status, steps=steps)


def describe_lookup(found: Lookup) -> dict[str, Any]:
    return {"number": found.number, "status": found.status, "steps": [{"status": s, "at": at} for s, at in found.steps]}


def init_app(app: Flask) -> None:
    app.extensions[_FALLBACK] = ProcessCounters()
