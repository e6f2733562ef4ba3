"""Word out (issue 15): the commented DOCX of every review-dev contract opens in LibreOffice,
and chizai's own reader finds every finding's comment on its clause and the proposed wording
as tracked insertions in the SME's name."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from chizai.review.engine.cli import run
from chizai.review.engine.docx_out import balanced_text, comment_text, commented_docx
from chizai.review.engine.extract import extract_text
from chizai.review.engine.pipeline import review_document, load_document, review_file

DEV = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "review-dev"
AUTHOR = "Yamada Seisakusho"


def _contracts() -> list[Path]:
    if not DEV.is_dir():
        pytest.skip(f"the review-dev contracts are not here ({DEV})")
    files = sorted(p for p in DEV.iterdir() if p.suffix in (".txt", ".md") and p.name != "README.md")
    assert files, "review-dev holds no contracts"
    return files


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s or "")


def _check_read_back(report, data: bytes, lang: str) -> None:
    ex = extract_text(data, "commented.docx")
    comments = list(ex.comments)
    assert len(comments) == len(report.findings)
    for finding in report.findings:
        wanted = comment_text(finding, lang)
        needle = _squash(finding.text or "")[:12]
        match = next(
            (c for c in comments if c["text"] == wanted and (not needle or needle in _squash(c["anchor"]))), None
        )
        assert match is not None, (finding.rule_id, finding.clause, needle)
        assert match["author"] == AUTHOR
        comments.remove(match)
    inserted = {r["text"] for r in ex.revisions if r["kind"] == "inserted" and r["author"] == AUTHOR}
    assert inserted == {balanced_text(f, lang) for f in report.findings if balanced_text(f, lang)}
    assert not [r for r in ex.revisions if r["kind"] == "deleted"]


def test_every_review_dev_contract_round_trips_through_libreoffice(tmp_path: Path):
    files = _contracts()
    out = tmp_path / "docx"
    out.mkdir()
    for i, path in enumerate(files):
        lang = "ja" if i % 2 else "en"
        report = review_file(str(path))
        assert report.findings, path.name
        data = commented_docx(report, lang=lang, author=AUTHOR)
        _check_read_back(report, data, lang)
        (out / f"{path.stem}.docx").write_bytes(data)
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed; the comments were read back by chizai only")
    pdf = tmp_path / "pdf"
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf"]
        + ["--outdir", str(pdf)]
        + sorted(str(p) for p in out.iterdir()),
        capture_output=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for path in files:
        made = pdf / f"{path.stem}.pdf"
        assert made.is_file() and made.read_bytes().startswith(b"%PDF"), path.name


def test_a_docx_source_is_annotated_in_place_keeping_its_formatting():
    path = _contracts()[0]
    lines = path.read_text(encoding="utf-8").split("\n")
    source = docx.Document()
    for i, line in enumerate(lines):
        p = source.add_paragraph()
        p.add_run(line).bold = bool(i % 3 == 0 and line.strip())
    buf = io.BytesIO()
    source.save(buf)
    report = review_document(load_document(buf.getvalue(), "contract.docx"))
    data = commented_docx(report, source=buf.getvalue(), lang="ja", author=AUTHOR)
    _check_read_back(report, data, "ja")
    bold_before = [r.text for p in source.paragraphs for r in p.runs if r.bold]
    out = docx.Document(io.BytesIO(data))
    bold_after = [r.text for p in out.paragraphs for r in p.runs if r.bold]
    assert bold_before and bold_after == bold_before


def test_cli_writes_the_commented_docx(tmp_path: Path):
    path = _contracts()[-1]
    target = tmp_path / "out.docx"
    assert run([str(path)], fmt="json", out=str(tmp_path / "r.json"), docx_out=str(target), comment_lang="en") == 0
    ex = extract_text(target.read_bytes(), "out.docx")
    assert ex.comments and all(c["author"] == "chizai" for c in ex.comments)
    assert run([str(path)], docx_out=str(tmp_path / "x.docx"), comment_lang="fr") == 2
    assert not (tmp_path / "x.docx").exists()
