"""An index job does what is stale and no more; at most one waits per asset."""

import io

import pytest

from chizai.core import jobs
from chizai.core.models import Job
from chizai.register import extract, services
from chizai.register.models import FileVersion, SearchChunk


def _queued(asset):
    return list(Job.objects.filter(kind=services.INDEX_JOB, status=Job.Status.QUEUED, params__asset_id=asset.pk))


def _run_index_jobs():
    for job in Job.objects.filter(kind=services.INDEX_JOB, status=Job.Status.QUEUED):
        assert jobs.execute(job.pk) == "succeeded"


@pytest.fixture
def extracted(monkeypatch):
    """The names of the files text was extracted from, in order."""
    names = []
    real = extract.extract

    def spy(name, handle):
        names.append(name)
        return real(name, handle)

    monkeypatch.setattr(extract, "extract", spy)
    return names


@pytest.fixture
def asset(org, owner):
    return services.create_asset(owner, org, title_ja="焼入れ条件", classification="internal")


def _upload(owner, org, asset, text, name, file_id=None):
    return services.upload_version(owner, org, asset.pk, io.BytesIO(text.encode()), name=name, file_id=file_id)


def _found(owner, org, query):
    return [hit.asset_id for hit in services.search_assets(owner, org, query)]


def test_an_upload_extracts_only_the_new_file(org, owner, asset, extracted):
    for n in range(3):
        _upload(owner, org, asset, f"研削盤の砥石 {n}", f"f{n}.txt")
    _run_index_jobs()
    assert sorted(extracted) == ["f0.txt", "f1.txt", "f2.txt"]
    extracted.clear()
    _upload(owner, org, asset, "放電加工の電極", "new.txt")
    _run_index_jobs()
    assert extracted == ["new.txt"]
    assert _found(owner, org, "電極") == [asset.pk] and _found(owner, org, "砥石") == [asset.pk]


def test_a_new_version_replaces_the_chunks_of_the_previous_one(org, owner, asset, extracted):
    first = _upload(owner, org, asset, "チタン合金の切削", "note.txt")
    _run_index_jobs()
    _upload(owner, org, asset, "ニッケルめっき", "note.txt", file_id=first.file_id)
    _run_index_jobs()
    assert _found(owner, org, "チタン") == [] and _found(owner, org, "めっき") == [asset.pk]
    assert not SearchChunk.objects.filter(version=first).exists()


def test_a_field_edit_reindexes_only_the_fields(org, owner, asset, extracted):
    _upload(owner, org, asset, "三次元測定機", "a.txt")
    _run_index_jobs()
    file_chunks = set(SearchChunk.objects.filter(asset=asset, version__isnull=False).values_list("pk", flat=True))
    extracted.clear()
    services.update_asset(owner, org, asset.pk, title_ja="プレス金型のクリアランス", description="板厚に合わせる")
    _run_index_jobs()
    assert extracted == []
    assert (
        set(SearchChunk.objects.filter(asset=asset, version__isnull=False).values_list("pk", flat=True)) == file_chunks
    )
    assert _found(owner, org, "クリアランス") == [asset.pk] and _found(owner, org, "板厚") == [asset.pk]
    assert _found(owner, org, "焼入れ") == []


def test_one_queued_job_per_asset_does_every_stale_upload(org, owner, asset, extracted):
    for n in range(5):
        _upload(owner, org, asset, f"切削油の濃度 {n}", f"f{n}.txt")
    assert len(_queued(asset)) == 1
    _run_index_jobs()
    assert sorted(extracted) == [f"f{n}.txt" for n in range(5)]
    assert not FileVersion.objects.filter(file__asset=asset, indexed_at__isnull=True).exists()


def test_a_change_while_the_job_runs_queues_another(org, owner, asset):
    (job,) = _queued(asset)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)  # claimed: it may have read the asset already
    _upload(owner, org, asset, "バリ取り工程", "a.txt")
    (waiting,) = _queued(asset)
    assert waiting.pk != job.pk


def test_a_job_with_nothing_stale_writes_nothing(org, owner, asset, extracted):
    _upload(owner, org, asset, "表面粗さ", "a.txt")
    _run_index_jobs()
    before = set(SearchChunk.objects.filter(asset=asset).values_list("pk", flat=True))
    extracted.clear()
    result = services.index_asset(asset.pk)
    assert extracted == [] and result["chunks"] == 0
    assert set(SearchChunk.objects.filter(asset=asset).values_list("pk", flat=True)) == before


def test_a_full_rebuild_gives_the_same_index(org, owner, asset, extracted):
    first = _upload(owner, org, asset, "疲労試験", "a.txt")
    _upload(owner, org, asset, "破面の観察", "a.txt", file_id=first.file_id)
    _upload(owner, org, asset, "工具摩耗", "b.txt")
    _run_index_jobs()
    count = SearchChunk.objects.filter(asset=asset).count()
    extracted.clear()
    result = services.index_asset(asset.pk, full=True)
    assert sorted(extracted) == ["a.txt", "b.txt"] and result["chunks"] == count
    assert SearchChunk.objects.filter(asset=asset).count() == count
    assert _found(owner, org, "破面") == [asset.pk] and _found(owner, org, "疲労") == []


def test_a_version_superseded_during_extraction_is_left_to_the_next_job(org, owner, asset, monkeypatch):
    first = _upload(owner, org, asset, "古い手順", "a.txt")
    real = extract.extract

    def upload_meanwhile(name, handle):
        text = real(name, handle)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(extract, "extract", real)
            _upload(owner, org, asset, "新しい手順", "a.txt", file_id=first.file_id)
        return text

    monkeypatch.setattr(extract, "extract", upload_meanwhile)
    (job,) = _queued(asset)
    assert jobs.execute(job.pk) == "succeeded"
    monkeypatch.setattr(extract, "extract", real)
    assert not SearchChunk.objects.filter(version=first).exists()
    _run_index_jobs()
    assert _found(owner, org, "新しい") == [asset.pk] and _found(owner, org, "古い") == []


def test_chizai_reindex_queues_one_rebuild_per_asset_and_the_worker_restores_a_lost_index(org, owner, asset, extracted):
    from chizai.cli import main

    _upload(owner, org, asset, "熱処理の条件", "a.txt")
    _run_index_jobs()
    services.create_asset(owner, org, title_ja="治具", classification="internal")
    SearchChunk.objects.all().delete()  # an index lost or damaged, e.g. a restore from files only
    assert _found(owner, org, "熱処理") == []
    with pytest.raises(SystemExit) as done:
        main(["reindex", "--org", org.slug])
    assert done.value.code in (0, None)
    main_jobs = Job.objects.filter(kind=services.INDEX_JOB, status=Job.Status.QUEUED, params__full=True)
    assert sorted(j.params["asset_id"] for j in main_jobs) == sorted(org.assets.values_list("pk", flat=True))
    assert services.queue_full_reindex(org) == 0  # asked twice: nothing queued twice
    _run_index_jobs()
    assert _found(owner, org, "熱処理") == [asset.pk] and _found(owner, org, "治具")
