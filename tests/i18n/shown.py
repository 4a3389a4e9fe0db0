"""What a person sees on a page, and which of the catalogue's English is in it.

Shared by the language tests: `catalogue()` is every message Birlik knows
(scripts/translations.py's tables and every scripts/catalogue/*.py), and
`english_left(html, catalogue)` the fragments of their English that a page
still shows."""

from __future__ import annotations

import functools
import importlib.util
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOWN_ATTRIBUTES = {"title", "aria-label", "placeholder", "data-done-text", "data-live-text", "data-reconnecting"}


@dataclass(frozen=True, eq=False)
class Catalogue:
    RU: dict
    KK: dict


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def catalogue() -> Catalogue:
    """Every message with its Russian and Kazakh, as scripts/translations.py merges them."""
    translations = _load(ROOT / "scripts" / "translations.py", "birlik_translations")
    ru, kk = dict(translations.RU), dict(translations.KK)
    for path in sorted((ROOT / "scripts" / "catalogue").glob("*.py")):
        area = _load(path, f"birlik_catalogue_{path.stem}")
        ru.update(area.RU)
        kk.update(area.KK)
    return Catalogue(ru, kk)


class Shown(HTMLParser):
    """The text a person sees: text outside scripts and styles, and the
    attributes that are shown (tooltips, labels, notes filled by scripts)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts += [v for k, v in attrs if k in SHOWN_ATTRIBUTES and v]
        if tag == "input" and ("type", "submit") in attrs:
            self.parts += [v for k, v in attrs if k == "value" and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


@functools.cache
def _fragments(cat: Catalogue) -> tuple[str, ...]:
    """Each message's text between its placeholders, when it differs from
    both translations (a word like "CSV" is the same in every language)."""
    out = set()
    for msgid in cat.RU:
        translations = {str(cat.RU[msgid]), str(cat.KK.get(msgid, ""))}
        for english in [msgid] if isinstance(msgid, str) else msgid:
            for fragment in re.split(r"%\(\w+\)[sd]", english):
                fragment = fragment.strip(" .,:;()·—")
                if len(fragment) >= 3 and not any(fragment in t for t in translations):
                    out.add(fragment)
    return tuple(sorted(out))


@functools.cache
def _latin_in_translations(cat: Catalogue, locale: str) -> tuple[str, ...]:
    """The fixed parts of this language's translations that keep English
    words on purpose (CSV column names, "SLA"): the page may show those."""
    table = cat.RU if locale == "ru" else cat.KK
    out = set()
    for value in table.values():
        for translated in [value] if isinstance(value, str) else value:
            for part in re.split(r"%\(\w+\)[sd]", translated):
                part = part.strip()
                if re.search(r"[A-Za-z]{3}", part):
                    out.add(part)
    return tuple(sorted(out, key=len, reverse=True))


def english_left(html: str, cat: Catalogue, locale: str) -> list[str]:
    """Fragments of the catalogue's English found, as whole words, on the page
    (leaving out what the language's own translations say in English)."""
    text = Shown(html).text
    for kept in _latin_in_translations(cat, locale):
        text = text.replace(kept, " ")
    return [fragment for fragment in _fragments(cat) if re.search(rf"(?<![\w-]){re.escape(fragment)}(?![\w-])", text)]


def context(html: str, fragment: str, width: int = 40) -> str:
    """Where on the page a fragment shows, for the failure report."""
    text = Shown(html).text
    at = re.search(rf"(?<![\w-]){re.escape(fragment)}(?![\w-])", text)
    return "" if at is None else "…" + text[max(0, at.start() - width) : at.end() + width] + "…"
