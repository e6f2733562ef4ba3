"""OCR bench (issue 15): review-dev contracts typeset, skewed, speckled and sealed at 200 dpi, read back.

Ten contracts (27 pages); the seal is multiplied into the page (stamp ink over toner stays dark).

Prints JSON: CPU seconds per page (Tesseract on one core: OMP_THREAD_LIMIT=1, the children's
user+sys time, so other load on the machine does not count), character accuracy per language,
and how many of the source's findings the review of the OCR'd text finds again.

    .venv/bin/python bench/review_ocr.py [--dump DIR] [contract.txt ...]

``--dump DIR`` writes each contract's OCR'd text to DIR (same file name).
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from pathlib import Path

from chizai.review.engine import load_document, ocr, review_document
from chizai.review.engine.extract import extract_text
from chizai.review.engine.ocr_testing import char_accuracy, noto_cjk_font, render_pages, to_pdf

DEV = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "review-dev"
DEFAULT = [
    "ja-nda-01.txt",
    "ja-proto-01.txt",
    "ja-mfg-01.txt",
    "ja-jrd-01.txt",
    "ja-lic-01.txt",
    "en-mfg-02.txt",
    "en-lic-01.txt",
    "en-nda-01.txt",
    "en-jrd-01.txt",
    "en-dev-01.txt",
]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(names: list[str], dump: Path | None = None) -> dict:
    font = noto_cjk_font()
    if font is None or ocr.missing():
        return {"skipped": ocr.missing() or "fonts-noto-cjk is not installed"}
    per_page: list[float] = []
    rows = []
    for name in names:
        source = (DEV / name).read_text(encoding="utf-8")
        pdf = to_pdf(render_pages(source, font))
        stamps: list[float] = [_cpu()]
        wall = time.perf_counter()
        with ocr.reporting(lambda page, pages, stamps=stamps: stamps.append(_cpu())):
            ex = extract_text(pdf, name.replace(".txt", ".pdf"))
        wall = time.perf_counter() - wall
        if dump is not None:  # the OCR'd text, to compare with the source when a finding is lost
            dump.mkdir(parents=True, exist_ok=True)
            (dump / name).write_text(ex.text, encoding="utf-8")
        per_page += [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
        expected = {f.rule_id for f in review_document(load_document(source, "source.txt")).findings}
        found = {f.rule_id for f in review_document(load_document(ex.text, "scan.txt")).findings}
        rows.append(
            {
                "contract": name,
                "pages": ex.pages,
                "wall_seconds": round(wall, 1),
                "char_accuracy": round(char_accuracy(source, ex.text), 4),
                "confidence": [p.confidence for p in ex.ocr.pages],
                "findings_source": len(expected),
                "findings_found_again": len(expected & found),
                "findings_extra": sorted(found - expected),
                "findings_missed": sorted(expected - found),
            }
        )

    def lang(prefix: str, key: str) -> float | None:
        vals = [r[key] for r in rows if r["contract"].startswith(prefix)]
        return round(statistics.fmean(vals), 4) if vals else None

    agree = {
        p: round(
            sum(r["findings_found_again"] for r in rows if r["contract"].startswith(p))
            / max(1, sum(r["findings_source"] for r in rows if r["contract"].startswith(p))),
            3,
        )
        for p in ("ja", "en")
    }
    return {
        "engine": (
            "tesseract (direct, TSV), 300 dpi colour, seal lifted (brightest channel, pale grey to paper), "
            "OSD for orientation, projection-profile deskew, two-column pages cut at the gutter, "
            "jpn+eng (eng alone on Latin pages; jpn+jpn_vert again on a Japanese page read below 75)"
        ),
        "pages": len(per_page),
        "cpu_seconds_per_page_median": round(statistics.median(per_page), 2) if per_page else None,
        "char_accuracy": {"ja": lang("ja", "char_accuracy"), "en": lang("en", "char_accuracy")},
        "findings_agreement": agree,
        "contracts": rows,
    }


if __name__ == "__main__":
    args = sys.argv[1:]
    out = None
    if args[:1] == ["--dump"]:
        out, args = Path(args[1]), args[2:]
    print(json.dumps(main(args or DEFAULT, out), ensure_ascii=False, indent=1))
