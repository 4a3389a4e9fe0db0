"""The hotline in Chromium. Must show 5: a report whose description (and
employer, and a comment, and the inspection notes) hold `<script>` and
`<img onerror>` payloads is shown as text on every page that shows it, and
no script runs (a CSP violation would fail the test too). And the public
form keeps a report sent while the connection is down, and sends it once
the connection is back: one report, one case number."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from coordinator.field.models import Task
from coordinator.hotline.models import Case, Inspection, Report
from tests.servers import WebServer

pytestmark = pytest.mark.browser
SCRIPT = "<script>window.__xss = 'script'</script>"
IMG = "<img src=x onerror=\"window.__xss = 'img'\">"
PAYLOAD = f"Foreman said {SCRIPT} and {IMG} then left"
EMPLOYER = f"Evil {IMG} LLP"


@pytest.fixture
def live_server(app, config, tmp_path):
    """The app under gunicorn; a person fills the public form in a second here."""
    env = {
        "BIRLIK_DATABASE_URL": config["DATABASE_URL"],
        "BIRLIK_REDIS_URL": config["REDIS_URL"],
        "BIRLIK_SECRET_KEY": config["SECRET_KEY"],
        "BIRLIK_VAR_DIR": config["VAR_DIR"],
        "BIRLIK_HOTLINE_MIN_FILL_SECONDS": "0",
    }
    server = WebServer(env, tmp_path / "web.log").start()
    yield server
    server.stop()


def _no_script_ran(page) -> None:
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("img[src='x']").count() == 0


def _fill_public_form(page, url: str, description: str, employer: str) -> None:
    page.goto(url + "/report")
    page.select_option("select[name=category]", "no_ppe")
    page.fill("textarea[name=description]", description)
    page.fill("input[name=employer_name]", employer)
    page.fill("input[name=settlement]", "Almaty")
    page.fill("input[name=reporter_contact]", "+7 701 000 1122")


def test_markup_in_a_report_is_text_on_every_page(browser, live_server, sign_in, make, client, run_jobs, db_session):
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    public = phone.new_page()
    _fill_public_form(public, live_server.url, PAYLOAD, EMPLOYER)
    public.click("#public-report button[type=submit]")
    expect(public.locator("#report-result")).to_be_visible(timeout=10000)
    number, code = public.inner_text("#result-number"), public.inner_text("#result-code")
    _no_script_ran(public)
    case = db_session.scalar(select(Case).where(Case.number == number))
    assert db_session.scalar(select(Report.description).where(Report.case_id == case.id)) == PAYLOAD

    # The reporter looks it up: status only.
    public.goto(live_server.url + "/report/status")
    public.fill("input[name=number]", number)
    public.fill("input[name=code]", code)
    public.click("#lookup-form button[type=submit]")
    expect(public.locator("#lookup-status")).to_have_text("received")
    _no_script_ran(public)

    # The operator's queue, the case page, a comment added on it, the case file.
    operator = make.account("hotline_operator")
    desk = sign_in(browser.new_context(viewport={"width": 1280, "height": 900}), operator)
    desk.goto(live_server.url + "/hotline")
    expect(desk.locator(f"#case-{case.id}")).to_contain_text(EMPLOYER)
    _no_script_ran(desk)
    desk.goto(live_server.url + f"/hotline/cases/{case.id}")
    expect(desk.locator(".description").first).to_have_text(PAYLOAD)
    expect(desk.locator("#case-employer")).to_have_text(EMPLOYER)
    desk.fill("#comment textarea[name=text]", f"Re: {SCRIPT}")
    desk.click("#comment button[type=submit]")
    expect(desk.locator("#history .note").first).to_have_text(f"Re: {SCRIPT}", timeout=10000)
    _no_script_ran(desk)
    desk.goto(live_server.url + f"/hotline/cases/{case.id}/print")
    expect(desk.locator(".description").first).to_have_text(PAYLOAD)
    _no_script_ran(desk)

    # Typing the employer on the intake form lists the case as a possible duplicate, as text.
    desk.goto(live_server.url + "/hotline/new")
    desk.fill("input[name=employer_name]", EMPLOYER)
    expect(desk.locator("#duplicates")).to_contain_text(EMPLOYER, timeout=10000)
    _no_script_ran(desk)

    # An inspection whose notes hold the payload: its act shows them as text.
    api = {"Authorization": f"Bearer {operator.token}"}
    assert client.post(f"/api/v1/hotline/cases/{case.id}/triage", json={}, headers=api).status_code == 200
    team = make.team("almaty", can_inspect=True)
    inspector = make.account("field", team_id=team.id)
    assert client.post(f"/api/v1/hotline/cases/{case.id}/inspection", headers=api).status_code == 201
    run_jobs()
    task = db_session.scalar(select(Task).where(Task.source_type == "case", Task.source_id == case.id))
    for step in ("accept", "on-site"):
        assert client.post(f"/api/v1/tasks/{task.id}/{step}", headers=inspector.auth).status_code == 200
    done = client.post(
        f"/api/v1/tasks/{task.id}/done", json={"notes": PAYLOAD, "checklist": {}}, headers=inspector.auth
    )
    assert done.status_code == 200
    inspection = db_session.scalar(select(Inspection).where(Inspection.case_id == case.id))
    desk.goto(live_server.url + f"/hotline/inspections/{inspection.id}/print")
    expect(desk.locator(".description").first).to_have_text(PAYLOAD)
    _no_script_ran(desk)

    # The HQ handling it: the case page from the HQ screen's queue.
    regional = make.account("hq", region_id=case.region_id)
    hq = sign_in(browser.new_context(viewport={"width": 1280, "height": 900}), regional)
    hq.goto(live_server.url + f"/hotline/cases/{case.id}")
    expect(hq.locator(".description").first).to_have_text(PAYLOAD)
    _no_script_ran(hq)


def test_a_report_sent_offline_is_kept_and_sent_once_back_online(browser, live_server, db_session):
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    _fill_public_form(page, live_server.url, "Wages three months late.", "Shymkent Textile")
    phone.set_offline(True)
    page.click("#public-report button[type=submit]")
    expect(page.locator("#report-state")).to_contain_text("No connection", timeout=10000)
    draft = page.evaluate("() => JSON.parse(localStorage.getItem('birlik:report:draft'))")
    assert draft["pending"] and draft["description"] == "Wages three months late."
    assert db_session.scalar(select(Report.id)) is None

    phone.set_offline(False)  # the browser fires `online`: the kept report goes out
    expect(page.locator("#report-result")).to_be_visible(timeout=20000)
    number = page.inner_text("#result-number")
    assert page.evaluate("() => localStorage.getItem('birlik:report:draft')") is None
    db_session.expire_all()
    assert [r.public_number for r in db_session.scalars(select(Report))] == [number]


def test_the_queue_and_the_case_page_follow_events_live(browser, live_server, sign_in, make, client):
    operator = make.account("hotline_operator")
    desk = sign_in(browser.new_context(viewport={"width": 1280, "height": 900}), operator)
    desk.goto(live_server.url + "/hotline")
    desk.wait_for_selector("#live-state.ok")
    body = {"channel": "api", "via": "sms", "category": "dismissal", "description": "Fired", "settlement": "Almaty"}
    filed = client.post("/api/v1/hotline/reports", json=body, headers=operator.auth).get_json()
    expect(desk.locator(f"#case-{filed['case_id']}")).to_contain_text(filed["number"], timeout=10000)

    desk.goto(live_server.url + f"/hotline/cases/{filed['case_id']}")
    desk.wait_for_selector("#live-state.ok")
    pause = {"waiting_on": "employer", "reason": "Asked for the order"}
    resp = client.post(f"/api/v1/hotline/cases/{filed['case_id']}/pause", json=pause, headers=operator.auth)
    assert resp.status_code == 200
    expect(desk.locator("#case-paused")).to_contain_text("Asked for the order", timeout=10000)
