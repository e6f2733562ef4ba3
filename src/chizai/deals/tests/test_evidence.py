"""Ledger evidence files: sealed at rest, served only to people the register lets download
the linked asset's files, every download audited, the register's size limit on upload."""

import os
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from typer.testing import CliRunner

from chizai import cli
from chizai.core.models import AuditEvent
from chizai.core.services import ChizaiError
from chizai.core.tests.factories import EngagementFactory, UserFactory
from chizai.deals import ledger
from chizai.deals.models import ContributionEntry
from chizai.register import crypto, keys
from chizai.register import services as register

MARKER = b"EVIDENCE-MARKER-7f3a9c load,cycles 5kN,1200"


@pytest.fixture
def people(members, org):
    adviser = UserFactory(username="adviser1")
    EngagementFactory(organization=org, adviser=adviser, granted_by=members["owner"])
    return {**members, "adviser": adviser}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ledger(org, deal) -> str:
    return f"/o/{org.slug}/deals/{deal.pk}/ledger/"


def _post_entry(client, org, deal, data: bytes = MARKER, name: str = "run-3.csv", **extra):
    fields = {
        "party": "ours",
        "kind": "experiments",
        "made_on": "2026-06-01",
        "description": "第3回荷重試験",
        "value": "5000",
        "evidence_file": SimpleUploadedFile(name, data),
        **extra,
    }
    return client.post(_ledger(org, deal), fields)


def _stored_bytes(settings) -> dict[Path, bytes]:
    root = Path(settings.MEDIA_ROOT)
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} if root.exists() else {}


def _download(client, org, deal, entry):
    response = client.get(f"{_ledger(org, deal)}{entry.pk}/evidence/")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


@pytest.fixture
def secret_entry(org, deal, owner):
    """Evidence uploaded by the owner on an entry linked to a 極秘 asset."""
    secret = register.create_asset(owner, org, title_ja="極秘の配合比率", classification="secret")
    response = _post_entry(_client(owner), org, deal, evidence_asset=secret.pk)
    assert response.status_code == 302, response.content.decode()[:500]
    return deal.contributions.get(), secret


@pytest.mark.parametrize("role", ["viewer", "engineer", "manager", "adviser"])
def test_evidence_of_a_secret_asset_is_invisible_to_roles_not_named_on_it(role, people, org, deal, secret_entry):
    entry, _secret = secret_entry
    response, body = _download(_client(people[role]), org, deal, entry)
    assert response.status_code == 404 and MARKER not in body
    assert not AuditEvent.objects.filter(action="deals.evidence.download").exists()
    page = _client(people[role]).get(_ledger(org, deal)).content.decode()
    assert f"{entry.pk}/evidence/" not in page and "run-3.csv" not in page


def test_the_owner_downloads_secret_evidence_and_the_download_is_audited(people, org, deal, owner, secret_entry):
    entry, secret = secret_entry
    response, body = _download(_client(owner), org, deal, entry)
    assert response.status_code == 200 and body == MARKER
    assert "attachment" in response["Content-Disposition"] and "run-3.csv" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(action="deals.evidence.download")
    assert (event.actor_id, event.object_id, event.organization_id) == (owner.pk, str(entry.pk), org.pk)
    assert event.changes["after"]["asset"] == secret.pk


def test_a_person_named_on_the_secret_asset_may_download_its_evidence(people, org, deal, owner, secret_entry):
    entry, secret = secret_entry
    engineer = people["engineer"]
    register.grant(owner, org, secret.pk, engineer)
    response, body = _download(_client(engineer), org, deal, entry)
    assert response.status_code == 200 and body == MARKER
    assert AuditEvent.objects.filter(action="deals.evidence.download", actor_id=engineer.pk).count() == 1


def test_reclassifying_the_linked_asset_later_closes_its_evidence(people, org, deal, owner):
    asset = register.create_asset(owner, org, title_ja="試験データ", classification="internal")
    _post_entry(_client(owner), org, deal, evidence_asset=asset.pk)
    entry = deal.contributions.get()
    manager = _client(people["manager"])
    assert _download(manager, org, deal, entry)[0].status_code == 200
    register.reclassify(owner, org, [asset.pk], "secret")
    assert _download(manager, org, deal, entry)[0].status_code == 404


def test_evidence_without_an_asset_follows_the_deal_and_every_download_is_audited(people, org, deal, owner):
    _post_entry(_client(owner), org, deal)
    entry = deal.contributions.get()
    for role in ("viewer", "adviser"):
        response, body = _download(_client(people[role]), org, deal, entry)
        assert response.status_code == 200 and body == MARKER
    assert AuditEvent.objects.filter(action="deals.evidence.download").count() == 2


