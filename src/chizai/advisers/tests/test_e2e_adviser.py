"""Browser walk: the demo adviser goes from the portfolio into a client's diagnostic and exports the PDF."""

import pytest

from chizai.core.demo import DEMO_PASSWORD, load_demo
from chizai.core.models import AuditEvent

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server):  # browser: the project's conftest.py
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_adviser_walks_from_portfolio_to_diagnostic_pdf(page, live_server, tmp_path):
    load_demo()
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", "adviser")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/o/chubu-ip-support/advisers/")
    page.wait_for_url("**/advisers/portfolio/")
    assert page.locator("#portfolio tbody tr").count() == 5
    page.click("#portfolio tr[data-client=sample-seiko] td:first-child a")
    page.wait_for_url("**/o/sample-seiko/advisers/workspace/")
    assert "サンプル精工株式会社" in page.inner_text("h1")
    page.locator("#diagnostics tbody tr td:first-child a").first.click()
    page.wait_for_url("**/o/sample-seiko/advisers/diagnostics/*/")
    assert page.locator("svg.radar polygon.current").count() == 1
    assert page.locator("svg.radar polygon.previous").count() == 1  # repeated after six months
    with page.expect_download() as info:
        page.click("#export-pdf")
    target = tmp_path / "report.pdf"
    info.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    assert AuditEvent.objects.filter(organization__slug="sample-seiko", action="advisers.diagnostic.export").exists()
