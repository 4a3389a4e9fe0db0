"""A full server in the browser: a form sent while every slot is taken gets a
503, the page says the server is busy and sends it again after Retry-After,
and the placement is made once."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from coordinator.housing.models import PlacementRequest
from tests.ops.conftest import fill
from tests.servers import WebServer

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
BODY = b"username=nobody&password=wrong&csrf_token=x&pad=" + b"x" * 200
SLOTS = 3


@pytest.fixture
def live_server(app, config, tmp_path):
    env = {
        "BIRLIK_DATABASE_URL": config["DATABASE_URL"],
        "BIRLIK_REDIS_URL": config["REDIS_URL"],
        "BIRLIK_SECRET_KEY": config["SECRET_KEY"],
        "BIRLIK_VAR_DIR": config["VAR_DIR"],
        "BIRLIK_MAX_IN_FLIGHT": str(SLOTS),
        "BIRLIK_BUSY_RETRY_SECONDS": "1",
    }
    server = WebServer(env, tmp_path / "web.log").start()
    yield server
    server.stop()


def test_a_form_sent_to_a_full_server_waits_and_goes_through_once(
    browser, live_server, sign_in, make, db_session, wait_for
):
    def placements() -> int:
        db_session.rollback()  # a fresh snapshot: SQLite keeps a transaction's own
        return db_session.scalar(select(func.count(PlacementRequest.id)))

    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    page = sign_in(context, make.account("hq"))
    page.goto(live_server.url + "/hq/placements")
    page.wait_for_load_state("networkidle")
    form = page.locator('form[data-api="POST /api/v1/placements"]')
    form.locator("[name=head_count]").fill("2")
    form.locator("[name=contact_phone]").fill("+7 701 555 12 12")
    form.locator("[name=origin]").fill("Almaty")

    slow: list = []
    try:
        # Slow sign-ins fill the bound (one more each time it is not full yet).
        assert wait_for(lambda: fill(live_server, "/login", BODY, FORM, slow))
        form.locator("[type=submit]").click()
        notice = page.locator("#busy-notice")
        expect(notice).to_be_visible(timeout=10000)
        expect(notice).to_contain_text("busy")
        assert placements() == 0
    finally:
        for s in slow:
            s.finish()
    expect(page.locator("#busy-notice")).to_be_hidden(timeout=15000)
    assert wait_for(lambda: placements() == 1)
    expect(form.locator(".form-error")).to_have_text("")
    assert placements() == 1  # sent more than once, carried out once
    context.close()
