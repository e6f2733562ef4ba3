"""The partner dossier: complete, with hashes and the audit excerpt, byte-identical from the same data."""

import csv
import io

from pypdf import PdfReader

from chizai.core.models import AuditEvent
from chizai.disclosure import copies as handover, dossier, services
from chizai.disclosure.tests.conftest import disclose


def _world(org, owner, partner, drawing, today):
    ok = disclose(owner, org, partner, drawing[1], recipients=["田中 一郎", "鈴木 花子"])
    handover.make_copies(owner, org, ok.pk)
    services.record_return(owner, org, ok.pk, destroyed_on=today)
    refused = disclose(owner, org, partner, drawing[1], stage="mass_production")
    return ok, refused


def test_dossier_is_byte_identical_from_the_same_data(org, owner, partner, nda, drawing, today):
    ok, refused = _world(org, owner, partner, drawing, today)
    first_pdf, _t, _n = services.dossier(owner, org, partner.pk, "pdf")
    first_csv, _t, _n = services.dossier(owner, org, partner.pk, "csv")
    # the export itself is audited, yet does not change the next dossier
    assert AuditEvent.objects.filter(action="disclosure.dossier.export").count() == 2
    assert services.dossier(owner, org, partner.pk, "pdf")[0] == first_pdf
    assert services.dossier(owner, org, partner.pk, "csv")[0] == first_csv
    # new data gives a new dossier
    services.record_return(owner, org, ok.pk, certificate_received_on=today)
    assert services.dossier(owner, org, partner.pk, "csv")[0] != first_csv


def test_dossier_content(org, owner, partner, nda, drawing, today):
    ok, refused = _world(org, owner, partner, drawing, today)
    body = services.dossier(owner, org, partner.pk, "csv")[0].decode("utf-8-sig")
    table, _, audit_part = body.partition("\r\n\r\n")
    rows = list(csv.DictReader(io.StringIO(table)))
    assert [r["disclosure"] for r in rows] == [ok.reference, refused.reference]
    assert rows[0]["item_sha256"] == drawing[1].sha256 and rows[0]["recipients"] == "田中 一郎; 鈴木 花子"
    assert rows[0]["destroyed_on"] == today.isoformat() and rows[1]["status"] == "refused"
    copies = {c.sha256 for c in ok.copies.all()}
    assert len(copies) == 2 and all(h in rows[0]["copies"] for h in copies)
    assert "disclosure.gate.refused" in audit_part and "disclosure.copy.create" in audit_part
    for event in AuditEvent.objects.filter(action="disclosure.copy.create"):
        assert event.hash in audit_part
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(services.dossier(owner, org, partner.pk, "pdf")[0])).pages
    )
    assert ok.reference in text and drawing[1].sha256 in text and "トヨ部品株式会社" in text


def test_other_partners_are_not_in_the_dossier(org, owner, partner, nda, drawing, today):
    _world(org, owner, partner, drawing, today)
    other = services.create_partner(owner, org, name_ja="別商事株式会社")
    data = dossier.collect(org, other)
    assert data["disclosures"] == [] and data["copies"] == []
    assert all(e.object_id == str(other.pk) for e in data["events"])
