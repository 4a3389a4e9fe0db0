"""Every page of every role on a 360 px wide phone: nothing scrolls sideways,
and the controls a person needs (the beds Save, a wide table's last column)
are on the screen or inside a box of their own that says it scrolls."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coordinator.common.clock import now
from tests.factories import Factory

pytestmark = pytest.mark.browser

KAZAKH_TOO = ("admin", "facility_manager", "field")
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
WIDTH = 360

# What lies beyond the screen's right edge, named for a failure that says
# where. Fine: inside a box that scrolls on its own and says so (class
# "scroll-x", with its hint), inside a map, or clipped on purpose (hidden).
# A box that scrolls silently (a card's overflow-x: auto) hides a column or a
# button from a person who does not know to swipe: that counts.
OFF_SCREEN = """(w) => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= w + 0.5) continue;
    if (el.closest('.scroll-x, .leaflet-container')) continue;
    let clipped = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'hidden' || o === 'clip') { clipped = true; break; }
    }
    if (clipped) continue;
    const cls = typeof el.className === 'string' ? el.className.trim().split(/\\s+/).join('.') : '';
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (cls ? '.' + cls : '');
    out.push(name + ' right=' + Math.round(r.right));
  }
  return out.slice(0, 6);
}"""


def _world(make: Factory):
    accounts = make.every_role("almaty")
    facility = make.scope["facility"]
    make.placement(facility, head_count=3)
    checked = make.placement(facility, head_count=2)
    checked.status, checked.checked_in_count = "checked_in", 2
    checked.checked_in_at, checked.release_due_at = now(), now() + timedelta(days=14)
    make.placement(None, head_count=4)
    case = make.case("almaty")
    hq = make.hq("almaty")
    make.task(make.scope["team"], kind="transfer")
    make.session.commit()
    return accounts, {"facility": facility, "case": case, "hq": hq, "warehouse": make.scope["warehouse"]}


def _pages(w) -> dict[str, list[str]]:
    hq_pages = [
        "/hq",
        "/hq/overview",
        "/sitrep",
        "/hq/facilities",
        f"/facilities/{w['facility'].id}",
        "/hq/placements",
        "/hq/teams",
        "/hq/supplies",
        f"/warehouses/{w['warehouse'].id}",
        "/hotline",
        f"/hotline/cases/{w['case'].id}",
        "/hotline/new",
        "/hotline/breaches",
        "/hq/headquarters",
        f"/hq/headquarters/{w['hq'].id}",
        "/no-such-page",
    ]
    return {
        "admin": hq_pages,
        "hq_regional": ["/hq", "/hq/overview", "/hq/facilities", "/hq/placements", "/hq/teams"],
        "facility_manager": ["/", f"/facilities/{w['facility'].id}"],
        "warehouse_manager": ["/", f"/warehouses/{w['warehouse'].id}"],
        "field": ["/field"],
        "hotline_operator": ["/hotline", f"/hotline/cases/{w['case'].id}", "/hotline/new", "/hotline/breaches"],
        "requester": ["/"],
    }


def _check(page, url: str, problems: list[str], who: str = "anonymous") -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    hidden = page.evaluate(OFF_SCREEN, WIDTH)
    if width > WIDTH or hidden:
        problems.append(f"{who} {url} ({page.title()}): scrollWidth {width}, off screen: {hidden}")


def test_every_page_of_every_role_fits_a_360_px_phone(browser, live_server, sign_in, make):
    accounts, w = _world(make)
    problems: list[str] = []
    for role, urls in _pages(w).items():
        context = browser.new_context(**PHONE)
        page = sign_in(context, accounts[role])
        for url in urls:
            _check(page, live_server.url + url, problems, role)
        if role in KAZAKH_TOO:
            # Kazakh words run longest: the same pages once more in Kazakh.
            page.get_by_role("button", name="Қазақша").click()
            # The click reloads the page: between two documents there is none.
            page.wait_for_function("() => document.documentElement?.lang === 'kk'")
            for url in urls:
                _check(page, live_server.url + url, problems, f"{role} (kk)")
        context.close()
    anonymous = browser.new_context(**PHONE).new_page()
    for url in ("/login", "/report", "/report/status", "/no-such-page"):
        _check(anonymous, live_server.url + url, problems)
    assert not problems, "\n".join(problems)


def test_the_managers_beds_save_is_on_screen(browser, live_server, sign_in, make):
    accounts, w = _world(make)
    page = sign_in(browser.new_context(**PHONE), accounts["facility_manager"])
    row = page.locator(f"#beds-{w['facility'].id}-standard")
    controls = ("button[type=submit]", ".free", "input[name=out_of_service]")
    for control in (row.locator(selector) for selector in controls):
        box = control.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
    # A table that scrolls in its own box says so.
    page.goto(f"{live_server.url}/facilities/{w['facility'].id}")
    hint = page.locator("#groups table.scroll-x").evaluate("t => getComputedStyle(t, '::before').content")
    assert "Swipe the table sideways" in hint
    page.go_back()
    # Saving from the phone works.
    row.locator("input[name=out_of_service]").fill("2")
    row.locator("button[type=submit]").click()
    page.wait_for_function(
        f"() => document.querySelector('#beds-{w['facility'].id}-standard .out-of-service')?.textContent.trim() === '2'"
    )
