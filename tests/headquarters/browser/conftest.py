"""The browser fixtures of tests/browser (Chromium, sign-in, and the check
that fails a test whose pages broke the Content-Security-Policy)."""

from tests.browser.conftest import browser, chromium_browser, pytest_runtest_call, sign_in  # noqa: F401
from tests.headquarters.conftest import attach, page_csrf  # noqa: F401
