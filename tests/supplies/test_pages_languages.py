"""The supplies pages in Russian and Kazakh show none of the English of their
messages (scripts/catalogue/pages.py): every word they print is translated."""

from __future__ import annotations

import importlib.util
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOWN_ATTRIBUTES = {"title", "aria-label", "placeholder", "data-done-text", "data-live-text", "data-reconnecting"}


def _catalogue():
    spec = importlib.util.spec_from_file_location("catalogue_pages", ROOT / "scripts" / "catalogue" / "pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def english_left(html: str, catalogue) -> list[str]:
    """Fragments of the catalogue's English found on the page: each message's
    text between its placeholders, as whole words, when it differs from both
    translations (a word like "CSV" is the same in every language)."""
    text = Shown(html).text
    found = []
    for msgid in catalogue.RU:
        for english in [msgid] if isinstance(msgid, str) else msgid:
            translations = {str(catalogue.RU[msgid]), str(catalogue.KK[msgid])}
            for fragment in re.split(r"%\(\w+\)[sd]", english):
                fragment = fragment.strip(" .,:;()·—")
                if len(fragment) < 3 or any(fragment in t for t in translations):
                    continue
                if re.search(rf"(?<![\w-]){re.escape(fragment)}(?![\w-])", text):
                    found.append(fragment)
    return sorted(set(found))


@pytest.mark.parametrize("locale", ["ru", "kk"])
def test_supplies_pages_speak_the_users_language(client, make, api, db_session, locale):
    catalogue = _catalogue()
    accounts = make.every_role("almaty")
    wh, org = make.scope["warehouse"], make.scope["organization"]
    mask = make.stock(wh, "Medical mask", on_hand=30, per_day=10)
    make.stock(wh, "Gloves", on_hand=500, per_day=10)
    other = make.warehouse("almaty")
    # Names are data, not messages: names that are no English word of the catalogue.
    wh.name, other.name, org.name = "Алатау", "Медеу", "Қалалық аурухана №7"
    db_session.commit()
    status, _ = api(
        "post", "/supply-requests", accounts["requester"], json={"lines": [{"item_id": mask.id, "quantity": 80}]}
    )
    assert status == 201
    for account in accounts.values():
        account.user.locale = locale
    db_session.commit()

    pages = {
        "warehouse": (accounts["warehouse_manager"], f"/warehouses/{wh.id}"),
        "requester": (accounts["requester"], "/"),
        "board": (accounts["hq"], "/hq/supplies"),
        "hq screen": (accounts["hq"], "/hq"),
    }
    for name, (account, path) in pages.items():
        resp = client.get(path, headers=account.auth)
        assert resp.status_code == 200, (name, resp.status_code)
        html = resp.get_data(as_text=True)
        assert f'lang="{locale}"' in html
        assert english_left(html, catalogue) == [], name
    assert org.name in client.get("/hq/supplies", headers=accounts["hq"].auth).get_data(as_text=True)
