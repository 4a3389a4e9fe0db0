"""The words pages show for the field's codes (task statuses and kinds), in
the reader's language."""

from __future__ import annotations

from collections.abc import Callable

from coordinator.i18n import N_, text

CODES = {
    "status": {
        "created": N_("waiting for a team"),
        "offered": N_("offered"),
        "accepted": N_("accepted"),
        "en_route": N_("on the way"),
        "on_site": N_("on site"),
        "done": N_("done"),
        "failed": N_("failed"),
        "declined": N_("declined"),
        "expired": N_("offer expired"),
        "cancelled": N_("cancelled"),
    },
    "kind": {"delivery": N_("Delivery"), "transfer": N_("Transfer"), "inspection": N_("Inspection")},
}


def label(kind: str, code: str | None) -> str:
    """task_label(kind, code): the word for a code (the code itself if unknown)."""
    if code is None:
        return ""
    msgid = CODES.get(kind, {}).get(code)
    return text(msgid) if msgid else code.replace("_", " ")


def labeller() -> Callable[[str, str | None], str]:
    return label
