"""Browser tests: Playwright (Python) driving Debian's chromium, headless. The ``browser``
fixture (the project's conftest.py) finds chromium, skips saying why when it is missing, and
closes the database connections the test opened while Playwright ran.
"""

import pytest


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="ja-JP", viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
