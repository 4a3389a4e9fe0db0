"""The names and units of the standard items (the ones Birlik seeds), as
message ids: they read in the reader's language. An item someone created
keeps the name and unit it was given."""

from __future__ import annotations

from typing import Any

from coordinator.i18n import N_, message, text

STANDARD_NAMES = frozenset(
    {
        N_("Medical mask"),
        N_("FFP2/N95 respirator"),
        N_("Gloves (pair)"),
        N_("Protective gown"),
        N_("Face shield"),
        N_("Hand sanitizer"),
        N_("Food and hygiene kit"),
    }
)
STANDARD_UNITS = frozenset({N_("pcs"), N_("pairs"), N_("l"), N_("kits")})


def item_text(name: str | None) -> str:
    """A standard item's name in the reader's language; any other as entered."""
    return text(name) if name in STANDARD_NAMES else name or ""


def unit_text(unit: str | None) -> str:
    """A standard unit in the reader's language; any other as entered."""
    return text(unit) if unit in STANDARD_UNITS else unit or ""


def item_message(name: str) -> Any:
    """A standard item's name as a message (to store in a composed text), any other as entered."""
    return message(name) if name in STANDARD_NAMES else name


def unit_message(unit: str) -> Any:
    """A standard unit as a message (to store in a composed text), any other as entered."""
    return message(unit) if unit in STANDARD_UNITS else unit
