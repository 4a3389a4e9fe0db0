"""Schema base and the id field shared by every API module."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from coordinator.api.ids import MAX_ID, MIN_ID


class StrictSchema(Schema):
    """Rejects unknown fields, so a typo is an error, not silently ignored."""

    class Meta:
        unknown = RAISE
        ordered = True


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
