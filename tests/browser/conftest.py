"""Headless Chromium (Debian's package) driven by Playwright."""

import pytest

from tests.browser import chromium


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if chromium.executable() is None:
        pytest.fail(chromium.MISSING)
    with sync_playwright() as pw:
        browser = chromium.launch(pw)
        yield browser
        browser.close()


@pytest.fixture
def sign_in(live_server):
    def login(context, account):
        page = context.new_page()
        page.goto(live_server.url + "/login")
        page.fill("#username", account.user.username)
        page.fill("#password", account.password)
        page.press("#password", "Enter")
        page.wait_for_url(lambda url: "/login" not in url)
        page.wait_for_load_state()
        return page

    return login
