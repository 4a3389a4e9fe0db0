"""The supplies pages in Russian and Kazakh show none of the English of their
messages (scripts/catalogue/pages.py): every word they print is translated."""

from __future__ import annotations

import importlib.util
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.supplies import pages_setup

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
def test_supplies_pages_speak_the_users_language(app, client, make, api, run_jobs, db_session, locale):
    """Along a whole cycle: stock below its alert, allocations with their
    reasoning and an override, lines waiting, a run, a proof with a
    shortfall, a discrepancy and the ledger of it."""
    catalogue = _catalogue()
    world = pages_setup.scarce(app, make, api)
    make.stock(world.warehouse, "Gloves", on_hand=30, per_day=10)  # 3 days of cover: below the alert
    other = make.warehouse("almaty")
    hq = make.account("hq")
    # Names are data, not messages: names that are no English word of the catalogue.
    world.warehouse.name, other.name = "Алатау", "Медеу"
    world.ours.name, world.theirs.name = "Қалалық аурухана №7", "Орталық клиника"
    db_session.commit()
    for org, asked in ((world.ours, 80), (world.theirs, 60)):
        body = {"organization_id": org.id, "lines": [{"item_id": world.masks.id, "quantity": asked}]}
        assert api("post", "/supply-requests", json=body)[0] == 201
    run_jobs()
    [run] = api("get", "/supplies/runs")[1]
    pages_setup.deliver(api, world, run, {world.ours.id: 5})
    more = {"lines": [{"item_id": world.masks.id, "quantity": 9}]}
    status, later = api("post", "/supply-requests", world.requester, json=more)
    assert status == 201
    override = {"quantity": 4, "reason": "Жедел"}
    assert api("put", f"/supply-lines/{later['lines'][0]['id']}/override", json=override)[0] == 200
    for account in (world.manager, world.requester, hq):
        account.user.locale = locale
    db_session.commit()

    pages = {
        "warehouse": (world.manager, f"/warehouses/{world.warehouse.id}"),
        "requester": (world.requester, "/"),
        "board": (hq, "/hq/supplies"),
        "board, delivered": (hq, "/hq/supplies?status=delivered"),
        "hq screen": (hq, "/hq"),
    }
    for name, (account, path) in pages.items():
        resp = client.get(path, headers=account.auth)
        assert resp.status_code == 200, (name, resp.status_code)
        html = resp.get_data(as_text=True)
        assert f'lang="{locale}"' in html
        assert english_left(html, catalogue) == [], name
    board = client.get("/hq/supplies?status=delivered", headers=hq.auth).get_data(as_text=True)
    assert world.ours.name in board and "Медеу" in board
