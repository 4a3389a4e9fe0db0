"""While about 20 live events a second reach an HQ page, a person types into
its form at human pace, opens a row and chooses from a select: nothing typed
is lost, the row stays open, the action succeeds, charts keep their drawing,
and the rows the events concern still update as they arrive. A row edited
while it changed on the server says who changed it and can be reloaded."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import select

from coordinator.field.models import Task
from coordinator.housing import facilities as facility_service
from coordinator.housing.models import Facility, FacilityBeds, PlacementRequest

pytestmark = pytest.mark.browser

KEY_DELAY_MS = 100  # human typing pace
TYPED = "Sanatorium Zhetysu, east wing by the river"  # about 4.5 s at that pace


class EventStream:
    """Changes sent from a background thread at about `rate` a second, each
    producing one live event; bounded by count and by time."""

    def __init__(self, url: str, account, request, *, rate: int = 20, limit: int = 1200, seconds: float = 60):
        self.url, self.headers, self.request = url, account.auth, request
        self.rate, self.limit, self.seconds = rate, limit, seconds
        self.sent: list[int] = []  # the numbers of the changes the server accepted
        self.answers: list = []  # and its answers to them
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> EventStream:
        self._thread.start()
        return self

    def stop(self, *, at_least: int = 60) -> None:
        """Stop once the server has accepted `at_least` changes (a loaded
        machine answers slower; the storm goes on until it was one)."""
        deadline = time.monotonic() + self.seconds
        while len(self.sent) < at_least and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        self._stop.set()
        self._thread.join(timeout=15)
        assert not self._thread.is_alive(), "the event stream did not stop"

    @property
    def last(self) -> int:
        return self.sent[-1]

    def _run(self) -> None:
        started = time.monotonic()
        with requests.Session() as http:
            for i in range(self.limit):
                if self._stop.is_set() or time.monotonic() - started > self.seconds:
                    return
                method, path, body = self.request(i)
                try:
                    resp = http.request(method, self.url + path, json=body, headers=self.headers, timeout=10)
                except requests.RequestException as exc:
                    self.errors.append(repr(exc))
                    continue
                if resp.ok:
                    self.sent.append(i)
                    self.answers.append(resp.json())
                else:
                    self.errors.append(f"{resp.status_code} {resp.text[:200]}")
                # Keep to the rate, catching up after a slow answer.
                self._stop.wait(max(0.0, started + (i + 1) / self.rate - time.monotonic()))


def open_live(browser, sign_in, account, url: str, **context):
    """The page, signed in and live, counting the live events it receives."""
    page = sign_in(browser.new_context(**context), account)
    page.goto(url)
    page.wait_for_selector("body[data-live=ok]")
    page.evaluate("""() => {
        window.__events = 0;
        document.addEventListener('birlik:event', () => window.__events++);
    }""")
    return page


def watch(page, selector: str) -> None:
    """Record every text the element shows from now on, in order."""
    page.evaluate(
        """(sel) => {
            const text = () => document.querySelector(sel)?.textContent;
            const seen = window.__seen = [text()];
            new MutationObserver(() => { if (text() !== seen.at(-1)) seen.push(text()); })
                .observe(document.querySelector('main'), { subtree: true, childList: true, characterData: true });
        }""",
        selector,
    )


def shown_texts(page) -> list[str]:
    return page.evaluate("window.__seen")


def wait_for_text(page, selector: str, text: str, timeout: float = 10000) -> None:
    page.wait_for_function(
        "([sel, text]) => document.querySelector(sel)?.textContent.trim() === text",
        arg=[selector, text],
        timeout=timeout,
    )


def assert_stormed(page, stream: EventStream) -> None:
    """The stream really was a storm, and the page received it."""
    assert not stream.errors, stream.errors[:3]
    assert len(stream.sent) >= 60, f"only {len(stream.sent)} changes were sent"
    page.wait_for_function("() => window.__events >= 60", timeout=30000)


def test_facilities_page_keeps_the_new_facility_form(browser, live_server, sign_in, make, db_session):
    facility = make.facility("almaty", beds={"standard": 10})
    hq, other = make.account("hq"), make.account("hq")
    page = open_live(browser, sign_in, hq, live_server.url + "/hq/facilities")
    total = f"#facility-{facility.id} .total"
    watch(page, total)
    form = page.locator('form[data-api="POST /api/v1/facilities"]')

    stream = EventStream(
        live_server.url, other, lambda i: ("PUT", f"/api/v1/facilities/{facility.id}/beds/standard", {"total": 20 + i})
    ).start()
    try:
        form.locator("input[name=name]").press_sequentially(TYPED, delay=KEY_DELAY_MS)
        form.locator("select[name=kind]").select_option("hotel")
        form.locator("input[name=settlement]").press_sequentially("Almaty", delay=KEY_DELAY_MS)
        form.locator("input[name='beds.standard.total']").press_sequentially("25", delay=KEY_DELAY_MS)
        # The list followed the beds while the person typed.
        assert len(shown_texts(page)) >= 4, shown_texts(page)
        assert form.locator("input[name=name]").input_value() == TYPED
        assert form.locator("select[name=kind]").input_value() == "hotel"
        assert form.locator("input[name=settlement]").input_value() == "Almaty"

        form.get_by_role("button", name="Add facility").click(timeout=10000)
        page.locator("#facility-list tr", has_text=TYPED).wait_for(timeout=10000)
        assert form.locator("input[name=name]").input_value() == ""  # data-after="reset"
        assert form.locator(".form-error").inner_text() == ""
    finally:
        stream.stop()

    assert_stormed(page, stream)
    wait_for_text(page, total, str(20 + stream.last))
    created = db_session.scalar(select(Facility).where(Facility.name == TYPED))
    assert created is not None and created.kind == "hotel" and created.total_beds == 25


def test_placements_board_keeps_the_form_the_open_row_and_the_move(browser, live_server, sign_in, make, db_session):
    there = make.facility("almaty", beds={"standard": 50})
    waiting = make.placement(head_count=2)  # the person moves this one
    hq, other = make.account("hq"), make.account("hq")
    page = open_live(browser, sign_in, hq, live_server.url + "/hq/placements")
    requested = "#board-requested h2 .badge"
    watch(page, requested)
    form = page.locator('form[data-api="POST /api/v1/placements"]')
    row = page.locator(f"#placement-{waiting.id}")

    stream = EventStream(
        live_server.url,
        other,
        lambda i: (
            "POST",
            "/api/v1/placements",
            {"head_count": 1 + i % 4, "contact_phone": "+7 700 1", "origin": "Almaty"},
        ),
    ).start()
    try:
        form.locator("input[name=contact_phone]").press_sequentially("+7 701 555 12 12", delay=KEY_DELAY_MS)
        form.locator("input[name=origin]").press_sequentially(TYPED, delay=KEY_DELAY_MS)
        row.locator("summary").click()
        row.locator("select[name=facility_id]").select_option(str(there.id))
        assert len(shown_texts(page)) >= 4, shown_texts(page)
        assert form.locator("input[name=contact_phone]").input_value() == "+7 701 555 12 12"
        assert form.locator("input[name=origin]").input_value() == TYPED

        row.get_by_role("button", name="Move here").click(timeout=10000)
        page.locator(f"#board-assigned #placement-{waiting.id}").wait_for(timeout=10000)
        assert row.evaluate("el => el.open") is True
        assert row.locator(".form-error").first.inner_text() == ""
        assert form.locator("input[name=origin]").input_value() == TYPED
    finally:
        stream.stop()

    assert_stormed(page, stream)
    wait_for_text(page, requested, str(len(stream.sent)))  # every new request, and not the moved one
    page.locator(f"#placement-{stream.answers[-1]['id']}").wait_for(timeout=10000)
    db_session.expire_all()
    moved = db_session.get(PlacementRequest, waiting.id)
    assert moved.facility_id == there.id and moved.status == "assigned"


def test_teams_board_assigns_while_positions_stream_in(browser, live_server, sign_in, make, db_session):
    moving = make.team("almaty", can_deliver=True)
    chosen = make.team("almaty", can_deliver=True)
    task = make.task(kind="delivery")
    hq, other = make.account("hq"), make.account("hq")
    page = open_live(browser, sign_in, hq, live_server.url + "/hq/teams")
    position = f"#team-{moving.id} .position"
    watch(page, position)
    form = page.locator('form[data-api="POST /api/v1/tasks"]')
    row = page.locator(f"#task-{task.id}")

    def report(i):
        at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        return "POST", f"/api/v1/teams/{moving.id}/position", {"lat": 43.2 + i / 10000, "lon": 76.9, "at": at}

    stream = EventStream(live_server.url, other, report).start()
    try:
        form.locator("input[name=title]").press_sequentially(TYPED, delay=KEY_DELAY_MS)
        row.locator("summary").click()
        row.locator("select[name=team_id]").select_option(str(chosen.id))
        assert len(shown_texts(page)) >= 4, shown_texts(page)
        assert form.locator("input[name=title]").input_value() == TYPED

        row.get_by_role("button", name="Assign").click(timeout=10000)
        page.wait_for_function(
            f"() => document.querySelector('#task-{task.id} .task-status')?.textContent === 'offered'", timeout=10000
        )
        assert row.evaluate("el => el.open") is True
        assert row.locator(".form-error").first.inner_text() == ""
        assert chosen.name in row.locator("summary").inner_text()
        assert form.locator("input[name=title]").input_value() == TYPED
    finally:
        stream.stop()

    assert_stormed(page, stream)
    wait_for_text(page, position, f"{43.2 + stream.last / 10000:.4f}, 76.9000")
    db_session.expire_all()
    assigned = db_session.get(Task, task.id)
    assert assigned.team_id == chosen.id and assigned.status == "offered"


CANVAS_DRAWN = """(id) => {
    const canvas = document.getElementById(id);
    const { width, height } = canvas;
    const pixels = canvas.getContext('2d').getImageData(0, 0, width, height).data;
    return !!Chart.getChart(canvas) && pixels.some((v, i) => i % 4 === 3 && v > 0);
}"""


def test_facility_page_keeps_forms_and_charts(app, browser, live_server, sign_in, make, db_session):
    facility = make.facility("almaty", beds={"standard": 10})
    group = make.placement(facility, head_count=2)
    with app.app_context():  # the snapshot's day is the operation's local day (BIRLIK_TIMEZONE)
        facility_service.snapshot_occupancy(session=db_session)  # so the history chart has a reading
    db_session.commit()
    hq, other = make.account("hq"), make.account("hq")
    page = open_live(browser, sign_in, hq, f"{live_server.url}/facilities/{facility.id}")
    for chart in ("history-chart", "forecast-chart"):
        assert page.evaluate(CANVAS_DRAWN, chart), chart
    # Setting a canvas's size blanks it: a live patch must leave the canvases' attributes alone.
    page.evaluate("""() => {
        window.__charts = ['history-chart', 'forecast-chart'].map((id) => Chart.getChart(id));
        window.__canvasChanges = [];
        const watcher = new MutationObserver((changes) =>
            window.__canvasChanges.push(...changes.map((c) => c.attributeName)));
        document.querySelectorAll('canvas').forEach((canvas) => watcher.observe(canvas, { attributes: true }));
    }""")
    total = f"#beds-{facility.id}-standard .total"
    watch(page, total)
    usernames = page.locator("form[data-managers] input[name=usernames]")
    resize = page.locator("form", has=page.get_by_label("Add or resize a bed category"))

    stream = EventStream(
        live_server.url, other, lambda i: ("PUT", f"/api/v1/facilities/{facility.id}/beds/standard", {"total": 20 + i})
    ).start()
    try:
        usernames.press_sequentially(TYPED, delay=KEY_DELAY_MS)
        resize.get_by_label("Add or resize a bed category").select_option("family")
        resize.locator("input[name=total]").press_sequentially("8", delay=KEY_DELAY_MS)
        assert len(shown_texts(page)) >= 4, shown_texts(page)
        assert usernames.input_value() == TYPED

        resize.get_by_role("button", name="Save").click(timeout=10000)
        page.locator(f"#beds-{facility.id}-family").wait_for(timeout=10000)
        assert resize.locator(".form-error").inner_text() == ""
        # A check-in changes the occupancy forecast: the chart takes the new data in place.
        checked_in = requests.post(
            f"{live_server.url}/api/v1/placements/{group.id}/check-in",
            json={"count": 2},
            headers=other.auth,
            timeout=10,
        )
        assert checked_in.ok, checked_in.text
        page.wait_for_function("() => Chart.getChart('forecast-chart').data.datasets[1].data[0] === 2", timeout=10000)
    finally:
        stream.stop()

    assert_stormed(page, stream)
    wait_for_text(page, total, str(20 + stream.last))
    assert usernames.input_value() == TYPED
    same = page.evaluate(
        "['history-chart', 'forecast-chart'].every((id, i) => Chart.getChart(id) === window.__charts[i])"
    )
    assert same, "a chart was drawn anew"
    assert page.evaluate("window.__canvasChanges") == []
    for chart in ("history-chart", "forecast-chart"):
        assert page.evaluate(CANVAS_DRAWN, chart), chart
    family = db_session.scalar(
        select(FacilityBeds).where(FacilityBeds.facility_id == facility.id, FacilityBeds.category == "family")
    )
    assert family is not None and family.total == 8


def test_a_row_changed_while_edited_says_by_whom_and_reloads(browser, live_server, sign_in, make):
    facility = make.facility("almaty", beds={"standard": 10})
    hq = make.account("hq")
    other = make.account("hq", display_name="Aigerim Sadykova")
    phone = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
    page = open_live(
        browser, sign_in, hq, f"{live_server.url}/facilities/{facility.id}", timezone_id="Asia/Almaty", **phone
    )
    row = page.locator(f"#beds-{facility.id}-standard")
    out_of_service = row.locator("input[name=out_of_service]")
    out_of_service.click()
    out_of_service.press("Control+A")
    out_of_service.press_sequentially("2", delay=KEY_DELAY_MS)

    zone = ZoneInfo("Asia/Almaty")
    before = datetime.now(zone).strftime("%H:%M")
    resp = requests.put(
        f"{live_server.url}/api/v1/facilities/{facility.id}/beds/standard",
        json={"total": 30},
        headers=other.auth,
        timeout=10,
    )
    assert resp.ok, resp.text
    after = datetime.now(zone).strftime("%H:%M")

    note = row.locator("[data-live-note]")
    note.wait_for(timeout=10000)
    text = note.inner_text()
    assert "Changed by Aigerim Sadykova at " in text and "Reload row" in text
    assert any(f"at {t}." in text for t in {before, after}), text  # BIRLIK_TIMEZONE (Asia/Almaty)
    assert row.locator(".total").inner_text() == "10"  # the row stays as the person saw it
    assert out_of_service.input_value() == "2"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    note.get_by_role("button", name="Reload row").click()
    wait_for_text(page, f"#beds-{facility.id}-standard .total", "30")
    assert out_of_service.input_value() == "0"
    assert note.count() == 0
