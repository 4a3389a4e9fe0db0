"""Headless Chromium (Debian's package) driven by Playwright. Every browser
test watches its pages' console and errors: a Content-Security-Policy
violation anywhere fails the test."""

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser import chromium

CSP = "Content Security Policy"


class WatchedBrowser:
    """The browser, with the console messages and page errors of every context
    it opens collected; those naming the Content-Security-Policy are violations."""

    def __init__(self, browser) -> None:
        self._browser = browser
        self.contexts: list = []
        self.messages: list[str] = []
        self.violations: list[str] = []

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        context.on("console", lambda msg: self._seen(f"console {msg.type}: {msg.text}"))
        context.on("weberror", lambda err: self._seen(f"page error: {err.error}"))
        self.contexts.append(context)
        return context

    def _seen(self, text: str) -> None:
        self.messages.append(text)
        if CSP in text:
            self.violations.append(text)

    def flush(self) -> None:
        """Let events still on their way from open pages arrive."""
        for context in self.contexts:
            for page in context.pages:
                try:
                    page.wait_for_timeout(50)
                except PlaywrightError:
                    pass  # closed meanwhile: it has nothing more to say

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def chromium_browser():
    from playwright.sync_api import sync_playwright

    if chromium.executable() is None:
        pytest.fail(chromium.MISSING)
    with sync_playwright() as pw:
        browser = chromium.launch(pw)
        yield browser
        browser.close()


@pytest.fixture
def browser(chromium_browser):
    """The browser for one test; see `pytest_runtest_call` for what it watches."""
    return WatchedBrowser(chromium_browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a browser test whose pages broke the Content-Security-Policy."""
    result = yield
    watched = item.funcargs.get("browser")
    if isinstance(watched, WatchedBrowser):
        watched.flush()
        if watched.violations:
            pytest.fail("Content-Security-Policy violations:\n" + "\n".join(watched.violations), pytrace=False)
    return result


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
