"""R6: the partner dossier CSV keeps hostile text as text (no formula runs when opened in Excel)."""

import csv
import io

import pytest

from chizai.core.tests.test_inputs_shared import stored_control
from chizai.disclosure import services
from chizai.disclosure.models import Disclosure
from chizai.disclosure.tests.conftest import disclose

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+SUM(1,2)", "-2+3", "@SUM(1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_dossier_csv_cells_never_start_a_formula(org, owner, partner, text):
    disclose(
        owner,
        org,
        partner,
        descriptions=[text.strip() or text],
        purpose=text,
        recipients=[text.strip() or "x"],
        minutes="m",
    )
    body = services.dossier(owner, org, partner.pk, "csv")[0].decode("utf-8-sig")
    table = body.partition("\r\n\r\n")[0]
    row = list(csv.DictReader(io.StringIO(table)))[0]
    assert row["purpose"] == "'" + text
    for value in list(row.values()):
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_a_plain_negative_number_stays_a_number(org, owner, partner):
    disclose(owner, org, partner, descriptions=["x"], purpose="-12.5", minutes="m")
    body = services.dossier(owner, org, partner.pk, "csv")[0].decode("utf-8-sig")
    row = list(csv.DictReader(io.StringIO(body.partition("\r\n\r\n")[0])))[0]
    assert row["purpose"] == "-12.5"


def test_old_rows_with_a_nul_do_not_break_the_dossier(org, owner, partner):
    d = disclose(owner, org, partner, descriptions=["x"], purpose="ok", minutes="m")
    Disclosure.objects.filter(pk=d.pk).update(
        purpose=f"bad{stored_control()}purpose"
    )  # stored before input was checked
    body = services.dossier(owner, org, partner.pk, "csv")[0].decode("utf-8-sig")
    assert "badpurpose" in body and stored_control() not in body
    assert services.dossier(owner, org, partner.pk, "pdf")[0].startswith(b"%PDF")
