"""Names as the hotline compares them: an employer's name in one spelling."""

from __future__ import annotations

import re

from unidecode import unidecode

# Legal forms that say nothing about which employer it is (in Latin letters,
# after transliteration): TOO/ТОО, AO/АО, ИП, ООО, LLP, JSC, LLC ...
LEGAL_FORMS = {"too", "ao", "ip", "ooo", "oao", "zao", "pao", "llp", "llc", "jsc", "ltd", "tk", "rgp", "gkp", "kgp"}


def employer(name: str | None) -> str:
    """Lower case, Latin letters, no quotes, punctuation or legal form: "ТОО «Казцинк»" -> "kaztsink"."""
    text = unidecode(name or "").lower().replace("'", "")
    words = [w for w in re.split(r"[^a-z0-9]+", text) if w and w not in LEGAL_FORMS]
    return " ".join(words)[:160]
