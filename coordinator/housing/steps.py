"""The steps of a placement's timeline, as a person reads them: each event
type has a message id, rendered in the reader's language for the page
(placements.html embeds them; app.js labels the timeline with them)."""

from __future__ import annotations

from coordinator.i18n import N_, text

STEPS = {
    "placement.requested": N_("requested"),
    "placement.waiting": N_("waiting for a bed"),
    "placement.assigned": N_("assigned, beds held"),
    "placement.in_transit": N_("in transit"),
    "placement.checked_in": N_("checked in"),
    "placement.no_show": N_("did not arrive"),
    "placement.cancelled": N_("cancelled"),
    "placement.expired": N_("hold expired"),
    "placement.moved": N_("moved to another facility"),
    "placement.reoptimised": N_("moved to a nearer facility"),
    "placement.split": N_("split into smaller groups"),
    "placement.released": N_("released"),
    "placement.checked_out": N_("checked out"),
}


TEAM = N_("(team %(id)s)")  # after a step a team took part in (app.js, Birlik.t)


def labels() -> dict[str, str]:
    """Each step's label in the current reader's language, by event type."""
    return {event_type: text(msgid) for event_type, msgid in STEPS.items()}
