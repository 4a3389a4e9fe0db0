"""The HQ page and the status board on a 360 px phone in Chromium: nothing
scrolls sideways, staff sign on and file a report from the page, and the board
shows a silence flag as soon as the job raises it, with no reload."""

import pytest

from tests.headquarters.conftest import attach  # noqa: F401, F811  (a fixture)

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_hq_page_and_board_fit_a_phone_and_follow_live(browser, live_server, sign_in, make, attach, enqueue, run_jobs):  # noqa: F811
    almaty, pavlodar = make.hq("almaty"), make.hq("pavlodar")
    worker = make.account("hq", region_id=almaty.region_id)
    attach(almaty, worker)

    page = sign_in(browser.new_context(**PHONE), worker)
    page.goto(f"{live_server.url}/hq/headquarters/{almaty.id}")
    page.wait_for_selector("#live-state.ok")
    assert page.evaluate(FITS)
    page.click("#sign-on button")
    page.wait_for_selector(f"#on-duty li:has-text('{worker.user.display_name}')")
    page.fill("#report-form textarea[name=needs]", "<b>masks</b> 500, <img src=x onerror=alert(1)>")
    page.fill("#report-form textarea[name=notes]", "Quiet night. " * 40)
    assert page.input_value("#report-form input[name=staff_on_duty]") == "1"  # prefilled from the roster
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#reports li:has-text('<b>masks</b> 500')")
    assert page.locator("#reports b").count() == 0 and page.locator("#reports img").count() == 0
    assert page.locator("#hq-flag").inner_text() == "reporting"
    assert page.evaluate(FITS)

    national = make.account("hq")
    board = sign_in(browser.new_context(**PHONE), national)
    board.goto(f"{live_server.url}/hq/headquarters")
    board.wait_for_selector("#live-state.ok")
    assert board.evaluate(FITS)
    assert board.locator(f"#hq-{pavlodar.id}-flag").inner_text() != "silent"
    enqueue("flag_silent_hqs")  # Pavlodar's HQ never reported
    run_jobs()
    board.wait_for_function(
        f"() => document.querySelector('#hq-{pavlodar.id}-flag').textContent.trim() === 'silent'", timeout=15000
    )
    assert board.locator(f"#hq-{almaty.id}-flag").inner_text() == "reporting"
    assert pavlodar.name in board.locator("#silent-summary").inner_text()
    assert board.evaluate(FITS)
