"""Browser tests: Playwright (Python) driving Debian's chromium, headless.

`playwright install` cannot download browsers here, so the tests use /usr/bin/chromium
(or CHIZAI_CHROMIUM) and skip, saying why, when it is missing.
"""
import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHIZAI_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def browser():
    # Function-scoped: Playwright's sync API keeps an event loop running in this thread while
    # it is open, which would make Django refuse database calls in the tests that follow.
    if not CHROMIUM:
        pytest.skip("Debian chromium is not installed (apt-get install chromium); browser tests skipped")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright (Python) is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, monkeypatch):
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the test makes
    # are still synchronous, so Django's async-safety check is relaxed for browser tests only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    context = browser.new_context(locale="ja-JP", viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
