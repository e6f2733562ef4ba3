"""Envelope keys: data key → organisation key → master key, for every kind of sealed file.

The kinds (register versions, clips and their posters, review sources, agreement files, hand-over copies, deal evidence) are
made through their own services, so a kind that stops using the organisation key shows here.
"""

import base64
import io
import os
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from typer.testing import CliRunner

from chizai import cli
from chizai.core.models import AuditEvent
from chizai.core.services import ChizaiError
from chizai.deals import services as deals
from chizai.deals.models import ContributionEntry
from chizai.disclosure import copies as handover, services as disclosure
from chizai.disclosure.tests.conftest import disclose, pdf_bytes
from chizai.register import clips, crypto, keys, keywrap, services
from chizai.register.models import FileVersion, OrganizationKey
from chizai.register.sealed import open_sealed
from chizai.register.tests import clipdata
from chizai.review import services as review_services
from chizai.review.models import ContractReview
from chizai.review.tests.test_review_web import NDA_JA, fake_evaluate

NEW_MASTER = base64.b64encode(b"n" * 32).decode()


@pytest.fixture(autouse=True)
def _fake_engine(monkeypatch):
    monkeypatch.setattr("chizai.review.engine.pipeline.rules_evaluator", lambda: fake_evaluate)


def _upload(owner, org, data=b"register file", title="図面"):
    asset = services.create_asset(owner, org, title_ja=title, classification="confidential")
    return services.upload_version(owner, org, asset.pk, io.BytesIO(data), name="a.pdf")


def _all_kinds(owner, org):
    """One sealed file of each kind; returns a function that reads them all back."""
    version = _upload(owner, org, pdf_bytes(pages=1))
    review = review_services.submit_review(owner, org, filename="nda.txt", data=NDA_JA.encode())
    partner = disclosure.create_partner(owner, org, name_ja="トヨ部品株式会社", kind="tier1")
    today = timezone.localdate()
    nda, _ = disclosure.create_agreement(
        owner,
        org,
        partner.pk,
        title="NDA",
        type="NDA",
        direction="mutual",
        status="signed",
        signed_on=today - timedelta(days=30),
        effective_on=today - timedelta(days=30),
        expires_on=today + timedelta(days=365),
        purpose_stages=["quotation"],
    )
    disclosure.attach_file(owner, org, nda.pk, filename="nda.txt", data=b"signed agreement", review=False)
    (copy,) = handover.make_copies(owner, org, disclose(owner, org, partner, version).pk)
    deal = deals.create_deal(owner, org, partner=partner, title="共同開発")
    entry = deals.add_contribution(
        owner,
        deal,
        party="ours",
        kind="experiments",
        made_on=today,
        description="試験",
        value=1,
        evidence_file=io.BytesIO(b"deal evidence"),
    )

    clip = clips.upload_clip(owner, org, version.file.asset_id, io.BytesIO(clipdata.mp4(5000)), name="c.mp4")
    clips.set_poster(owner, org, clip.pk, io.BytesIO(clipdata.JPEG))

    def read() -> dict:
        review.refresh_from_db()
        return {
            "register.FileVersion": b"".join(services.download(owner, org, version.pk)[1]),
            "register.AssetClip": b"".join(clips.read_range(clip, 0, clip.size - 1)),
            "register.ClipPoster": clips.poster_bytes(owner, org, clip.pk)[1],
            "review.ContractReview": open_sealed(
                review.source_storage_name,
                review.source_wrapped_key,
                review.source_key_id,
                review.source_sha256,
                review.organization_id,
            ),
            "disclosure.Agreement": disclosure.agreement_file(owner, org, nda.pk)[1],
            "disclosure.HandoverCopy": handover.download_copy(owner, org, copy.pk)[1],
            "deals.ContributionEntry": b"".join(
                deals.download_evidence(owner, ContributionEntry.objects.get(pk=entry.pk))
            ),
        }

    return read


def _key_columns(org) -> dict:
    """(label, pk) → (key id, wrapped key) of every sealed row of ``org``."""
    found = {}
    for label, kid_field, wrapped_field in keys.SEALED:
        rows = apps.get_model(label).objects.filter(organization=org).exclude(**{kid_field: ""})
        for pk, kid, wrapped in rows.values_list("pk", kid_field, wrapped_field):
            found[(label, pk)] = (kid, wrapped)
    return found


