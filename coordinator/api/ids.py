"""The range of a row id, and ids in URL paths: every `<int:...>` of every
route (API and pages) refuses a number the id columns cannot hold, with a 404
naming the parameter, so no such number ever reaches the database."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, Map, Rule, ValidationError

from coordinator.i18n import N_, text

# Ids are INTEGER columns: int4 on PostgreSQL (SQLite's hold 64 bits, so the
# smaller range is the one both databases share). Event ids are BIGINT.
MIN_ID = 1
MAX_ID = 2**31 - 1
MAX_EVENT_ID = 2**63 - 1


class IdConverter(IntegerConverter):
    """`<int:name>`: digits naming a row id, from MIN_ID to MAX_ID. Its bounds
    also go into the OpenAPI document (flask-smorest reads `min` and `max`)."""

    def __init__(self, map: Map, *args: Any, min: int = MIN_ID, max: int = MAX_ID, **kwargs: Any) -> None:
        super().__init__(map, *args, min=min, max=max, **kwargs)
        self.name = "id"  # set by IdRule to the parameter's name

    def to_python(self, value: str) -> int:
        try:
            return super().to_python(value)
        except ValidationError:  # out of range, or too many digits for int()
            shown = value if len(value) <= 40 else value[:20] + "..."
            raise NotFound(
                text(
                    N_("There is no %(name)s %(value)s: ids run from %(min)s to %(max)s."),
                    name=self.name,
                    value=shown,
                    min=self.min,
                    max=self.max,
                )
            ) from None


class IdRule(Rule):
    """A URL rule whose id converters know the name of their parameter, for
    the message of their 404."""

    def get_converter(self, variable_name: str, converter_name: str, args: tuple, kwargs: Any):
        converter = super().get_converter(variable_name, converter_name, args, kwargs)
        if isinstance(converter, IdConverter):
            converter.name = variable_name
        return converter


def init_app(app: Flask) -> None:
    """Make `<int:...>` the id converter; call before any route is added."""
    early = [rule.rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    if early:
        raise RuntimeError(f"Routes added before the id converter: {early}")
    app.url_rule_class = IdRule
    app.url_map.converters["int"] = IdConverter
