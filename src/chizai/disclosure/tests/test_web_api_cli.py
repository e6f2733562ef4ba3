"""Pages, API routes and the `chizai disclosure trace` command, as a person or script uses them."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chizai.core import services as core_services
from chizai.disclosure import copies as handover
from chizai.disclosure.models import Agreement, Disclosure, HandoverCopy
from chizai.disclosure.tests.conftest import disclose, pdf_bytes

NDA_TEXT = (Path(__file__).parent / "nda_ja.txt").read_bytes()


def test_agreement_upload_review_confirm_sign_through_pages(client, org, owner, partner, today):
    client.force_login(owner)
    base = f"/o/{org.slug}/disclosure"
    response = client.post(
        f"{base}/agreements/new/",
        {
            "partner": partner.pk,
            "title": "NDA 2026",
            "type": "NDA",
            "direction": "mutual",
            "status": "negotiating",
            "return_duty": "none",
            "file": SimpleUploadedFile("nda.txt", NDA_TEXT),
        },
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get(title="NDA 2026")
    page = client.get(response["Location"]).content.decode()
    assert "見積及び試作" in page and "役員" in page  # suggestions shown beside the form
    response = client.post(
        f"{base}/agreements/{agreement.pk}/confirm/",
        {
            "partner": partner.pk,
            "title": "NDA 2026",
            "type": "NDA",
            "direction": "outbound",
            "status": "negotiating",
            "purpose": "見積及び試作の検討",
            "purpose_stages": ["quotation", "prototype"],
            "return_duty": "return_or_destroy",
            "survival_months": 36,
        },
    )
    assert response.status_code == 302
    client.post(
        f"{base}/agreements/{agreement.pk}/sign/",
        {
            "signed_on": today.isoformat(),
            "effective_on": today.isoformat(),
            "expires_on": today.replace(year=today.year + 2).isoformat(),
        },
    )
    agreement.refresh_from_db()
    assert agreement.status == "signed" and agreement.confirmed_by == owner and agreement.direction == "outbound"
    bad = client.post(
        f"{base}/agreements/{agreement.pk}/sign/",
        {"signed_on": today.isoformat(), "effective_on": today.isoformat(), "expires_on": "2000-01-01"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "before it takes effect" in bad.content.decode()


def test_refusal_page_explains_in_the_reader_language(client, org, owner, partner, drawing):
    d = disclose(owner, org, partner, drawing[1])
    client.force_login(owner)
    ja = client.get(f"/o/{org.slug}/disclosure/{d.pk}/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "秘密保持契約がありません" in ja
    client.cookies.load({"django_language": "en"})
    en = client.get(f"/o/{org.slug}/disclosure/{d.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "There is no agreement with" in en


def test_disclose_and_download_copy_through_pages(client, org, owner, partner, nda, drawing, today):
    client.force_login(owner)
    base = f"/o/{org.slug}/disclosure"
    response = client.post(
        f"{base}/new/",
        {
            "partner": partner.pk,
            "stage": "quotation",
            "purpose": "見積",
            "method": "file",
            "disclosed_on": today.isoformat(),
            "versions": [str(drawing[1].pk)],
            "recipients": "田中 一郎, tanaka@example.com",
        },
    )
    assert response.status_code == 302
    d = Disclosure.objects.get()
    assert d.status == "disclosed"
    client.post(f"{base}/{d.pk}/copies/")
    copy = HandoverCopy.objects.get()
    response = client.get(f"{base}/copies/{copy.pk}/")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200 and body[:5] == b"%PDF-"
    traced = client.post(f"{base}/trace/", {"file": SimpleUploadedFile("found.pdf", body)}).content.decode()
    assert "田中 一郎" in traced and d.reference in traced


def test_viewer_cannot_disclose_or_export(client, org, members, partner):
    client.force_login(members["viewer"])
    assert client.get(f"/o/{org.slug}/disclosure/new/").status_code == 403
    assert client.get(f"/o/{org.slug}/disclosure/partners/{partner.pk}/dossier.csv").status_code == 403
    assert client.get(f"/o/{org.slug}/disclosure/").status_code == 200


def test_api_gate_refusal_and_override(client, org, owner, partner, drawing, today):
    _t, secret = core_services.create_api_token(owner, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_ACCEPT_LANGUAGE": "en"}
    url = f"/api/orgs/{org.slug}/disclosure/disclosures"
    response = client.post(
        url,
        {
            "partner": partner.pk,
            "stage": "quotation",
            "purpose": "見積",
            "disclosed_on": today.isoformat(),
            "versions": [drawing[1].pk],
            "recipients": ["田中"],
        },
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "refused" and data["gate"]["failures"][0]["code"] == "agreement_missing"
    response = client.post(
        f"{url}/{data['id']}/override", {"reason": "urgent, NDA on paper"}, content_type="application/json", **auth
    )
    assert response.json()["status"] == "disclosed"
    bad = client.post(
        f"/api/orgs/{org.slug}/disclosure/agreements",
        {"partner": partner.pk, "effective_on": "2026-05-01", "expires_on": "2026-04-01"},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 400 and "before it takes effect" in bad.json()["detail"]
    obligations = client.get(f"/api/orgs/{org.slug}/disclosure/obligations", **auth)
    assert obligations.status_code == 200


def test_cli_trace(org, owner, partner, nda, drawing, tmp_path, capsys):
    from chizai.cli import main

    d = disclose(owner, org, partner, drawing[1])
    (copy,) = handover.make_copies(owner, org, d.pk)
    _c, data = handover.download_copy(owner, org, copy.pk)
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(data)).pages:
        writer.add_page(page)
    resaved = tmp_path / "resaved.pdf"
    with open(resaved, "wb") as handle:
        writer.write(handle)
    for path, code, expected in [
        (resaved, 0, "田中 一郎"),
        (tmp_path / "other.pdf", 1, "not one of our"),
        (tmp_path / "broken.pdf", 2, "cannot be read"),
        (tmp_path / "missing.pdf", 2, "No such file"),
    ]:
        if path.name == "other.pdf":
            path.write_bytes(pdf_bytes(1))
        if path.name == "broken.pdf":
            path.write_bytes(b"%PDF-1.7\n\x00\x00 truncated")
        with pytest.raises(SystemExit) as exit_info:
            main(["disclosure", "trace", str(path)])
        assert exit_info.value.code == code
        out = capsys.readouterr()
        assert expected in out.out + out.err


def test_api_two_person_rule_returns_and_dossier(client, org, owner, members, partner, nda, today):
    from chizai.disclosure.tests.conftest import make_asset, make_version

    version = make_version(owner, org, make_asset(owner, org, classification="secret", title="極秘図面"))
    tokens = {}
    for role in ("owner", "manager"):
        _t, tokens[role] = core_services.create_api_token(members[role], name="t")
    auth = {r: {"HTTP_AUTHORIZATION": f"Bearer {t}", "HTTP_ACCEPT_LANGUAGE": "en"} for r, t in tokens.items()}
    url = f"/api/orgs/{org.slug}/disclosure/disclosures"
    created = client.post(
        url,
        {
            "partner": partner.pk,
            "stage": "quotation",
            "purpose": "見積",
            "disclosed_on": today.isoformat(),
            "versions": [version.pk],
            "recipients": ["田中"],
        },
        content_type="application/json",
        **auth["owner"],
    ).json()
    assert created["status"] == "pending"
    assert client.post(f"{url}/{created['id']}/second-person", **auth["owner"]).status_code == 400
    done = client.post(f"{url}/{created['id']}/second-person", **auth["manager"]).json()
    assert done["status"] == "disclosed"
    back = client.post(
        f"{url}/{created['id']}/return",
        {"returned_on": today.isoformat()},
        content_type="application/json",
        **auth["manager"],
    ).json()
    assert back["returned_on"] == today.isoformat()
    csv1 = client.get(f"/api/orgs/{org.slug}/disclosure/partners/{partner.pk}/dossier?fmt=csv", **auth["owner"])
    csv2 = client.get(f"/api/orgs/{org.slug}/disclosure/partners/{partner.pk}/dossier?fmt=csv", **auth["owner"])
    assert csv1.status_code == 200 and csv1.content == csv2.content and "極秘図面".encode() in csv1.content


def test_partner_edit_is_audited_and_refused_to_engineers(client, org, owner, members, partner):
    from chizai.core.models import AuditEvent

    client.force_login(members["engineer"])
    assert client.get(f"/o/{org.slug}/disclosure/partners/{partner.pk}/edit/").status_code == 403
    client.force_login(owner)
    response = client.post(
        f"/o/{org.slug}/disclosure/partners/{partner.pk}/edit/",
        {"name_ja": "トヨ部品株式会社", "name_en": "Toyo Parts Co.", "kind": "tier1", "country": "日本"},
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    event = AuditEvent.objects.get(action="disclosure.partner.update")
    assert partner.name_en == "Toyo Parts Co." and event.changes["before"]["name_en"] == "Toyo Parts"
