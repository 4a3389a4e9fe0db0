"""The hotline's settings and their defaults. Each can be set like any other
(`BIRLIK_<NAME>` in the environment, or the settings given to create_app);
three numbers per severity are written "critical,high,normal"."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_app_context

DEFAULTS: dict[str, Any] = {
    # SLA budget of each clock, in hours, for critical, high and normal cases.
    "SLA_TRIAGE_HOURS": (1, 4, 12),
    "SLA_ASSIGNMENT_HOURS": (4, 24, 72),
    "SLA_RESOLUTION_HOURS": (72, 168, 336),
    "SLA_WARNING_SHARE": 0.75,  # a clock warns once this share of its budget has run
    "HOTLINE_DUPLICATE_DAYS": 14,  # reports this recent are compared for duplicates
    "HOTLINE_DUPLICATE_METERS": 300,  # two points this close are the same site
    "HOTLINE_EMPLOYER_SCORE": 88,  # RapidFuzz score (0-100) for the same employer
    "HOTLINE_PUBLIC_REPORTS": 5,  # public reports one address may send per window
    "HOTLINE_PUBLIC_WINDOW_SECONDS": 3600,
    "HOTLINE_MIN_FILL_SECONDS": 4,  # a public form sent faster than this is a robot's
    "HOTLINE_LOOKUP_FAILURES": 10,  # failed status lookups from one address per window
    "HOTLINE_LOOKUP_WINDOW_SECONDS": 900,
    "HOTLINE_EVIDENCE_MAX_BYTES": 1_500_000,
    "HOTLINE_DESCRIPTION_MAX": 5000,
}


def _number(raw: str) -> int | float:
    value = float(raw)
    return int(value) if value.is_integer() else value


def value(name: str) -> Any:
    """A setting, typed like its default (a string from the environment is
    parsed); the default when no app is at hand (a data script)."""
    default = DEFAULTS[name]
    raw = current_app.config.get(name, default) if has_app_context() else default
    if isinstance(raw, str):
        if isinstance(default, tuple):
            return tuple(_number(p) for p in raw.split(",") if p.strip())
        return type(default)(_number(raw))
    return raw


def init_app(app: Flask) -> None:
    """Fill in the defaults the app was not given."""
    for name, default in DEFAULTS.items():
        app.config.setdefault(name, default)
    for name in ("SLA_TRIAGE_HOURS", "SLA_ASSIGNMENT_HOURS", "SLA_RESOLUTION_HOURS"):
        with app.app_context():
            hours = value(name)
        if len(hours) != 3 or min(hours) <= 0:
            raise ValueError(f"{name} needs three positive numbers (critical, high, normal), not {hours!r}")
