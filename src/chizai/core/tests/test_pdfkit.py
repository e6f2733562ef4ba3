"""One PDF toolkit (``chizai.pdfkit``) for every report: one font registration, no app
reaching into another app's folder for the font, no Django import (the engine uses it)."""

import re
import subprocess
import sys
from pathlib import Path

from chizai import pdfkit

PACKAGE = Path(pdfkit.__file__).resolve().parent


def test_the_font_is_registered_once_under_one_name():
    from reportlab.pdfbase import pdfmetrics

    assert pdfkit.FONT_FILE.is_file()
    assert pdfkit.japanese_font() == pdfkit.japanese_font() == "IPAexGothic"
    assert "IPAexGothic" in pdfmetrics.getRegisteredFontNames()
    assert pdfkit.styles()["base"].fontName == "IPAexGothic"


def test_no_other_module_registers_a_font_or_names_the_font_file():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.relative_to(PACKAGE).parts or path == Path(pdfkit.__file__).resolve():
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"registerFont\(|ipaexg\.ttf|TTFont\(", text):
            offenders.append(str(path.relative_to(PACKAGE)))
    assert not offenders, f"register fonts through chizai.pdfkit: {offenders}"


def test_the_toolkit_imports_neither_django_nor_reportlab_up_front():
    code = "import sys, chizai.pdfkit; print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'reportlab'}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_every_report_embeds_the_font():
    import io

    from reportlab.platypus import Paragraph

    buf = io.BytesIO()
    pdfkit.a4_document(buf, title="t").build([pdfkit.paragraph("知財 <b>&", pdfkit.styles()["h1"])])
    pdf = buf.getvalue()
    assert pdf.startswith(b"%PDF") and b"IPAexGothic" in pdf and b"FontFile2" in pdf
    assert isinstance(pdfkit.paragraph(None, pdfkit.styles()["base"]), Paragraph)
