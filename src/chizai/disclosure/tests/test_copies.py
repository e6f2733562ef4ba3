"""Hand-over copies: stamp on every page, fingerprint that survives re-saving, trace, zips, bad input."""

import io
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader, PdfWriter

from chizai.core.models import AuditEvent
from chizai.core.services import ChizaiError
from chizai.disclosure import copies as handover, services, watermark
from chizai.disclosure.models import HandoverCopy
from chizai.disclosure.tests.conftest import disclose, make_asset, make_version, pdf_bytes


@pytest.fixture
def copies(org, owner, partner, nda, today):
    asset = make_asset(owner, org)
    version = make_version(owner, org, asset, pdf_bytes(pages=4))
    d = disclose(
        owner, org, partner, version, recipients=["田中 一郎", {"name": "Jane Smith", "email": "j@example.com"}]
    )
    return d, handover.make_copies(owner, org, d.pk)


def _resave_pypdf(data: bytes) -> bytes:
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(data)).pages:
        writer.add_page(page)  # metadata is not carried over
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _resave_pikepdf(data: bytes) -> bytes:
    pdf = pikepdf.open(io.BytesIO(data))
    for key in list(pdf.docinfo.keys()):
        del pdf.docinfo[key]
    out = io.BytesIO()
    pdf.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate, linearize=True)
    return out.getvalue()


def test_one_copy_per_recipient_with_hash_and_audit(org, owner, copies):
    d, made = copies
    assert len(made) == 2 and {c.recipient.name for c in made} == {"田中 一郎", "Jane Smith"}
    assert len({c.fingerprint for c in made}) == 2 and len({c.sha256 for c in made}) == 2
    assert AuditEvent.objects.filter(action="disclosure.copy.create").count() == 2
    assert handover.make_copies(owner, org, d.pk) == []  # kept, not made twice


def test_every_page_is_stamped_with_recipient_partner_date_and_reference(org, owner, copies):
    d, made = copies
    copy = next(c for c in made if c.recipient.name == "田中 一郎")
    _c, data = handover.download_copy(owner, org, copy.pk)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 4 == copy.pages
    for page in reader.pages:
        text = page.extract_text()
        for expected in (
            "秘",
            "CONFIDENTIAL",
            "田中 一郎",
            "トヨ部品株式会社",
            d.disclosed_on.isoformat(),
            d.reference,
        ):
            assert expected in text, expected
    embedded = []
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        for part in [font] + [f.get_object() for f in font.get("/DescendantFonts", [])]:
            descriptor = part.get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                embedded.append(str(part["/BaseFont"]))
    assert any("IPAexGothic" in name for name in embedded), embedded


@pytest.mark.parametrize("resave", [_resave_pypdf, _resave_pikepdf])
def test_fingerprint_traced_from_a_resaved_copy(org, owner, copies, resave):
    d, made = copies
    copy = next(c for c in made if c.recipient.name == "Jane Smith")
    _c, data = handover.download_copy(owner, org, copy.pk)
    resaved = resave(data)
    assert resaved != data and b"ChizaiFingerprint" not in resaved
    result = handover.trace(resaved)
    assert result["status"] == "ours" and result["copy"].pk == copy.pk
    assert "Jane Smith" in handover.trace_message(result) and d.reference in handover.trace_message(result)


def test_mark_pattern_alone_names_the_copy(org, owner, copies):
    _d, made = copies
    _c, data = handover.download_copy(owner, org, made[0].pk)
    page = PdfReader(io.BytesIO(_resave_pikepdf(data))).pages[2]
    assert watermark._pattern_tokens(page) == [made[0].fingerprint]


def test_exact_copy_is_found_by_hash(org, owner, copies):
    _d, made = copies
    _c, data = handover.download_copy(owner, org, made[0].pk)
    result = handover.trace(data)
    assert result["status"] == "ours" and result["method"].startswith("exact")


def test_unrelated_and_damaged_files_get_a_clear_answer(copies):
    result = handover.trace(pdf_bytes(1, "someone else's"))
    assert result["status"] == "not_ours" and "not one of our" in handover.trace_message(result)
    damaged = handover.trace(b"%PDF-1.4\n garbage \x00\x01 not a pdf")
    assert damaged["status"] == "damaged" and "cannot be read" in handover.trace_message(damaged)


