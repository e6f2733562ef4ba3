"""A scanned, sealed contract in the browser (issue 15): upload the PDF, watch the worker read
it page by page, open a finding on its page with the sentence boxed, download the Word file
with the findings as comments."""

import io
import re
import threading

import numpy as np
import pytest
from PIL import Image

from chizai.core import jobs
from chizai.core.demo import DEMO_PASSWORD, load_demo
from chizai.review.engine import ocr
from chizai.review.engine.ocr_layout import BOX_COLOUR
from chizai.review.engine.extract_docx import open_docx, read_document
from chizai.review.engine.ocr_testing import noto_cjk_font, render_pages, to_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FONT = noto_cjk_font()

ARTICLES = [
    ("目的", "本契約は、甲が乙に委託する金型部品の試作及び量産に関し、甲乙間で開示される秘密情報の取扱いを定める。"),
    (
        "秘密情報",
        "本契約において秘密情報とは、開示の方法を問わず、一方当事者が相手方に開示した技術上又は営業上の一切の情報をいう。",
    ),
    ("秘密保持", "乙は、甲の秘密情報を、甲の事前の書面による承諾なく第三者に開示し、又は漏洩してはならない。"),
    ("目的外使用の禁止", "乙は、甲の秘密情報を本契約の目的以外に使用してはならない。"),
    (
        "知的財産権",
        "乙が本契約の履行に関して行った発明、考案及びノウハウに関する一切の権利は、何らの対価なく甲に帰属する。",
    ),
    ("損害賠償", "乙は、本契約に違反して甲に損害を与えた場合、甲に生じた一切の損害を賠償する。"),
    ("有効期間", "本契約の有効期間は、締結日から5年間とする。ただし、第3条の義務は本契約終了後も存続する。"),
    ("返還", "乙は、本契約が終了したとき、甲の指示に従い、秘密情報を含む資料を返還し、又は廃棄する。"),
    ("協議", "本契約に定めのない事項又は本契約の解釈について疑義が生じた事項については、甲乙誠実に協議の上解決する。"),
    ("管轄", "本契約に関する一切の紛争については、名古屋地方裁判所を第一審の専属的合意管轄裁判所とする。"),
]


def _contract() -> str:
    lines = [
        "秘密保持契約書",
        "",
        "株式会社大手自動車(以下「甲」という。)と有限会社三輪精密(以下「乙」という。)は、次のとおり契約を締結する。",
        "",
    ]
    for number, (heading, body) in enumerate(ARTICLES, 1):
        lines += [
            f"第{number}条({heading})",
            body,
            "本条の定めは、甲乙が別途書面で合意した場合を除き、適用されるものとする。",
            "",
        ]
    lines += [
        "2026年4月1日",
        "",
        "甲 愛知県豊田市 株式会社大手自動車 代表取締役(記名押印)",
        "乙 愛知県刈谷市 有限会社三輪精密 代表取締役(記名押印)",
    ]
    return "\n".join(lines)


@pytest.mark.skipif(
    FONT is None or ocr.missing() is not None, reason=f"needs fonts-noto-cjk and Tesseract ({ocr.missing()})"
)
def test_scanned_contract_progress_page_with_the_clause_boxed_and_commented_word_file(page, live_server, tmp_path):
    load_demo()
    jobs.run_pending()  # the demo's own jobs, so the worker below only reads this scan
    pages = render_pages(_contract(), FONT)
    assert len(pages) >= 2  # two pages, so the progress shows a page before the last
    scan = tmp_path / "scan-nda.pdf"
    scan.write_bytes(to_pdf(pages))

    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/o/sample-seiko/")
    page.goto(live_server.url + "/o/sample-seiko/reviews/")
    page.set_input_files("#review-form input[name=file]", str(scan))
    page.select_option("#review-form select[name=contract_type]", "NDA")
    page.fill("#review-form input[name=sme]", "乙")
    page.click("#review-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/reviews/\d+/$"))
    assert page.locator("#review-progress").is_visible()  # the request only queued the scan

    # the worker, as `chizai worker` would, while the page polls for progress
    worker = threading.Thread(target=jobs.run_pending, daemon=True)
    worker.start()
    page.wait_for_selector("#review-progress:has-text('スキャンの読み取り: 1 / 2 ページ')", timeout=120_000)
    page.wait_for_selector("#review-summary", timeout=180_000)
    worker.join(timeout=60)

    link = page.locator("p.on-page a").first
    assert link.is_visible()
    link.click()
    page.wait_for_url(re.compile(r".*/findings/\d+/page/$"))
    image = page.locator("figure.scan-page img").first
    image.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    png = page.request.get(live_server.url + image.get_attribute("src"))
    assert png.ok and png.headers["content-type"] == "image/png" and "no-store" in png.headers["cache-control"]
    with Image.open(io.BytesIO(png.body())) as im:
        rgb = np.asarray(im.convert("RGB")).astype(int)
    boxed = int((rgb == BOX_COLOUR).all(axis=-1).sum())
    assert boxed > 200  # the outline around the cited sentence (the red seal's scanned pixels are never this exact red)

    page.go_back()
    page.select_option("#docx-comments select[name=lang]", "en")
    with page.expect_download() as download_info:
        page.click("#docx-comments button[type=submit]")
    download = download_info.value
    assert download.suggested_filename.endswith("-comments-en.docx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    reading = read_document(open_docx(path.read_bytes(), path.name), path.name)
    assert reading.comments and "第5条" in reading.text
