"""Schema base, and the id and date-time fields, shared by every API module (and CSV rows)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

from coordinator.api.ids import MAX_ID, MIN_ID

NUL_MESSAGE = "Text may not contain the NUL character (\\u0000)."


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class StrictSchema(Schema):
    """Rejects unknown fields, so a typo is an error, not silently ignored;
    and text with a NUL character anywhere in a field, which PostgreSQL
    cannot store or compare (a 422 naming the field, not a DataError)."""

    class Meta:
        unknown = RAISE
        ordered = True

    @pre_load
    def _refuse_nul(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, Mapping):
            bad = {str(key): [NUL_MESSAGE] for key, value in data.items() if _has_nul(key) or _has_nul(value)}
            if bad:
                raise ValidationError(bad)
        return data


class Id(fields.Integer):
    """A row id in a body or a query string: an integer the id column can
    hold (MIN_ID to MAX_ID unless told), so any other number is a 422 naming
    the field rather than an overflow in the database. `error`, when given,
    replaces the messages for a value that is not a number or out of range."""

    def __init__(self, *, minimum: int = MIN_ID, maximum: int = MAX_ID, error: str | None = None, **kwargs: Any):
        in_range = validate.Range(min=minimum, max=maximum, error=error or "Out of range: ids run from {min} to {max}.")
        if error:
            kwargs["error_messages"] = {"invalid": error, "too_large": error, **kwargs.get("error_messages", {})}
        super().__init__(validate=in_range, **kwargs)


class UtcDateTime(fields.NaiveDateTime):
    """A date and time in a body or a query string, as the naive UTC every
    column stores: one with an offset is converted to UTC, one without is
    taken as UTC. A time with no UTC form (year 1 ahead of UTC, year 9999
    behind it) is a 422, not an overflow."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(timezone=UTC, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except OverflowError:
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE) from None
