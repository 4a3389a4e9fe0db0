"""The live event feed's sentences: one message id per event type, rendered
by the browser (static/js/feed.js, `Birlik.t`) in the reader's language from
the data the event carries. Parameters the browser fills in: `id` (the
subject's id), `team` (the offered team's name), `title` (a task's title, itself a
message), `reason`, `count` (people in a group), `status`, `name`, `message`
(an alert's text, itself a message) and `subject` (a noun for the fallback)."""

from __future__ import annotations

from coordinator.i18n import N_

TYPES = {
    "task.created": N_("Task #%(id)s created: %(title)s."),
    "task.offered": N_("Task #%(id)s offered to %(team)s."),
    "task.offer_expired": N_("Task #%(id)s: the team did not answer in time."),
    "task.accepted": N_("Task #%(id)s accepted."),
    "task.en_route": N_("Task #%(id)s: the team is on the way."),
    "task.on_site": N_("Task #%(id)s: the team is on site."),
    "task.done": N_("Task #%(id)s done."),
    "task.failed": N_("Task #%(id)s failed: %(reason)s"),
    "task.declined": N_("Task #%(id)s declined: %(reason)s"),
    "task.needs_hq": N_("Task #%(id)s needs HQ: %(reason)s"),
    "task.cancelled": N_("Task #%(id)s cancelled."),
    "task.closed": N_("Task #%(id)s closed: %(reason)s"),
    "team.shift:on": N_("Team #%(id)s came on duty."),
    "team.shift:off": N_("Team #%(id)s went off duty."),
    "team.position": N_("Team #%(id)s reported its position."),
    "placement.requested": N_("Placement #%(id)s: a group of %(count)s asks for beds."),
    "placement.waiting": N_("Placement #%(id)s waits for beds."),
    "placement.assigned": N_("Placement #%(id)s: beds are held for the group (%(count)s)."),
    "placement.in_transit": N_("Placement #%(id)s: the group is on its way."),
    "placement.checked_in": N_("Placement #%(id)s: the group checked in."),
    "placement.checked_out": N_("Placement #%(id)s: the group left the facility."),
    "placement.released": N_("Placement #%(id)s: the group was released from quarantine."),
    "placement.no_show": N_("Placement #%(id)s: nobody of the group arrived."),
    "placement.cancelled": N_("Placement #%(id)s cancelled."),
    "placement.expired": N_("Placement #%(id)s: the hold on its beds ran out."),
    "placement.moved": N_("Placement #%(id)s moved to another facility."),
    "placement.reoptimised": N_("Placement #%(id)s: %(reason)s"),
    "placement.split": N_("Placement #%(id)s split into smaller groups."),
    "facility.created": N_("Facility %(name)s opened."),
    "facility.updated": N_("Facility %(name)s updated."),
    "facility.beds_changed": N_("Facility #%(id)s: its beds changed."),
    "facility.managers_changed": N_("Facility #%(id)s: its managers changed."),
    "alert.raised": N_("Alert: %(message)s"),
    "alert.updated": N_("Alert updated: %(message)s"),
    "alert.acknowledged": N_("Alert #%(id)s acknowledged."),
    "alert.cleared": N_("Alert #%(id)s cleared: its condition ended."),
    "hq.status_reported": N_("HQ #%(id)s filed a status report."),
    "hq.silent": N_("HQ #%(id)s has gone silent."),
    "hq.shift_started": N_("HQ #%(id)s: a shift began."),
    "hq.shift_ended": N_("HQ #%(id)s: a shift ended."),
    "supply_request.created": N_("Supply request #%(id)s filed."),
    "supply_request.cancelled": N_("Supply request #%(id)s cancelled."),
}
SUBJECTS = {
    "task": N_("task"),
    "team": N_("team"),
    "placement": N_("placement"),
    "facility": N_("facility"),
    "alert": N_("alert"),
    "hq": N_("HQ"),
    "supply_request": N_("supply request"),
    "case": N_("hotline case"),
    "delivery_run": N_("delivery run"),
    "warehouse": N_("warehouse"),
}
FALLBACK = N_("Update to %(subject)s #%(id)s.")
UNKNOWN = N_("Update #%(id)s.")


def table() -> dict:
    """What the page hands feed.js: message ids by event type and by subject."""
    return {"types": TYPES, "subjects": SUBJECTS, "fallback": FALLBACK, "unknown": UNKNOWN}


def msgids() -> list[str]:
    return [*TYPES.values(), *SUBJECTS.values(), FALLBACK, UNKNOWN]