def _stored_files(storage_dir) -> dict:
    return {p: p.read_bytes() for p in Path(storage_dir).rglob("*") if p.is_file()}


def _rotate_master(monkeypatch):
    monkeypatch.setenv("CHIZAI_MASTER_KEYS_OLD", os.environ["CHIZAI_MASTER_KEY"])
    monkeypatch.setenv("CHIZAI_MASTER_KEY", NEW_MASTER)


def _make_legacy(org):
    """Turn every sealed row of ``org`` into the old layout: data key under the master key directly."""
    master_kid, master = crypto.current_key()
    for label, kid_field, wrapped_field in keys.SEALED:
        model = apps.get_model(label)
        for pk, kid, wrapped in (
            model.objects.filter(organization=org)
            .exclude(**{kid_field: ""})
            .values_list("pk", kid_field, wrapped_field)
        ):
            data_key = keys.open_data_key(wrapped, kid, org)
            model.objects.filter(pk=pk).update(
                **{kid_field: master_kid, wrapped_field: crypto.wrap(data_key, master_kid, master)}
            )


def test_each_organisation_gets_its_own_key_on_first_encryption(org, other_org, owner):
    from chizai.core.tests.factories import MembershipFactory

    assert not OrganizationKey.objects.exists()
    MembershipFactory(organization=other_org, user=owner, role="owner")
    mine, theirs = _upload(owner, org), _upload(owner, other_org)
    _upload(owner, org, b"second file")
    assert OrganizationKey.objects.count() == 2
    key_a, key_b = keys.active_key(org), keys.active_key(other_org)
    assert (mine.key_id, theirs.key_id) == (key_a.kid, key_b.kid) and key_a.kid != key_b.kid
    assert key_a.kid.startswith("org-") and key_a.master_key_id == crypto.current_key()[0]
    assert keys._secret(key_a) != keys._secret(key_b)
    assert AuditEvent.objects.filter(action="register.orgkey.create").count() == 2


