"""The words pages show for the hotline's codes, in the reader's language."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _

from coordinator.i18n import N_


def _table() -> dict[str, dict[str, str]]:
    return {
        "category": {
            "unpaid_wages": _("Unpaid or delayed wages"),
            "forced_unpaid_leave": _("Forced unpaid leave"),
            "dismissal": _("Dismissal during the emergency"),
            "no_ppe": _("No protective equipment at work"),
            "unsafe_conditions": _("Unsafe conditions: no distancing or sanitation"),
            "quarantine_violation": _("Quarantine rules broken"),
            "help_request": _("Request for help (food, medicine, housing)"),
            "other": _("Other"),
        },
        "status": {
            "new": _("received"),
            "triaged": _("triaged"),
            "inspection_assigned": _("inspection assigned"),
            "inspected": _("inspected"),
            "resolved": _("resolved"),
            "referred": _("referred"),
            "closed": _("closed"),
        },
        "inspection": {
            "assigned": _("assigned"),
            "done": _("done"),
            "failed": _("failed"),
            "cancelled": _("cancelled"),
        },
        "severity": {"critical": _("critical"), "high": _("high"), "normal": _("normal")},
        "sla": {
            "on_time": _("on time"),
            "due_soon": _("due soon"),
            "breached": _("breached"),
            "paused": _("paused"),
            "stopped": _("stopped"),
            "met": _("met"),
            "missed": _("missed"),
        },
        "stage": {
            "triage": _("triage"),
            "assignment": _("inspection assignment"),
            "resolution": _("resolution"),
        },
        "channel": {"phone": _("phone"), "web": _("web form"), "api": _("other channel")},
        "referral": {"labour_inspectorate": _("labour inspectorate"), "prosecutor": _("prosecutor")},
        "waiting_on": {"reporter": _("the reporter"), "employer": _("the employer"), "other": _("someone else")},
        "reason": {
            "employer": _("same employer"),
            "site": _("same site"),
            "reporter": _("same reporter"),
            "operator": _("linked by hand"),
        },
        "check": {
            "ppe_issued": _("PPE given to workers"),
            "distancing": _("Distancing kept"),
            "sanitation": _("Sanitizer and washing available"),
            "wages_paid": _("Wages paid on time"),
        },
        "step": {
            "updated": _("changed"),
            "paused": _("paused"),
            "resumed": _("resumed"),
            "comment": _("comment"),
            "linked": _("linked"),
            "dismissed": _("not a duplicate"),
            "evidence": _("file added"),
            "findings": _("inspection findings"),
            "warned": _("SLA warning"),
            "escalated": _("escalated to the national HQ"),
        },
    }


# The codes the map's popups show, as message ids (the browser renders them
# with Birlik.t; hq_screen registers them as client texts).
CODES = {
    "category": {
        "unpaid_wages": N_("Unpaid or delayed wages"),
        "forced_unpaid_leave": N_("Forced unpaid leave"),
        "dismissal": N_("Dismissal during the emergency"),
        "no_ppe": N_("No protective equipment at work"),
        "unsafe_conditions": N_("Unsafe conditions: no distancing or sanitation"),
        "quarantine_violation": N_("Quarantine rules broken"),
        "help_request": N_("Request for help (food, medicine, housing)"),
        "other": N_("Other"),
    },
    "severity": {"critical": N_("critical"), "high": N_("high"), "normal": N_("normal")},
}


def labeller() -> Callable[[str, str | None], str]:
    """hotline_label(kind, code): the word for a code (the code itself if unknown)."""
    table = _table()

    def label(kind: str, code: str | None) -> str:
        if code is None:
            return ""
        return table.get(kind, {}).get(code, code.replace("_", " "))

    return label
