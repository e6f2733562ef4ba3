"""Uploads racing on one organisation's evidence chain; a stored object outlives nothing it should."""

import io
import threading
from pathlib import Path

import pytest
from django.db import connection, transaction

from chizai.register import evidence, services
from chizai.register.models import FileVersion

UPLOADERS = 10
UPLOADS_EACH = 2


def _chain(org):
    return list(
        FileVersion.objects.filter(organization=org).values_list("chain_seq", "chain_prev", "chain_hash", "sha256")
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_to_one_organisation_extend_one_chain(org, owner):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL; SQLite admits one writer at a time")
    assets = [
        services.create_asset(owner, org, title_ja=f"資産 {i}", classification="internal") for i in range(UPLOADERS)
    ]
    real_link = evidence.chain_link

    def slow_link(*args):
        # Widen the window between reading the last link and writing the next one, so an
        # unserialised chain would collide on nearly every run, not on 1.6 % of uploads.
        threading.Event().wait(0.02)
        return real_link(*args)

    slow = pytest.MonkeyPatch()
    slow.setattr(evidence, "chain_link", slow_link)
    start = threading.Barrier(UPLOADERS)
    made, errors = [], []

    def uploader(asset):
        from django.db import connection as own

        try:
            start.wait(30)
            for n in range(UPLOADS_EACH):
                made.append(
                    services.upload_version(
                        owner, org, asset.pk, io.BytesIO(f"{asset.pk}-{n}".encode()), name=f"f{n}.txt"
                    ).pk
                )
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=uploader, args=(asset,)) for asset in assets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    slow.undo()
    assert errors == []
    total = UPLOADERS * UPLOADS_EACH
    assert len(made) == total
    chain = _chain(org)
    assert sorted(link[0] for link in chain) == list(range(1, total + 1))
    assert evidence.chain_faults(chain) == []


def test_chain_faults_names_a_gap_a_fork_and_a_wrong_hash():
    first = (1, evidence.GENESIS, evidence.chain_link(evidence.GENESIS, "a" * 64, 1), "a" * 64)
    second = (2, first[2], evidence.chain_link(first[2], "b" * 64, 2), "b" * 64)
    assert evidence.chain_faults([second, first]) == []
    assert evidence.chain_faults([first]) == []
    forked = (2, evidence.GENESIS, evidence.chain_link(evidence.GENESIS, "b" * 64, 2), "b" * 64)
    assert "does not continue" in evidence.chain_faults([first, forked])[0]
    third = (3, second[2], evidence.chain_link(second[2], "c" * 64, 3), "c" * 64)
    assert "expected sequence number 2" in evidence.chain_faults([first, third])[0]
    assert "does not match" in evidence.chain_faults([first, (2, first[2], "f" * 64, "b" * 64)])[0]


def test_sequential_uploads_verify(org, owner):
    asset = services.create_asset(owner, org, title_ja="資産", classification="internal")
    for n in range(3):
        services.upload_version(owner, org, asset.pk, io.BytesIO(f"v{n}".encode()), name="a.txt")
    assert evidence.chain_faults(_chain(org)) == []


def _stored(storage_dir):
    return [p for p in Path(storage_dir).rglob("*") if p.is_file()]


@pytest.mark.django_db(transaction=True)
def test_a_failure_after_the_commit_keeps_the_stored_object(org, owner, storage_dir, monkeypatch):
    asset = services.create_asset(owner, org, title_ja="資産", classification="internal")
    real_schedule = services.schedule_index

    def schedule_then_fail_after_commit(actor, target):
        job = real_schedule(actor, target)
        # What a broker outage did: a commit hook that raises once the rows are committed.
        transaction.on_commit(lambda: (_ for _ in ()).throw(ConnectionError("broker down")))
        return job

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "schedule_index", schedule_then_fail_after_commit)
        with pytest.raises(ConnectionError):
            services.upload_version(owner, org, asset.pk, io.BytesIO(b"committed content"), name="a.txt")
    version = FileVersion.objects.get(file__asset=asset)
    assert len(_stored(storage_dir)) == 1
    _version, stream = services.download(owner, org, version.pk)
    assert b"".join(stream) == b"committed content"


def test_a_failure_before_the_commit_deletes_the_stored_object(org, owner, storage_dir, monkeypatch):
    asset = services.create_asset(owner, org, title_ja="資産", classification="internal")

    def fail(*args, **kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(services.audit, "record", fail)
    with pytest.raises(RuntimeError):
        services.upload_version(owner, org, asset.pk, io.BytesIO(b"never committed"), name="a.txt")
    assert not FileVersion.objects.filter(file__asset=asset).exists()
    assert _stored(storage_dir) == []


def test_an_unknown_commit_keeps_the_stored_object(org, owner, storage_dir):
    """When the database cannot say whether the rows were committed, the object stays."""
    asset = services.create_asset(owner, org, title_ja="資産", classification="internal")

    def fail(*args, **kwargs):
        raise RuntimeError("connection lost")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "_record_version", fail)
        patch.setattr(FileVersion.objects, "filter", fail)
        with pytest.raises(RuntimeError):
            services.upload_version(owner, org, asset.pk, io.BytesIO(b"maybe committed"), name="a.txt")
    assert len(_stored(storage_dir)) == 1
