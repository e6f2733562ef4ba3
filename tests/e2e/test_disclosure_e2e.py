"""Upload an NDA → review → sign → disclose a drawing → download the watermarked copy → trace it."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from chizai.core.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NDA = Path(__file__).resolve().parents[2] / "src" / "chizai" / "disclosure" / "tests" / "nda_ja.txt"


def _drawing_version():
    from reportlab.pdfgen import canvas

    from chizai.core.models import Organization
    from chizai.register.models import Asset
    from chizai.register.services import upload_version

    org = Organization.objects.get(slug="sample-seiko")
    asset = Asset.objects.get(organization=org, title_ja="プレス金型図面 P-33")
    owner = org.memberships.get(role="owner").user
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for sheet in (1, 2):
        c.drawString(72, 720, f"Press die P-33 sheet {sheet}/2")
        c.showPage()
    c.save()
    return upload_version(owner, org, asset.pk, io.BytesIO(buf.getvalue()), name="P-33.pdf")


def test_nda_review_sign_disclose_download_trace(page, live_server, tmp_path):
    load_demo()
    version = _drawing_version()
    base = live_server.url + "/o/sample-seiko/disclosure/"
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/o/sample-seiko/")

    # a new partner, then its NDA uploaded and reviewed
    page.goto(base)
    page.click("text=相手先を追加")
    page.fill("#partner-form input[name=name_ja]", "E2E精機株式会社")
    page.click("#partner-form button[type=submit]")
    page.wait_for_url("**/partners/*/")
    page.click("text=契約を追加")
    page.fill("#agreement-form input[name=title]", "E2E 秘密保持契約")
    page.select_option("#agreement-form select[name=status]", "negotiating")
    page.set_input_files("#agreement-form input[name=file]", str(NDA))
    page.click("#agreement-form button[type=submit]")
    page.wait_for_url("**/agreements/*/")
    assert "見積及び試作" in page.inner_text("#suggestions")
    assert "高" in page.inner_text("#findings")  # severities by name in the reader's language, not HIGH

    # the person confirms the suggested terms (prefilled) and records the signature
    assert page.is_checked("#confirm-form input[name=purpose_stages][value=quotation]")
    page.click("#confirm-form button[type=submit]")
    page.wait_for_load_state()
    page.fill("#sign-form input[name=expires_on]", (timezone.localdate() + timedelta(days=700)).isoformat())
    page.click("#sign-form button[type=submit]")
    page.wait_for_load_state()
    assert "締結済み" in page.inner_text("#agreement-status")

    # disclose the drawing to the partner's buyer
    page.goto(base + "new/")
    page.select_option("#disclosure-form select[name=partner]", label="E2E精機株式会社")
    page.select_option("#disclosure-form select[name=stage]", "quotation")
    page.fill("#disclosure-form textarea[name=purpose]", "金型の見積")
    # the type-to-search picker (picker.js) replaces the checkbox list: type, pick, see it chosen
    picker = page.locator("#disclosure-form fieldset[data-picker=versions]")
    assert picker.locator("input[type=checkbox]").count() == 0
    picker.locator("input[type=search]").fill("P-33")
    picker.locator(".picker-results button", has_text="プレス金型図面 P-33").first.click()
    assert picker.locator(f"input[type=hidden][name=versions][value='{version.pk}']").count() == 1
    page.fill("#disclosure-form textarea[name=recipients]", "渡辺 健太, watanabe@e2e.example.jp")
    page.click("#disclosure-form button[type=submit]")
    page.wait_for_url("**/disclosure/*/")
    assert "開示済み" in page.inner_text("#status")

    # the watermarked copy
    page.click("#make-copies")
    page.wait_for_selector("#copies a.copy-link")
    with page.expect_download() as info:
        page.click("#copies a.copy-link")
    copy_path = tmp_path / "copy.pdf"
    info.value.save_as(copy_path)
    data = copy_path.read_bytes()
    assert data[:5] == b"%PDF-"
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    assert all("渡辺 健太" in p.extract_text() and "CONFIDENTIAL" in p.extract_text() for p in reader.pages)
    writer = PdfWriter()
    for p in reader.pages:
        writer.add_page(p)
    resaved = tmp_path / "resaved.pdf"
    with open(resaved, "wb") as handle:
        writer.write(handle)

    # trace the re-saved copy back to its recipient
    page.goto(base + "trace/")
    page.set_input_files("#trace-form input[name=file]", str(resaved))
    page.click("#trace-form button[type=submit]")
    page.wait_for_selector("#trace-result")
    result = page.inner_text("#trace-result")
    assert "渡辺 健太" in result and "E2E精機株式会社" in result
