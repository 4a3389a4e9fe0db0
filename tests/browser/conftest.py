"""Headless Chromium (Debian's package) driven by Playwright."""

import shutil

import pytest

# Flags this machine needs: no sandbox as root, and no background network
# traffic (the network is closed and Chromium would keep retrying).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Chromium is not installed: run `make system-deps` (Debian package chromium).")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
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