def test_a_second_creation_attempt_returns_the_active_key(org, owner, monkeypatch):
    first = keys.active_key(org)
    # As if another upload had created the key between our look-up and our insert.
    real, calls = keys._active, []

    def stale_then_real(org_id):
        calls.append(org_id)
        return None if len(calls) == 1 else real(org_id)

    monkeypatch.setattr(keys, "_active", stale_then_real)
    again = keys.active_key(org)
    assert again.pk == first.pk and OrganizationKey.objects.filter(organization=org).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_first_uploads_create_one_key(org):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL; the insert race is simulated on SQLite above")
    barrier = threading.Barrier(2)
    real_wrap = keywrap.wrap_org_key
    results, errors = [], []

    def wrap_after_both_looked(*args):
        barrier.wait(10)  # both have seen "no key yet" by now
        return real_wrap(*args)

    def work():
        from django.db import connection as conn

        try:
            results.append(keys.active_key(org.pk).kid)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            conn.close()

    crypto_patch = pytest.MonkeyPatch()
    crypto_patch.setattr(keywrap, "wrap_org_key", wrap_after_both_looked)
    try:
        threads = [threading.Thread(target=work) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        crypto_patch.undo()
    assert not errors and len(results) == 2 and results[0] == results[1]
    assert OrganizationKey.objects.filter(organization=org).count() == 1


def test_a_data_key_does_not_open_in_another_organisation(org, other_org, owner):
    version = _upload(owner, org, b"only for acme")
    with pytest.raises(crypto.KeyError_, match="unknown key id"):
        keys.open_data_key(version.wrapped_key, version.key_id, other_org)
    # Pointing the row at the other organisation's key does not help: the wrap is bound to both.
    other_kid = keys.active_key(other_org).kid
    with pytest.raises(crypto.KeyError_, match="cannot unwrap"):
        keys.open_data_key(version.wrapped_key, other_kid, other_org)
    # Nor does moving the organisation key row itself.
    OrganizationKey.objects.filter(organization=other_org).delete()
    OrganizationKey.objects.filter(kid=version.key_id).update(organization=other_org)
    with pytest.raises(crypto.KeyError_, match="moved to another organisation"):
        keys.open_data_key(version.wrapped_key, version.key_id, other_org)


def test_moved_row_is_refused_with_a_message(org, other_org, owner):
    version = _upload(owner, org)
    FileVersion.objects.filter(pk=version.pk).update(organization=other_org)
    version.refresh_from_db()
    with pytest.raises(ChizaiError, match="unknown key id"):
        services.open_verified(version)


def test_tampered_or_unknown_keys_are_refused_clearly(org, owner, monkeypatch):
    version = _upload(owner, org, b"abc")
    row = OrganizationKey.objects.get(kid=version.key_id)
    blob = bytearray(base64.b64decode(row.wrapped_key))
    blob[20] ^= 1
    OrganizationKey.objects.filter(pk=row.pk).update(wrapped_key=base64.b64encode(bytes(blob)).decode())
    with pytest.raises(ChizaiError, match="cannot unwrap organisation key"):
        services.download(owner, org, version.pk)
    OrganizationKey.objects.filter(pk=row.pk).update(wrapped_key=row.wrapped_key)
    FileVersion.objects.filter(pk=version.pk).update(wrapped_key=version.wrapped_key[:-4] + "AAA=")
    with pytest.raises(ChizaiError, match="cannot unwrap this file's key"):
        services.download(owner, org, version.pk)
    FileVersion.objects.filter(pk=version.pk).update(
        wrapped_key=version.wrapped_key, key_id="org-000000000000000000000000"
    )
    with pytest.raises(ChizaiError, match="unknown key id"):
        services.download(owner, org, version.pk)
    FileVersion.objects.filter(pk=version.pk).update(key_id=version.key_id)
    assert b"".join(services.download(owner, org, version.pk)[1]) == b"abc"
    # The in-process cache of organisation keys does not outlive the master key.
    monkeypatch.setenv("CHIZAI_MASTER_KEY", NEW_MASTER)
    with pytest.raises(ChizaiError, match="not configured"):
        services.download(owner, org, version.pk)


def test_master_rotation_rewraps_only_organisation_keys(org, owner, monkeypatch, storage_dir):
    read = _all_kinds(owner, org)
    plain, columns, files = read(), _key_columns(org), _stored_files(storage_dir)
    assert len(columns) == len(keys.SEALED) and {kid for kid, _w in columns.values()} == {keys.active_key(org).kid}
    before = OrganizationKey.objects.get(organization=org)
    _rotate_master(monkeypatch)
    done = services.rewrap_keys(owner)
    assert (done.org_keys, done.data_keys) == (1, 0)
    after = OrganizationKey.objects.get(organization=org)
    assert after.kid == before.kid and after.wrapped_key != before.wrapped_key
    assert after.master_key_id == crypto.current_key()[0] != before.master_key_id
    monkeypatch.delenv("CHIZAI_MASTER_KEYS_OLD")
    assert read() == plain
    assert _key_columns(org) == columns and _stored_files(storage_dir) == files
    assert AuditEvent.objects.filter(action="register.keys.rewrap").count() == 1
    assert services.rewrap_keys(owner).org_keys == 0  # nothing left to do


def test_legacy_master_wrapped_rows_still_read_and_get_migrated(org, owner, monkeypatch, storage_dir):
    read = _all_kinds(owner, org)
    plain, files = read(), _stored_files(storage_dir)
    _make_legacy(org)
    master_kid = crypto.current_key()[0]
    assert {kid for kid, _w in _key_columns(org).values()} == {master_kid}
    assert read() == plain
    _rotate_master(monkeypatch)
    done = services.rewrap_keys(owner)
    assert done.data_keys == len(keys.SEALED) and done.per_org[org.pk]["data_keys"] == {
        label: 1 for label, _k, _w in keys.SEALED
    }
    assert {kid for kid, _w in _key_columns(org).values()} == {keys.active_key(org).kid}
    monkeypatch.delenv("CHIZAI_MASTER_KEYS_OLD")
    assert read() == plain and _stored_files(storage_dir) == files


def test_rotating_an_organisation_key_rewraps_data_keys_only(org, other_org, owner, storage_dir):
    from chizai.core.tests.factories import MembershipFactory

    MembershipFactory(organization=other_org, user=owner, role="owner")
    read = _all_kinds(owner, org)
    theirs = _upload(owner, other_org)
    plain, columns, files = read(), _key_columns(org), _stored_files(storage_dir)
    old = keys.active_key(org)
    new, counts = services.rotate_org_key(owner, org)
    assert counts == {label: 1 for label, _k, _w in keys.SEALED}
    assert new.kid != old.kid and keys.active_key(org).pk == new.pk
    old.refresh_from_db()
    assert old.retired_at is not None
    rotated = _key_columns(org)
    assert rotated.keys() == columns.keys()
    assert all(kid == new.kid and wrapped != columns[pk][1] for pk, (kid, wrapped) in rotated.items())
    assert read() == plain and _stored_files(storage_dir) == files
    assert FileVersion.objects.get(pk=theirs.pk).key_id == keys.active_key(other_org).kid  # other org untouched
    event = AuditEvent.objects.get(action="register.orgkey.rotate")
    assert event.organization_id == org.pk and event.changes["after"]["rewrapped"]["register.FileVersion"] == 1


def test_a_row_sealed_under_a_retired_key_still_reads_and_rewrap_moves_it(org, owner):
    version = _upload(owner, org, b"late upload")
    old_kid, old_wrapped = version.key_id, version.wrapped_key
    new, _counts = keys.rotate_org_key(owner, org)
    # As if this upload had taken the old key just before the rotation committed.
    FileVersion.objects.filter(pk=version.pk).update(key_id=old_kid, wrapped_key=old_wrapped)
    assert b"".join(services.download(owner, org, version.pk)[1]) == b"late upload"
    assert services.rewrap_keys(owner).data_keys == 1
    assert FileVersion.objects.get(pk=version.pk).key_id == new.kid


def test_review_without_file_and_agreement_without_file_are_skipped(org, owner):
    review = review_services.submit_review(owner, org, text=NDA_JA, filename="nda.txt")
    assert ContractReview.objects.get(pk=review.pk).source_key_id == ""
    new, counts = keys.rotate_org_key(owner, org)
    # The one row re-wrapped is the organisation's text key (it seals the review's text).
    assert counts.pop("register.TextKey") == 1
    assert sum(counts.values()) == 0 and new.retired_at is None


def test_cli_rewrap_keys_exit_codes(org, owner, monkeypatch):
    version = _upload(owner, org)
    runner = CliRunner()
    result = runner.invoke(cli.app, ["rewrap-keys"])
    assert result.exit_code == 0, result.output
    assert "Re-wrapped 0 organisation key(s)" in result.output
    assert runner.invoke(cli.app, ["rewrap-keys", "--org", org.slug]).exit_code == 2
    assert runner.invoke(cli.app, ["rewrap-keys", "--rotate-org-keys", "--org", "nope"]).exit_code == 2
    result = runner.invoke(cli.app, ["rewrap-keys", "--rotate-org-keys", "--org", org.slug])
    assert result.exit_code == 0, result.output
    assert f"{org.slug}: new key org-" in result.output and "re-wrapped 1 data key(s)" in result.output
    assert FileVersion.objects.get(pk=version.pk).key_id == keys.active_key(org).kid != version.key_id
    result = runner.invoke(cli.app, ["rewrap-keys", "--rotate-org-keys"])
    assert result.exit_code == 0 and result.output.count(": new key org-") == 1
    # A new master key without the old one listed: refused, nothing changed.
    monkeypatch.setenv("CHIZAI_MASTER_KEY", NEW_MASTER)
    before = OrganizationKey.objects.get(organization=org, retired_at__isnull=True).wrapped_key
    result = runner.invoke(cli.app, ["rewrap-keys"])
    assert result.exit_code == 1 and "not configured" in result.output
    assert OrganizationKey.objects.get(organization=org, retired_at__isnull=True).wrapped_key == before
