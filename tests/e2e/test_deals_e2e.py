"""A deal in the browser: from a reviewed draft to points, the next draft, and the exported brief."""

from pathlib import Path

import pytest

from chizai.core.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).resolve().parents[2] / "src" / "chizai" / "deals" / "data"


def test_deal_from_reviewed_draft_to_exported_brief(page, live_server):
    load_demo()
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/o/sample-seiko/")

    page.goto(live_server.url + "/o/sample-seiko/deals/")
    assert "軽量ブラケット精密加工 共同開発" in page.inner_text("#deal-list")  # the demo deal
    page.fill("#deal-form input[name=title]", "ハウジング試作 共同開発")
    page.fill("#deal-form input[name=new_partner]", "東海オートパーツ株式会社")
    page.select_option("#deal-form select[name=kind]", "joint_rd")
    page.click("#deal-form button[type=submit]")
    page.wait_for_selector("#deal-title")
    assert page.inner_text("#deal-title") == "ハウジング試作 共同開発"

    page.click("#add-draft")
    page.fill("#draft-form textarea[name=text]", (DATA / "demo_jrd_v1.txt").read_text(encoding="utf-8"))
    page.click("#draft-form button[type=submit]")
    page.wait_for_selector("#findings")
    findings = page.locator("#findings article.finding")
    assert findings.count() >= 1
    first_rule = findings.first.locator("code").inner_text()

    findings.first.locator("button.make-point").click()
    page.wait_for_selector("#point-form")
    assert first_rule in page.inner_text("#point")
    page.fill("#point-form textarea[name=fallback]", "対象を本開発の成果に限定する")
    page.fill("#point-form textarea[name=counterparty_position]", "速やかに納入すること")
    page.click("#point-form button[type=submit]")
    page.wait_for_selector(".prompt[data-term=delivery]")  # vague wording → a measurable form is suggested
    page.select_option("#status-form select[name=status]", "parked")
    page.click("#status-form button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#point-status") == "保留"

    page.click("nav.tabs a:has-text('契約書案と指摘')")
    page.click("#add-draft")
    page.fill("#draft-form textarea[name=text]", (DATA / "demo_jrd_v2.txt").read_text(encoding="utf-8"))
    page.click("#draft-form button[type=submit]")
    page.wait_for_selector("#change-2")
    assert "第 1 案から第 2 案への変更" in page.inner_text("#change-2")
    assert "競業の制限" in page.inner_text("#change-2")  # the added clause shows in the text changes

    with page.expect_download() as download_info:
        page.click("#brief-ja")
    path = download_info.value.path()
    assert Path(path).read_bytes().startswith(b"%PDF")
    assert download_info.value.suggested_filename.endswith("-brief-ja.pdf")
