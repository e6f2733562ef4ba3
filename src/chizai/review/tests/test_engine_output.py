"""Pipeline, renderers and CLI: the public surface of the reviewer."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chizai.review.engine import pipeline
from chizai.review.engine.document import ChecklistResult, Finding
from chizai.review.engine.messages import MESSAGES
from chizai.review.engine.pipeline import load_document, review_document, review_text

ENGINE_DIR = Path(__file__).resolve().parents[1] / "engine"
SRC = Path(__file__).resolve().parents[3]

JA = (
    "製造委託契約書\n\n東亜株式会社（以下「甲」という。）と株式会社ひかり（以下「乙」という。）は、次のとおり契約する。\n\n"
    "第1条（図面）\n乙は、甲に対し、金型図面を無償で提供する。<script>alert(1)</script>\n"
    "第2条（秘密保持）\n甲及び乙は、相手方の秘密情報を保持する。\n"
)
EN = (
    'SUPPLY AGREEMENT\n\nThis Agreement is made between Orion Corp. ("Buyer") and Sakai Co., Ltd. ("Supplier").\n\n'
    "1. Documentation\n1.1 Supplier shall provide to Buyer all process sheets at no additional cost.\n"
    "2. Confidentiality\n2.1 Each Party shall keep the other's information confidential.\n"
)

FINDING_KEYS = {
    "rule_id",
    "severity",
    "title",
    "clause",
    "span",
    "text",
    "reason",
    "basis",
    "balanced",
    "question",
    "quote",
    "quote_span",
    "parallel",
    "why",
}
REPORT_KEYS = {
    "file",
    "language",
    "contract_type",
    "sme_party",
    "findings",
    "checklist",
    "elapsed_ms",
    "detection",
    "languages",
    "reading",
}


def fake_rules(doc):
    """Stands in for the rules engine: one finding on the first sentence that mentions a drawing."""
    findings = []
    for s in doc.clause_segments():
        if s.kind == "sentence" and ("図面" in s.norm or "process sheets" in s.norm):
            findings.append(
                Finding(
                    rule_id="MFG-01",
                    severity="HIGH",
                    title="<b>図面</b> demanded",
                    reason="reason <i>",
                    basis=["SME-GL"],
                    balanced="pay for it",
                    question="why?",
                    clause=s.ref,
                    span=(s.start, s.end),
                    text=s.text,
                )
            )
    findings.append(Finding("A4", "LOW", "vague", "r", [], "b", "q"))
    findings.append(Finding("NDA-04", "MEDIUM", "no non-use", "r", ["OI-NDA"], "b", "q"))
    checklist = [
        ChecklistResult("NDA-C1", "目的 / purpose", "missing"),
        ChecklistResult("NDA-C2", "返還 / return", "present", "第2条"),
    ]
    return findings, checklist


@pytest.fixture
def with_fake_rules(monkeypatch):
    monkeypatch.setattr(pipeline, "rules_evaluator", lambda: fake_rules)


def test_report_fields_summary_and_disclaimer():
    r = review_text(JA, "c.txt", evaluate=fake_rules)
    assert r.language == "ja" and r.contract_type[0] == "MFG" and r.sme_party == "乙"
    assert [f.severity for f in r.findings] == ["HIGH", "MEDIUM", "LOW"]
    assert "指摘 3件" in r.summary and "高 1" in r.summary and "目的 / purpose" in r.summary
    assert "弁護士法第72条" in r.disclaimer and "弁理士" in r.disclaimer
    # the caveat is given in both languages, the document's first
    assert r.disclaimer.startswith("本レポート") and "not legal advice" in r.disclaimer
    r = review_text(EN, "c.txt", evaluate=fake_rules)
    assert "3 findings" in r.summary and "1 high" in r.summary
    assert "not legal advice" in r.disclaimer and "Art. 72" in r.disclaimer and "patent attorney" in r.disclaimer
    assert r.findings[0].text in r.document.text


def test_missing_rules_module_falls_back_to_empty(monkeypatch):
    monkeypatch.setitem(sys.modules, "chizai.review.engine.rules", None)
    r = review_document(load_document(EN, "c.txt"))
    assert r.findings == [] and r.checklist == []
    assert "rules engine is not installed" in r.summary


def test_messages_complete_in_both_languages():
    assert set(MESSAGES["ja"]) == set(MESSAGES["en"])
    assert all(v.strip() for lang in MESSAGES.values() for v in lang.values())


def test_json_schema_exact():
    from chizai.review.engine.render import render

    r = review_text(JA, "c.txt", evaluate=fake_rules)
    data = json.loads(render(r, "json"))
    assert set(data) == REPORT_KEYS
    assert data == json.loads(json.dumps(r.to_dict(), ensure_ascii=False))
    assert all(set(f) == FINDING_KEYS for f in data["findings"])
    assert all(set(c) == {"id", "item", "status", "clause"} for c in data["checklist"])
    s, e = data["findings"][0]["span"]
    assert r.document.text[s:e] == data["findings"][0]["text"]
    qs, qe = data["findings"][0]["quote_span"]
    assert qs <= s <= e <= qe and r.document.text[qs:qe] == data["findings"][0]["quote"]
    assert data["languages"] == ["ja"] and data["reading"] == []
    many = json.loads(render([r, r], "json"))
    assert isinstance(many, list) and len(many) == 2


def test_html_is_escaped_and_highlighted():
    from chizai.review.engine.render import render

    r = review_text(JA, "c.txt", evaluate=fake_rules)
    page = render(r, "html")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;図面&lt;/b&gt;" in page
    assert '<mark class="HIGH"' in page and r.disclaimer[:20] in page
    assert page.startswith("<!DOCTYPE html>") and "http" not in page.split("<body>")[0].replace("http-equiv", "")


def test_pdf_embeds_japanese_font():
    from pypdf import PdfReader

    from chizai.review.engine.render import FONT_NAME, render

    r = review_text(JA, "c.txt", evaluate=fake_rules)
    pdf = render([r], "pdf")
    assert pdf.startswith(b"%PDF")
    assert b"FontFile2" in pdf and FONT_NAME.encode() in pdf
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "契約書レビュー" in text.replace(" ", "")
    assert "弁護士" in text.replace(" ", "").replace("\n", "")


def test_text_render_plain_and_colour():
    from chizai.review.engine.render import render

    r = review_text(JA, "c.txt", evaluate=fake_rules)
    plain = render(r, "text")
    assert "\033[" not in plain and "MFG-01" in plain
    assert "\033[" in render(r, "text", color=True)


# ------------------------------------------------------------------ CLI


def test_cli_exit_codes(tmp_path, capsys, with_fake_rules):
    from chizai.review.engine.cli import run

    good = tmp_path / "c.txt"
    good.write_text(JA, encoding="utf-8")
    assert run([str(good)]) == 0
    assert "MFG-01" in capsys.readouterr().out
    bad = tmp_path / "x.xlsx"  # images are OCR'd now; a spreadsheet is still refused
    bad.write_bytes(b"PK\x03\x04....")
    assert run([str(good), str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "unsupported_type" in err and len(err.strip().splitlines()) == 1
    assert run([str(tmp_path / "missing.txt")]) == 2
    assert run([str(good)], fmt="xml") == 2
    de = tmp_path / "de.txt"
    de.write_text(
        "Der Lieferant verpflichtet sich, alle Informationen vertraulich zu behandeln. " * 3, encoding="utf-8"
    )
    assert run([str(de)]) == 2
    assert "unknown_language" in capsys.readouterr().err


def test_cli_json_list_and_atomic_out(tmp_path, capsys, with_fake_rules):
    from chizai.review.engine.cli import run

    a = tmp_path / "a.txt"
    a.write_text(JA, encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text(EN, encoding="utf-8")
    out = tmp_path / "report.json"
    assert run([str(a), str(b)], fmt="json", out=str(out)) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(data, list) and [d["language"] for d in data] == ["ja", "en"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".chizai-")] == []
    # a failing run leaves the previous report untouched and writes nothing half
    before = out.read_bytes()
    assert run([str(a), str(tmp_path / "nope.txt")], fmt="json", out=str(out)) == 2
    assert out.read_bytes() == before
    pdf_out = tmp_path / "r.pdf"
    assert run([str(a)], fmt="pdf", out=str(pdf_out)) == 0
    assert pdf_out.read_bytes().startswith(b"%PDF")
    html_out = tmp_path / "r.html"
    assert run([str(a)], fmt="html", out=str(html_out)) == 0
    assert run([str(a)], fmt="json", out=str(tmp_path / "no" / "dir" / "r.json")) == 2


def test_cli_write_failure_leaves_no_temp_file(tmp_path, monkeypatch):
    from chizai.review.engine import cli

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli.os, "replace", boom)
    with pytest.raises(OSError):
        cli._write_atomic(str(tmp_path / "r.txt"), "data")
    assert list(tmp_path.iterdir()) == []


def _clean_env():
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_engine_never_imports_django():
    modules = sorted(f"chizai.review.engine.{p.stem}" for p in ENGINE_DIR.glob("*.py") if p.stem != "__init__")
    code = (
        "import sys, importlib\n"
        f"mods = {modules!r}\n"
        "for m in mods:\n"
        "    try:\n"
        "        importlib.import_module(m)\n"
        "    except ImportError as e:\n"
        "        if 'django' in str(e).lower(): raise\n"
        "from chizai.review.engine.pipeline import load_document, review_document\n"
        "from chizai.review.engine.render import render\n"
        "d = load_document('第1条（目的）\\n乙は、甲に図面を提供する。', 'a.txt')\n"
        "r = review_document(d, evaluate=lambda doc: ([], []))\n"
        "render(r, 'html'); render([r], 'pdf')\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print('DJANGO', bad)\n"
        "assert not bad, bad\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_clean_env(), timeout=120)
    assert res.returncode == 0, res.stderr + res.stdout
    # and no source file under engine (ours or the others') names django in an import
    for p in ENGINE_DIR.rglob("*.py"):
        for line in p.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            assert not (stripped.startswith(("import django", "from django"))), f"{p}: {line}"


def test_python_m_cli_runs(tmp_path):
    f = tmp_path / "c.txt"
    f.write_text(EN, encoding="utf-8")
    out = tmp_path / "r.json"
    code = (
        "import sys\n"
        "from chizai.review.engine import pipeline\n"
        "pipeline.rules_evaluator = lambda: (lambda d: ([], []))\n"
        "from chizai.review.engine.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code, "--format", "json", "--out", str(out), str(f)],
        capture_output=True,
        text=True,
        env=_clean_env(),
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert json.loads(out.read_text())["sme_party"] == "Supplier"
    res = subprocess.run(
        [sys.executable, "-m", "chizai.review.engine.cli", str(tmp_path / "missing.txt")],
        capture_output=True,
        text=True,
        env=_clean_env(),
        timeout=120,
    )
    assert res.returncode == 2 and "missing.txt" in res.stderr
