"""Error texts in the reader's language: the HTTP errors' own sentences,
the names of the fields a request got wrong, and marshmallow's messages
(English, composed by the library) turned into message ids with their
parameters."""

from __future__ import annotations

import re
from typing import Any

from coordinator.i18n import N_, text

# What a person is told for an HTTP error that carries no message of ours.
STATUS_TEXT = {
    400: N_("The request could not be understood. Reload the page and try again."),
    401: N_("Sign in to open this page."),
    403: N_("You may not open this page or do this."),
    404: N_("This address leads nowhere. Check the link, or start again from the home page."),
    405: N_("This address does not take that kind of request."),
    409: N_("This changed meanwhile. Reload the page and try again."),
    413: N_("The request body is too large."),
    415: N_("This address does not take that kind of content."),
    422: N_("Some fields are not valid."),
    429: N_("Too many requests. Wait a moment and try again."),
    500: N_("Something went wrong on the server. Try again in a moment."),
    503: N_("The service is unavailable for a moment. Try again shortly."),
}

# A request's field names as its forms label them.
FIELD_NAMES = {
    "head_count": N_("People"),
    "contact_phone": N_("Contact phone"),
    "origin": N_("Coming from (settlement)"),
    "origin_lat": N_("Latitude"),
    "origin_lon": N_("Longitude"),
    "lat": N_("Latitude"),
    "lon": N_("Longitude"),
    "settlement": N_("Settlement"),
    "quantity": N_("Quantity"),
    "reason": N_("Reason"),
    "item_id": N_("Item"),
    "organization_id": N_("Organization"),
    "warehouse_id": N_("Warehouse"),
    "to_warehouse_id": N_("Warehouse"),
    "facility_id": N_("Facility"),
    "team_id": N_("Team"),
    "region_id": N_("Region"),
    "kind": N_("Kind"),
    "note": N_("Note"),
    "lot": N_("Lot"),
    "lot_id": N_("Lot"),
    "lot_code": N_("Lot code"),
    "expires_on": N_("Expires on"),
    "username": N_("Username"),
    "password": N_("Password"),
    "quarantine_days": N_("Quarantine days"),
    "category": N_("Category"),
    "name": N_("Name"),
    "priority": N_("Priority"),
    "status": N_("Status"),
    "severity": N_("Severity"),
    "address": N_("Address"),
    "employer_name": N_("Employer"),
    "comment": N_("Comment"),
    "reference": N_("Reference"),
    "source": N_("Source"),
    "phone": N_("Phone"),
    "staff_on_duty": N_("Staff on duty"),
    "open_cases": N_("Open cases"),
    "total": N_("Total"),
    "out_of_service": N_("Out of service"),
    "description": N_("Description"),
    "names": N_("Names"),
    "lines": N_("Lines"),
    "needs": N_("Needs"),
}

# marshmallow's own messages (and webargs'), as patterns with their parameters.
# The message ids are marshmallow's own English, so English readers and API
# clients that match on them see no change.
_MARSHMALLOW = [
    (r"Missing data for required field\.", N_("Missing data for required field.")),
    (r"Field may not be null\.", N_("Field may not be null.")),
    (r"Unknown field\.", N_("Unknown field.")),
    (r"Not a valid integer\.", N_("Not a valid integer.")),
    (r"Not a valid number\.", N_("Not a valid number.")),
    (r"Not a valid string\.", N_("Not a valid string.")),
    (r"Not a valid boolean\.", N_("Not a valid boolean.")),
    (r"Not a valid date\.", N_("Not a valid date.")),
    (r"Not a valid datetime\.", N_("Not a valid datetime.")),
    (r"Not a valid list\.", N_("Not a valid list.")),
    (r"Not a valid mapping type\.", N_("Not a valid mapping type.")),
    (r"Invalid input type\.", N_("Invalid input type.")),
    (r"Invalid value\.", N_("Invalid value.")),
    (r"Not a valid email address\.", N_("Not a valid email address.")),
    (r"Shorter than minimum length (?P<min>\d+)\.", N_("Shorter than minimum length %(min)s.")),
    (r"Longer than maximum length (?P<max>\d+)\.", N_("Longer than maximum length %(max)s.")),
    (r"Length must be between (?P<min>\d+) and (?P<max>\d+)\.", N_("Length must be between %(min)s and %(max)s.")),
    (r"Must be greater than or equal to (?P<min>[-\d.]+)\.", N_("Must be greater than or equal to %(min)s.")),
    (r"Must be less than or equal to (?P<max>[-\d.]+)\.", N_("Must be less than or equal to %(max)s.")),
    (
        r"Must be greater than or equal to (?P<min>[-\d.]+) and less than or equal to (?P<max>[-\d.]+)\.",
        N_("Must be greater than or equal to %(min)s and less than or equal to %(max)s."),
    ),
    (r"Must be greater than (?P<min>[-\d.]+)\.", N_("Must be greater than %(min)s.")),
    (r"Must be one of: (?P<choices>.*)\.", N_("Must be one of: %(choices)s.")),
]


def status_text(status: int) -> str | None:
    msgid = STATUS_TEXT.get(status)
    return text(msgid) if msgid else None


def field_name(name: str) -> str:
    """A field as its form names it; a nested one (`lines.0.quantity`) by its last name."""
    last = str(name).rsplit(".", 1)[-1]
    msgid = FIELD_NAMES.get(last)
    return text(msgid) if msgid else last.replace("_", " ")


def field_message(message: Any) -> Any:
    """One of marshmallow's messages in the reader's language (others, ours, pass as they are)."""
    if not isinstance(message, str):
        return message
    for pattern, msgid in _MARSHMALLOW:
        found = re.fullmatch(pattern, message)
        if found:
            return text(msgid, **found.groupdict())
    return text(message)


def translate_errors(errors: Any) -> Any:
    """The errors' messages translated, their keys (field names, the machine's part) kept."""
    if isinstance(errors, dict):
        return {key: translate_errors(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [translate_errors(m) for m in errors]
    return field_message(errors)


def field_names(errors: dict) -> list[str]:
    """The fields named by an error dict ({"json": {"head_count": [...]}}), as forms label them."""
    names: list[str] = []
    for location in errors.values():
        if isinstance(location, dict):
            names.extend(field_name(k) for k in location)
    return names
