"""The one source of the current time, stored as naive UTC in the database."""

from datetime import UTC, datetime


def now() -> datetime:
    """Current UTC time without tzinfo (the form every column stores)."""
    return datetime.now(UTC).replace(tzinfo=None)
