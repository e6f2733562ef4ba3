import pytest

from chizai.core.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_login_switch_language_and_organisation_then_audit(page, live_server):
    load_demo()
    page.goto(live_server.url + "/login/")
    assert "ログイン" in page.content()
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", "wrong password")
    page.click("#login-form button[type=submit]")
    assert page.locator("[role=alert]").is_visible()

    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/o/sample-seiko/")
    assert "サンプル精工株式会社" in page.inner_text("h1")

    page.click("#lang-en")
    page.wait_for_load_state()
    assert "Sample Seiko Co., Ltd." in page.inner_text("h1")
    assert page.locator("a", has_text="Audit log").count() == 1

    page.click("a:has-text('Audit log')")
    page.wait_for_url("**/audit/")
    rows = page.locator("#audit-table tbody tr")
    assert rows.count() >= 2
    assert "auth.login" in page.inner_text("#audit-table")
    assert "auth.login_failed" in page.inner_text("#audit-table")

    page.click("#lang-ja")
    page.wait_for_load_state()
    assert "監査ログ" in page.inner_text("h1")


def test_adviser_switches_between_client_organisations(page, live_server):
    load_demo()
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", "adviser")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    page.click("#org-switcher summary")
    page.click("#org-switcher a[data-org=kobayashi-kanagata]")
    page.wait_for_url("**/o/kobayashi-kanagata/")
    assert "小林金型製作所" in page.inner_text("h1")
    page.click("#org-switcher summary")
    page.click("#org-switcher a[data-org=sample-seiko]")
    page.wait_for_url("**/o/sample-seiko/")
    assert "サンプル精工株式会社" in page.inner_text("h1")
    # an adviser has no audit-log link and the page itself refuses
    assert page.locator("a", has_text="監査ログ").count() == 0
    response = page.goto(live_server.url + "/o/sample-seiko/audit/")
    assert response.status == 403
