"""Schema base, the id and date-time fields, and the error body, shared by
every API module (and CSV rows)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from marshmallow import INCLUDE, RAISE, Schema, ValidationError, fields, pre_load, validate

from coordinator.api.ids import MAX_ID, MIN_ID
from coordinator.common.clock import iso_utc
from coordinator.i18n import N_

NUL_MESSAGE = N_("Text may not contain the NUL character (\\u0000).")  # read in the reader's language


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
    """Every date and time of the API, in and out. In (a body or a query
    string): read as the naive UTC every column stores; one with an offset is
    converted to UTC, one without is taken as UTC. A time with no UTC form
    (year 1 ahead of UTC, year 9999 behind it) is a 422, not an overflow.
    Out: ISO 8601 in UTC with its offset, "2026-11-24T08:04:01.215166Z"
    (`iso_utc`, as events and plain JSON write it)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(timezone=UTC, **kwargs)

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else iso_utc(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except OverflowError:
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE) from None


class ApiError(Schema):
    """The body of every error response (documentation only: `errors.py`
    writes it). A refused step may add facts, such as a task's current state
    with a 409, so other properties are allowed."""

    class Meta:
        unknown = INCLUDE
        ordered = True

    code = fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    message = fields.String(required=True, metadata={"description": "What went wrong, for a person."})
    errors = fields.Dict(
        metadata={"description": "Messages by field (a 422 of the request's shape: by location, then field)."}
    )
    status = fields.String(metadata={"description": "With a 409: the record's current status."})
    current = fields.Dict(metadata={"description": "With a 409 on a task: its current state."})


# Bodies that are not JSON, for `blp.response(..., content_type=...)` of a view
# that returns its own Response (documentation only).
CSV_TEXT = {"type": "string", "description": "CSV with a header row."}
GEOJSON = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": {"type": "object"}},
    },
}
