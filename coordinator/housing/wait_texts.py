"""Why a group waits, and why a facility was passed over, as messages with
their data: kept in the placement's decision and read in each reader's
language (`wait_reason` keeps the English for the API)."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale

from coordinator.i18n import N_, message, render

BED_WORDS = {
    "standard": N_("standard"),
    "shared": N_("shared / dormitory"),
    "family": N_("family room"),
    "isolation": N_("isolation with medical staff"),
}
UNFIT = {
    "closed": N_("closed"),
    "no medical staff on site": N_("no medical staff on site"),
    "not accessible": N_("not accessible"),
}


# A nearer facility had room, but a batch gave its beds to other groups.
BATCH = "beds went to the batch"
T_BATCH = N_("its free beds went to other groups placed at the same time (less travel for everyone)")


def _beds(cats: tuple[str, ...]) -> Any:
    """The bed categories as one message: "standard or shared / dormitory"."""
    words = [message(BED_WORDS[c]) if c in BED_WORDS else c for c in cats]
    out = words[-1] if words else ""
    for word in reversed(words[:-1]):
        out = message(N_("%(first)s or %(rest)s"), first=word, rest=out)
    return out


def passed_over(reason: str, cats: tuple[str, ...]) -> dict[str, Any]:
    """Why a facility was passed over: one of `_unfit`'s reasons or too few beds."""
    if reason in UNFIT:
        return message(UNFIT[reason])
    if reason == BATCH:
        return message(T_BATCH)
    return message(N_("not enough free %(beds)s beds"), beds=_beds(cats))


def waiting(*, head_count: int, biggest: int, cats: tuple[str, ...], medical: bool, accessible: bool) -> dict[str, Any]:
    if biggest < head_count:
        base = message(
            N_(
                "The group of %(n)s is larger than any suitable facility can take in %(beds)s beds "
                "(largest: %(biggest)s). HQ can allow a split."
            ),
            n=head_count, beds=_beds(cats), biggest=biggest,
        )  # fmt: skip
    else:
        base = message(
            N_("No suitable facility has %(n)s free %(beds)s beds now; placed as soon as beds free up."),
            n=head_count, beds=_beds(cats),
        )  # fmt: skip
    return message(
        N_("%(base)s%(medical)s%(accessible)s"),
        base=base,
        medical=message(N_(" Needs medical staff on site.")) if medical else "",
        accessible=message(N_(" Needs an accessible facility.")) if accessible else "",
    )


def english(stored: dict[str, Any]) -> str:
    """The message in English, for the API's plain-text fields."""
    with force_locale("en"):
        return render(stored)
