"""The one source of the current time, stored as naive UTC in the database.

`CLOCK_OFFSET_SECONDS` in the app's settings moves this clock forward, so a
test can let an offer's minutes run out without waiting for them.
"""

from datetime import UTC, datetime, timedelta

from flask import current_app, has_app_context


def now() -> datetime:
    """Current UTC time without tzinfo (the form every column stores)."""
    real = datetime.now(UTC).replace(tzinfo=None)
    if has_app_context():
        offset = current_app.config.get("CLOCK_OFFSET_SECONDS", 0)
        if offset:
            return real + timedelta(seconds=offset)
    return real


def iso_utc(value: datetime) -> str:
    """The one way a time leaves Birlik as text (the API, events, exports):
    ISO 8601 in UTC ending in "Z". A naive value is UTC, as every column stores."""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat().replace("+00:00", "Z")
