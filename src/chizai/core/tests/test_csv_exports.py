"""R6: one helper makes every exported cell safe; every CSV writer in the product uses it."""

import csv
import io
import re
from pathlib import Path

from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from chizai.core import exports, services
from chizai.core.tests.factories import MembershipFactory, UserFactory

SRC = Path(__file__).resolve().parents[2]


@given(st.text())
def test_no_cell_starts_a_formula_or_holds_a_character_xml_refuses(text):
    value = exports.cell(text)
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", value)
    if value.startswith(exports.FORMULA_STARTS):
        assert re.fullmatch(r"[+-][\d.,eE+-]+", value), value  # only plain numbers keep their sign


def test_cells_of_the_owasp_list_get_an_apostrophe():
    for text in ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]:
        assert exports.cell(text) == "'" + text
    assert exports.cell("-5") == "-5" and exports.cell(7) == 7 and exports.cell("特許") == "特許"


def test_every_csv_writer_in_the_product_is_the_safe_one():
    offenders = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if "tests" not in p.parts and p.name != "exports.py" and "csv.writer(" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_audit_csv_neutralises_a_username_that_looks_like_a_formula(org):
    owner = MembershipFactory(organization=org, role="owner", user=UserFactory(username="@cmd")).user
    services.update_organization(owner, org, industry="金型")
    client = Client()
    client.force_login(owner)
    body = b"".join(client.get(f"/o/{org.slug}/audit.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows and all(r["actor"] in ("'@cmd", "") for r in rows)
