"""Schema base shared by every API module."""

from marshmallow import RAISE, Schema


class StrictSchema(Schema):
    """Rejects unknown fields, so a typo is an error, not silently ignored."""

    class Meta:
        unknown = RAISE
        ordered = True