def test_non_pdf_is_zipped_with_a_manifest_and_traced(org, owner, partner, nda):
    import json
    import zipfile

    asset = make_asset(owner, org, kind="cad", title="金型CAD")
    version = make_version(owner, org, asset, b"solid cad-model\nendsolid\n", name="mould.stl")
    d = disclose(owner, org, partner, version)
    (copy,) = handover.make_copies(owner, org, d.pk)
    assert copy.kind == "zip"
    _c, data = handover.download_copy(owner, org, copy.pk)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        manifest = json.loads(z.read(watermark.MANIFEST))
        assert z.read("mould.stl") == b"solid cad-model\nendsolid\n"
    assert manifest["recipient"] == "田中 一郎" and manifest["sha256"] == version.sha256
    assert handover.trace(data)["copy"].pk == copy.pk


def test_no_copies_for_a_refused_disclosure(org, owner, partner, drawing):
    d = disclose(owner, org, partner, drawing[1])
    assert d.status == "refused"
    with pytest.raises(ChizaiError):
        handover.make_copies(owner, org, d.pk)
    assert not HandoverCopy.objects.exists()


def test_tampered_stored_copy_is_refused(org, owner, copies):
    from django.core.files.storage import default_storage

    _d, made = copies
    path = default_storage.path(made[0].storage_name)
    raw = bytearray(Path(path).read_bytes())
    raw[-5] ^= 0x01
    Path(path).write_bytes(bytes(raw))
    with pytest.raises(ChizaiError, match="cannot be served"):
        handover.download_copy(owner, org, made[0].pk)


def test_copy_with_text_mark_scrubbed_is_still_traced_by_the_pattern(org, owner, copies):
    """Someone removes the metadata and the invisible text: the mark row still names the copy."""
    _d, made = copies
    _c, data = handover.download_copy(owner, org, made[1].pk)
    pdf = pikepdf.open(io.BytesIO(data))
    for key in list(pdf.docinfo.keys()):
        del pdf.docinfo[key]
    for page in pdf.pages:
        page.contents_coalesce()
        raw = page.Contents.read_bytes()
        assert b"(CHZFP\\072" in raw  # pypdf writes the colon as an octal escape
        page.Contents.write(raw.replace(b"(CHZFP\\072", b"(XXXXX\\072"))
    out = io.BytesIO()
    pdf.save(out)
    scrubbed = out.getvalue()
    assert b"CHZFP\\072" not in scrubbed and b"CHZFP:" not in scrubbed
    found = watermark.read_fingerprints(scrubbed)
    assert found.tokens == [made[1].fingerprint] and found.methods == ["mark pattern"]
    assert handover.trace(scrubbed)["copy"].pk == made[1].pk


def test_secret_material_stays_with_those_who_may_see_it(client, org, owner, members, partner, nda):
    from django.http import Http404

    asset = make_asset(owner, org, classification="secret", title="極秘の金型図面")
    version = make_version(owner, org, asset)
    d = disclose(owner, org, partner, version)
    d = services.confirm_second(members["manager"], org, d.pk)
    assert d.status == "disclosed"
    with pytest.raises(ChizaiError, match="may not download"):
        handover.make_copies(members["engineer"], org, d.pk)
    (copy,) = handover.make_copies(owner, org, d.pk)
    with pytest.raises(Http404):
        handover.download_copy(members["engineer"], org, copy.pk)
    client.force_login(members["engineer"])
    page = client.get(f"/o/{org.slug}/disclosure/{d.pk}/").content.decode()
    assert "極秘の金型図面" not in page and version.sha256 in page
    body = services.dossier(members["manager"], org, partner.pk, "csv")[0].decode("utf-8-sig")
    assert "極秘の金型図面" not in body and f"[secret asset #{asset.pk}]" in body
    assert "極秘の金型図面" in services.dossier(owner, org, partner.pk, "csv")[0].decode("utf-8-sig")
