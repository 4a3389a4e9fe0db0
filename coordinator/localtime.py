"""Times a person reads, in the operation's zone (`TIMEZONE`, e.g. Asia/Almaty).

The database and the API keep UTC (naive datetimes, see common/clock.py);
only what is shown to a person is converted here: Jinja filters for pages
(`|localtime`, `|localdate`, `|duration`), a zone label for the footer, and
the local day's boundaries for figures "of today". The browser formats with
the same zone: base.html puts it on <body data-timezone>, app.js reads it.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta
from importlib.resources import files
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime, get_timezone_location
from flask import Flask, current_app
from flask_babel import get_locale

from coordinator.common.clock import now
from coordinator.i18n import N_, text

# Patterns (CLDR) per style: numbers stay unambiguous in every language;
# "long" spells the weekday and month in the reader's language.
STYLES = {
    "time": "HH:mm",
    "datetime": "yyyy-MM-dd HH:mm",
    "long": "EEE d MMM yyyy, HH:mm",
    "date": "yyyy-MM-dd",
}
# Duration units, also rendered by the browser (Birlik.duration in app.js).
UNITS = {"d": N_("%(n)s d"), "h": N_("%(n)s h"), "min": N_("%(n)s min")}


@functools.cache
def _load(name: str) -> ZoneInfo:
    """The zone from the pinned `tzdata` package when it has it, else from the
    system: a distribution's zone data can be older than a country's change
    (Kazakhstan moved to UTC+5 in March 2024; tzdata 2024a knows it)."""
    try:
        with files("tzdata.zoneinfo").joinpath(*name.split("/")).open("rb") as fh:
            return ZoneInfo.from_file(fh, key=name)
    except (ModuleNotFoundError, FileNotFoundError, IsADirectoryError, NotADirectoryError, ValueError):
        return ZoneInfo(name)


def zone() -> ZoneInfo:
    """The configured zone (checked when the app was created)."""
    return _load(current_app.config["TIMEZONE"])


def to_local(value: datetime) -> datetime:
    """A stored time (naive UTC, or aware) in the configured zone."""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return aware.astimezone(zone())


def local_today() -> date:
    """Today's date where the operation is, not at Greenwich."""
    return to_local(now()).date()


def day_start(day: date | None = None) -> datetime:
    """The first instant of a local day (today by default), as naive UTC for queries."""
    day = day or local_today()
    # The calendar's first and last days have no UTC instant on the other side.
    if day <= date.min + timedelta(days=1):
        return datetime.min
    if day >= date.max - timedelta(days=1):
        return datetime.max
    start = datetime.combine(day, time.min, tzinfo=zone())
    return start.astimezone(UTC).replace(tzinfo=None)


def localtime(value: datetime | None, style: str = "datetime") -> str:
    """A stored time for a person: "2026-11-24 08:26" in the configured zone
    (style "time": "08:26"; "long": "Tue 24 Nov 2026, 08:26" in their language)."""
    if value is None:
        return ""
    return format_datetime(to_local(value), STYLES[style], locale=get_locale())


def localdate(value: datetime | date | None) -> str:
    """The local day of a stored time ("2026-11-24"); a plain date as it is."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.isoformat()


def duration(value: timedelta | float | int | None) -> str:
    """A span for a person: "35 min", "5 h 20 min", "2 d 5 h" (minutes when a
    number is given). Rounded down to the minute; a negative span as positive."""
    if value is None:
        return ""
    minutes = int(abs(value.total_seconds() if isinstance(value, timedelta) else value * 60) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        parts = [("d", days)] + ([("h", hours)] if hours else [])
    elif hours:
        parts = [("h", hours)] + ([("min", mins)] if mins else [])
    else:
        parts = [("min", mins)]
    return " ".join(text(UNITS[unit], n=n) for unit, n in parts)


def offset_label(at: datetime | None = None) -> str:
    """The zone's offset from UTC now (or at a time): "UTC+5", "UTC+5:30", "UTC"."""
    offset = to_local(at or now()).utcoffset() or timedelta()
    sign = "-" if offset < timedelta() else "+"
    hours, seconds = divmod(int(abs(offset.total_seconds())), 3600)
    if not hours and not seconds:
        return "UTC"
    return f"UTC{sign}{hours}" + (f":{seconds // 60:02d}" if seconds else "")


def zone_note() -> str:
    """The footer's sentence saying which zone the page's times are in."""
    city = get_timezone_location(zone(), locale=get_locale(), return_city=True)
    return text(N_("Times are %(city)s time (%(offset)s)."), city=city, offset=offset_label())


def check(name: str) -> None:
    """Refuse to start with a zone the installed time zone data does not know."""
    try:
        _load(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RuntimeError(f"BIRLIK_TIMEZONE={name!r} is not a time zone known here (e.g. Asia/Almaty).") from exc


def init_app(app: Flask) -> None:
    """Check the zone and give templates the filters and the zone."""
    check(app.config["TIMEZONE"])
    app.jinja_env.filters.update(localtime=localtime, localdate=localdate, duration=duration)
    app.jinja_env.globals.update(time_zone=lambda: app.config["TIMEZONE"], zone_note=zone_note)
    from coordinator.i18n import client_texts

    client_texts(app, UNITS.values())
    # Time parameters of stored messages (i18n.at) render through here.
    app.extensions["birlik.show_time"] = lambda value: localtime(datetime.fromisoformat(value.replace("Z", "+00:00")))