def test_no_plaintext_of_the_evidence_is_stored(settings, org, deal, owner):
    assert _post_entry(_client(owner), org, deal).status_code == 302
    stored = _stored_bytes(settings)
    assert stored, "the evidence was stored somewhere"
    assert not any(MARKER in data or b"EVIDENCE-MARKER" in data for data in stored.values())
    assert all(path.suffix == ".enc" for path in stored)
    entry = deal.contributions.get()
    assert _download(_client(owner), org, deal, entry)[1] == MARKER


def test_oversize_evidence_is_refused_with_a_clear_message_and_nothing_is_lost(settings, org, deal, owner):
    settings.CHIZAI_REGISTER_MAX_UPLOAD_BYTES = 1000
    client = _client(owner)
    client.cookies["django_language"] = "en"
    response = _post_entry(client, org, deal, data=b"x" * 1001)
    assert response.status_code == 400
    page = response.content.decode()
    assert "larger than the limit" in page and "第3回荷重試験" in page  # the rest of the form is kept
    assert not ContributionEntry.objects.exists()
    assert not _stored_bytes(settings)
    assert _post_entry(_client(owner), org, deal, data=b"x" * 1000).status_code == 302


def test_oversize_message_in_japanese(settings, org, deal, owner):
    settings.CHIZAI_REGISTER_MAX_UPLOAD_BYTES = 1000
    client = _client(owner)
    client.cookies["django_language"] = "ja"
    response = _post_entry(client, org, deal, data=b"x" * 2000)
    assert response.status_code == 400 and "上限" in response.content.decode()


def test_removing_an_entry_removes_its_stored_evidence(settings, org, deal, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _post_entry(_client(owner), org, deal)
    assert _stored_bytes(settings)
    entry = deal.contributions.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert _client(owner).post(f"{_ledger(org, deal)}{entry.pk}/delete/").status_code == 302
    assert not _stored_bytes(settings)


def test_tampered_evidence_is_refused_not_served(settings, org, deal, owner):
    _post_entry(_client(owner), org, deal)
    entry = deal.contributions.get()
    (path,) = _stored_bytes(settings)
    data = bytearray(path.read_bytes())
    data[-5] ^= 0x01
    path.write_bytes(bytes(data))
    response, body = _download(_client(owner), org, deal, entry)
    assert response.status_code == 409 and MARKER not in body and b"altered" in body
    assert not AuditEvent.objects.filter(action="deals.evidence.download").exists()


def test_stored_evidence_is_not_readable_by_others(settings, org, deal, owner):
    if os.name != "posix":
        pytest.skip("file modes are POSIX")
    _post_entry(_client(owner), org, deal)
    (path,) = _stored_bytes(settings)
    assert path.stat().st_mode & 0o077 == 0


def _evidence_entry(org, deal, owner) -> ContributionEntry:
    _post_entry(_client(owner), org, deal)
    return deal.contributions.get()


def test_rotating_the_organisation_key_rewraps_evidence_without_touching_the_file(settings, org, deal, owner):
    entry = _evidence_entry(org, deal, owner)
    files = _stored_bytes(settings)
    new, counts = register.rotate_org_key(owner, org)
    entry.refresh_from_db()
    assert counts["deals.ContributionEntry"] == 1 and entry.evidence_key_id == new.kid
    assert _stored_bytes(settings) == files
    assert _download(_client(owner), org, deal, entry)[1] == MARKER


def test_chizai_rewrap_keys_moves_legacy_evidence_keys_onto_the_organisation_key(settings, org, deal, owner):
    entry = _evidence_entry(org, deal, owner)
    # The layout before organisation keys: the data key wrapped by the master key itself.
    master_kid, master = crypto.current_key()
    data_key = keys.open_data_key(entry.evidence_wrapped_key, entry.evidence_key_id, org)
    ContributionEntry.objects.filter(pk=entry.pk).update(
        evidence_key_id=master_kid, evidence_wrapped_key=crypto.wrap(data_key, master_kid, master)
    )
    result = CliRunner().invoke(cli.app, ["rewrap-keys"])
    assert result.exit_code == 0, result.output
    assert "moved 1 data key(s)" in result.output
    entry.refresh_from_db()
    assert entry.evidence_key_id == keys.active_key(org).kid
    assert _download(_client(owner), org, deal, entry)[1] == MARKER


def test_an_asset_guarding_an_evidence_file_cannot_be_deleted_from_under_it(people, org, deal, owner, secret_entry):
    entry, secret = secret_entry
    with translation.override("en"), pytest.raises(ChizaiError, match="still used by contribution entries"):
        register.delete_asset(owner, org, secret.pk)
    assert _download(_client(people["manager"]), org, deal, entry)[0].status_code == 404
    plain = register.create_asset(owner, org, title_ja="台帳の参照だけ", classification="secret")
    ledger.add_contribution(
        owner,
        deal,
        party="ours",
        kind="ideas",
        made_on=date(2026, 1, 1),
        description="着想",
        value=1,
        evidence_asset=plain,
    )
    register.delete_asset(owner, org, plain.pk)  # no file to guard: the entry only loses the link
    assert deal.contributions.get(description="着想").evidence_asset_id is None
