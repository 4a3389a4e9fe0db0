"""The browser shows times in the operation's zone (BIRLIK_TIMEZONE, Asia/Almaty
by default), whatever zone the device is set to: a phone on New York time
reads the placement timeline and the live "Changed by … at HH:MM" note in
Almaty time, with the timeline's steps in the reader's language."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import select

from coordinator.events.models import Event

pytestmark = pytest.mark.browser

ALMATY = ZoneInfo("Asia/Almaty")
ELSEWHERE = {"timezone_id": "America/New_York"}  # the device's own zone, 10 hours off


def almaty_hhmm(at: datetime) -> str:
    return at.replace(tzinfo=UTC).astimezone(ALMATY).strftime("%H:%M")


def test_the_placement_timeline_reads_local_time_and_translated_steps(browser, sign_in, live_server, make, db_session):
    make.facility("almaty", beds={"standard": 10})
    hq = make.account("hq")
    hq.user.locale = "ru"
    db_session.commit()
    resp = requests.post(
        f"{live_server.url}/api/v1/placements",
        json={"head_count": 2, "contact_phone": "+7 700", "origin": "Almaty"},
        headers=hq.auth,
        timeout=10,
    )
    assert resp.status_code == 201, resp.text
    placement_id = resp.json()["id"]
    requested = db_session.scalar(
        select(Event).where(Event.subject_type == "placement", Event.subject_id == placement_id)
    )

    page = sign_in(browser.new_context(**ELSEWHERE), hq)
    page.goto(f"{live_server.url}/hq/placements")
    box = page.locator(f"#placement-{placement_id}")
    box.locator("summary").click()
    step = box.locator(".timeline li").first
    step.wait_for(timeout=10000)
    text = step.inner_text()
    assert almaty_hhmm(requested.created_at) in text, text
    assert text.endswith("— запрошено"), text
    assert "GMT" not in text and "requested" not in text


def test_the_live_note_says_when_in_the_configured_zone(browser, sign_in, live_server, make):
    facility = make.facility("almaty", beds={"standard": 10})
    hq = make.account("hq")
    other = make.account("hq", display_name="Aigerim Sadykova")
    page = sign_in(browser.new_context(**ELSEWHERE), hq)
    page.goto(f"{live_server.url}/facilities/{facility.id}")
    page.wait_for_selector("body[data-live=ok]")
    row = page.locator(f"#beds-{facility.id}-standard")
    out_of_service = row.locator("input[name=out_of_service]")
    out_of_service.fill("2")  # a form the person has touched: the row is held back

    before = almaty_hhmm(datetime.now(UTC).replace(tzinfo=None))
    resp = requests.put(
        f"{live_server.url}/api/v1/facilities/{facility.id}/beds/standard",
        json={"total": 30},
        headers=other.auth,
        timeout=10,
    )
    assert resp.ok, resp.text
    after = almaty_hhmm(datetime.now(UTC).replace(tzinfo=None))

    note = row.locator("[data-live-note]")
    note.wait_for(timeout=10000)
    text = note.inner_text()
    assert "Changed by Aigerim Sadykova at " in text
    assert any(f"at {t}." in text for t in {before, after}), text


def test_times_typed_and_spans_shown_in_the_browser(browser, sign_in, live_server, make):
    page = sign_in(browser.new_context(**ELSEWHERE), make.account("hq"))
    page.goto(f"{live_server.url}/hq/placements")
    # A late stock entry's "when it happened" is typed in Almaty time and sent as UTC.
    assert page.evaluate("Birlik.fromLocalInput('2026-11-24T08:26').toISOString()") == "2026-11-24T03:26:00.000Z"
    # API times with an offset, with "Z", or (older answers) with none are all UTC.
    shown = page.evaluate(
        "['2026-11-24T03:26:00+00:00', '2026-11-24T03:26:00Z', '2026-11-24T03:26:00.5'].map((t) => Birlik.time(t))"
    )
    assert shown == ["2026-11-24 08:26"] * 3
    assert page.evaluate("[3176, 35, 320, 0].map(Birlik.duration)") == ["2 d 4 h", "35 min", "5 h 20 min", "0 min"]
