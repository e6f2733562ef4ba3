"""A search racing a re-index answers with the old chunks or the new ones, never a 500."""

import io

from chizai.core import jobs
from chizai.core.models import Job
from chizai.register import search, services


def _index_all():
    for job in Job.objects.filter(kind=services.INDEX_JOB, status=Job.Status.QUEUED):
        assert jobs.execute(job.pk) == "succeeded"


def _reindex_between_ranking_and_fetch(monkeypatch, asset_id):
    """Make the first ranking query be followed, before the chunks are fetched, by a
    rebuild that replaces every chunk of ``asset_id`` (what a concurrent index job does)."""
    real_backend = search.backend
    calls = []

    class Racing:
        def candidates(self, *args):
            rows = real_backend().candidates(*args)
            calls.append(len(rows))
            if len(calls) == 1:
                services.index_asset(asset_id, full=True)
            return rows

    monkeypatch.setattr(search, "backend", Racing)
    return calls


def test_chunks_replaced_between_ranking_and_fetch(org, owner, monkeypatch):
    asset = services.create_asset(owner, org, title_ja="金型図面 A-100", classification="internal")
    services.upload_version(owner, org, asset.pk, io.BytesIO("プレス金型のクリアランス".encode()), name="a.txt")
    _index_all()
    calls = _reindex_between_ranking_and_fetch(monkeypatch, asset.pk)
    hits = services.search_assets(owner, org, "金型")
    assert [hit.asset_id for hit in hits] == [asset.pk]
    assert len(calls) == 2  # asked again once, and found the new chunks


def test_an_asset_deleted_between_ranking_and_fetch_is_left_out(org, owner, monkeypatch):
    gone = services.create_asset(owner, org, title_ja="金型 消える", classification="internal")
    kept = services.create_asset(owner, org, title_ja="金型 残る", classification="internal")
    _index_all()
    real_backend = search.backend

    class Deleting:
        def candidates(self, *args):
            rows = real_backend().candidates(*args)
            if services.Asset.objects.filter(pk=gone.pk).exists():
                services.delete_asset(owner, org, gone.pk)
            return rows

    monkeypatch.setattr(search, "backend", Deleting)
    assert [hit.asset_id for hit in services.search_assets(owner, org, "金型")] == [kept.pk]
