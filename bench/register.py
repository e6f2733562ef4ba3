"""Register benchmark: list+filter and search latency at scale, encrypted file throughput.

Not a test. Prints one JSON object. Runs against its own database: SQLite under
CHIZAI_HOME (default /tmp/chizai-bench-register) or PostgreSQL when CHIZAI_DATABASE_URL is set.

    python bench/register.py --assets 10000 --chunks 100000 --file-mb 100
    CHIZAI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/chizai_bench python bench/register.py

Seeding writes chunk rows directly (token streams cut from a pool of Sudachi-tokenised
sentences, sealed and digested with the organisation's text key as ``index_asset`` does)
so that a million chunks can be made in minutes; queries then go through the same services
the app uses, with the access rules in force.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("CHIZAI_HOME", "/tmp/chizai-bench-register")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chizai.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

SENTENCES_JA = [
    "チタン合金の高速切削では工具摩耗を抑えるため切削速度を下げる",
    "金型図面の改訂履歴を管理し最新版のみを配布する",
    "焼入れ温度と保持時間を材料ロットごとに記録する",
    "特許出願前の発明は社外に開示しない",
    "バリ取り工程の作業標準を新人に教える",
    "表面粗さの測定結果を品質管理部に報告する",
    "疲労試験で破断したサンプルの破面を観察する",
    "研削盤の砥石交換時期を振動で判断する",
    "共同開発の成果の帰属を契約で明確にする",
    "プレス金型のクリアランスを板厚に合わせて調整する",
    "熱処理後のひずみを矯正する手順",
    "切削油の濃度を毎朝確認する",
    "三次元測定機のプローブを校正する",
    "顧客ごとの検査基準をまとめる",
    "放電加工の電極消耗を補正する",
]
SENTENCES_EN = [
    "electroless nickel plating bath temperature control",
    "fatigue test of the lightweight bracket failed at low cycles",
    "tool life database for carbide end mills",
    "fixture design rules for five axis machining",
    "surface roughness measurement report",
    "cost estimation worksheet for prototype orders",
    "thermal drift compensation on the machining centre",
]
KINDS = [
    "know_how",
    "process_conditions",
    "drawing",
    "cad",
    "mould_drawing",
    "test_data",
    "qc_know_how",
    "sop",
    "recipe",
    "dataset",
]
CLASSES = ["public", "internal", "confidential", "secret"]
QUERIES_JA = ["金型", "特許", "切削 工具", "焼入れ温度", "作業標準"]
QUERIES_EN = ["nickel plating", "fatigue", "tool life", "roughness"]


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(p95 * 1000, 2), "n": len(ordered)}


def timed(function, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


def setup_org():
    from django.contrib.auth import get_user_model

    from chizai.core import services as core_services
    from chizai.core.models import Membership, Organization

    User = get_user_model()
    owner, _ = User.objects.get_or_create(username="bench-owner")
    engineer, _ = User.objects.get_or_create(username="bench-engineer")
    org = Organization.objects.filter(slug="bench-seiko").first()
    if org is None:
        org = core_services.create_organization(owner, slug="bench-seiko", name_ja="ベンチ精工")
    if not Membership.objects.filter(organization=org, user=engineer).exists():
        core_services.add_member(owner, org, engineer, "engineer")
    return org, owner, engineer


def seed(org, n_assets: int, n_chunks: int) -> dict:
    from chizai.register import atrest, search
    from chizai.register.models import Asset, SearchChunk

    have_assets = Asset.objects.filter(organization=org).count()
    have_chunks = SearchChunk.objects.filter(organization=org).count()
    if have_assets >= n_assets and have_chunks >= n_chunks:
        return {"seeded": False, "assets": have_assets, "chunks": have_chunks, "seconds": 0}
    start = time.perf_counter()
    rng = random.Random(42)
    pool = [(s, search.tokens(s)) for s in SENTENCES_JA + SENTENCES_EN]
    text_keys = atrest.for_organization(org)
    with transaction.atomic():
        batch = []
        for i in range(have_assets, n_assets):
            batch.append(
                Asset(
                    organization=org,
                    title_ja=f"{rng.choice(SENTENCES_JA)[:20]} {i}",
                    title_en=f"asset {i}",
                    kind=rng.choice(KINDS),
                    classification=rng.choice(CLASSES),
                    description=rng.choice(SENTENCES_JA),
                    tags_text=f",tag{i % 50},",
                )
            )
            if len(batch) >= 5000:
                Asset.objects.bulk_create(batch)
                batch = []
        Asset.objects.bulk_create(batch)
    ids = list(Asset.objects.filter(organization=org).values_list("pk", flat=True))
    # Filler vocabulary so that a real query term sits in about 1 % of chunks, as in a varied
    # register; "工程" is put in 30 % of chunks to measure the very-frequent-term path too.
    filler = [f"語{i:04d}" if i % 2 else f"term{i:04d}" for i in range(5000)]
    made = have_chunks
    while made < n_chunks:
        with transaction.atomic():
            rows = []
            for _ in range(min(20000, n_chunks - made)):
                words = rng.sample(filler, 40)
                if rng.random() < 0.3:
                    words.append("工程")
                text_parts, token_list = [" ".join(words)], list(words)
                if rng.random() < 0.2:
                    sentence, sentence_tokens = rng.choice(pool)
                    text_parts.append(sentence)
                    token_list += sentence_tokens
                asset_id, level = rng.choice(ids), rng.choice(["meta", "text", "text"])
                source = "known" if level == "meta" else rng.choice(["known", "file", "file"])
                rows.append(
                    SearchChunk(
                        organization_id=org.pk,
                        asset_id=asset_id,
                        level=level,
                        sealed=text_keys.seal("。".join(text_parts), search.chunk_place(asset_id)),
                        tokens=text_keys.digests(source, token_list),
                    )
                )
            SearchChunk.objects.bulk_create(rows, batch_size=5000)
            made += len(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # What autovacuum does to a table after a bulk load: statistics and the visibility map.
            cursor.execute("VACUUM ANALYZE register_searchchunk")
            cursor.execute("VACUUM ANALYZE register_asset")
    else:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO register_search_fts(register_search_fts) VALUES ('optimize')")
            cursor.execute("ANALYZE")
    return {"seeded": True, "assets": len(ids), "chunks": made, "seconds": round(time.perf_counter() - start, 1)}


def index_size() -> dict:
    """Bytes of the chunk table and its full-text index (what sealing and digests cost)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_total_relation_size('register_searchchunk')")
            return {"chunks_and_index_mb": round(cursor.fetchone()[0] / 1e6, 1)}
        cursor.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'register_search%'")
        total = cursor.fetchone()[0]
        return {"chunks_and_index_mb": round((total or 0) / 1e6, 1)}


def bench_queries(org, owner, engineer, repeat: int) -> dict:
    from chizai.register import services

    def listing(user, **filters):
        def run():
            list(services.filter_assets(user, org, **filters)[:50])

        return run

    result = {"list_filter": {}, "search": {}}
    # Load the Sudachi dictionary and warm the caches once; the figures are steady-state.
    services.search_assets(owner, org, "金型")
    for label, user in (("owner", owner), ("engineer", engineer)):
        for name, filters in (
            ("kind+classification", {"kind": "mould_drawing", "classification": "confidential"}),
            ("tag", {"tag": "tag7"}),
            ("title", {"q": "金型"}),
            ("none", {}),
        ):
            result["list_filter"][f"{label}/{name}"] = percentiles(timed(listing(user, **filters), repeat))
        for lang, queries in (("ja", QUERIES_JA), ("en", QUERIES_EN), ("frequent_term_30pct", ["工程"])):
            samples = []
            for query in queries:
                samples += timed(lambda q=query, u=user: services.search_assets(u, org, q, limit=20), repeat)
            result["search"][f"{label}/{lang}"] = percentiles(samples)
    return result


def bench_files(org, owner, size_mb: int) -> dict:
    from chizai.register import services

    if size_mb <= 0:
        return {}
    asset = services.create_asset(owner, org, title_ja="ベンチ用ファイル", classification="confidential")
    work = Path(tempfile.mkdtemp(prefix="chizai-bench-"))
    try:
        source = work / "source.bin"
        with open(source, "wb") as handle:
            for _ in range(size_mb):
                handle.write(os.urandom(1024 * 1024))

        def kernel_copy():
            shutil.copyfile(source, work / "plain-copy.bin")
            os.remove(work / "plain-copy.bin")

        def streamed_copy():
            # What storing an upload without encryption does: read and write 1 MiB blocks.
            with open(source, "rb") as src, open(work / "plain-copy.bin", "wb") as dst:
                for block in iter(lambda: src.read(1024 * 1024), b""):
                    dst.write(block)
            os.remove(work / "plain-copy.bin")

        def upload():
            with open(source, "rb") as handle:
                versions.append(services.upload_version(owner, org, asset.pk, handle, name="source.bin"))

        def download():
            _version, stream = services.download(owner, org, versions[-1].pk)
            assert sum(len(block) for block in stream) == size_mb * 1024 * 1024

        versions: list = []
        # Medians of five, interleaved, because a shared machine's disk and page cache vary.
        # Each run starts with no dirty pages (sync), so none pays for an earlier run's
        # writeback; every run still writes into the page cache, as an upload does.
        runs = {"kernel": [], "streamed": [], "upload": [], "download": []}
        for _ in range(5):
            for name, function in (
                ("kernel", kernel_copy),
                ("streamed", streamed_copy),
                ("upload", upload),
                ("download", download),
            ):
                os.sync()
                runs[name].append(timed(function, 1)[0])
        plain, streamed, upload_s, download_s = (
            statistics.median(runs[k]) for k in ("kernel", "streamed", "upload", "download")
        )
        mb = float(size_mb)
        return {
            "size_mb": size_mb,
            "plain_copy_kernel_mb_s": round(mb / plain, 1),
            "plain_copy_streamed_mb_s": round(mb / streamed, 1),
            "encrypted_upload_mb_s": round(mb / upload_s, 1),
            "download_verify_and_decrypt_mb_s": round(mb / download_s, 1),
            "upload_vs_plain_copy_kernel": round(plain / upload_s, 3),
            "upload_vs_plain_copy_streamed": round(streamed / upload_s, 3),
            "download_vs_plain_copy_kernel": round(plain / download_s, 3),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
        # The stored versions go too, so repeated runs do not fill the disk.
        services.delete_asset(owner, org, asset.pk)


def bench_indexing(org, owner, sizes: list[int]) -> dict:
    """Time of the index job that follows one upload, on an asset that then has N files.

    Each file is a small Japanese text (a few chunks). The asset is filled with N-1 files
    and its queued index jobs run; then one more file is uploaded and the job (or jobs)
    that upload queued are timed: what a worker spends per upload at that asset size.
    The handler is called directly (and the job marked done), so the figures are the index
    work alone, comparable across versions of the job queue.
    """
    from chizai.core.models import Job
    from chizai.register import services

    def run_index_jobs() -> tuple[int, float]:
        """(jobs run, seconds in their handlers)."""
        ran, spent = 0, 0.0
        for job in Job.objects.filter(kind="register.index", status=Job.Status.QUEUED).order_by("pk"):
            start = time.perf_counter()
            services.index_handler(job)
            spent += time.perf_counter() - start
            Job.objects.filter(pk=job.pk).update(status=Job.Status.SUCCEEDED)
            ran += 1
        return ran, spent

    rng = random.Random(7)
    result = {}
    for size in sizes:
        asset = services.create_asset(owner, org, title_ja=f"索引ベンチ {size}", classification="internal")
        try:
            for index in range(size - 1):
                body = "\n".join(rng.choice(SENTENCES_JA) for _ in range(30)).encode()
                with tempfile.TemporaryFile() as handle:
                    handle.write(body)
                    handle.seek(0)
                    services.upload_version(owner, org, asset.pk, handle, name=f"note{index}.txt")
            run_index_jobs()
            samples, last_file = [], None
            for _repeat in range(5):
                # The N-th file, then new versions of it: the asset keeps N files.
                body = "\n".join(rng.choice(SENTENCES_JA) for _ in range(30)).encode()
                with tempfile.TemporaryFile() as handle:
                    handle.write(body)
                    handle.seek(0)
                    version = services.upload_version(owner, org, asset.pk, handle, name="last.txt", file_id=last_file)
                last_file = version.file_id
                queued, spent = run_index_jobs()
                samples.append(spent)
            result[f"{size}_files"] = {
                "index_job_ms_median": round(statistics.median(samples) * 1000, 1),
                "jobs_queued_per_upload": queued,
                "n": len(samples),
            }
            # A burst: ten uploads before any worker gets to the queue, then the queue drained.
            for burst in range(10):
                with tempfile.TemporaryFile() as handle:
                    handle.write("\n".join(rng.choice(SENTENCES_JA) for _ in range(30)).encode())
                    handle.seek(0)
                    services.upload_version(owner, org, asset.pk, handle, name=f"burst{burst}.txt")
            queued, spent = run_index_jobs()
            result[f"{size}_files"]["burst_10_uploads"] = {"jobs_queued": queued, "drain_ms": round(spent * 1000, 1)}
        finally:
            services.delete_asset(owner, org, asset.pk)
    return result


def bench_primitives(size_mb: int) -> dict:
    """What one core does per ``size_mb`` with each step of an upload, alone (ms, medians of 7).

    The floor of an encrypted upload is its slowest sequential step: SHA-256 of the
    plaintext cannot be split across cores, so no upload can beat the ``sha256`` figure.
    """
    import hashlib

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from chizai.register import crypto

    if size_mb <= 0:
        return {}
    block = bytearray(os.urandom(crypto.CHUNK))
    record = bytearray(crypto.CHUNK + 32)
    aead = AESGCM(AESGCM.generate_key(bit_length=256))
    work = Path(tempfile.mkdtemp(prefix="chizai-bench-"))
    source = work / "source.bin"
    with open(source, "wb") as handle:
        for _ in range(size_mb):
            handle.write(block)

    def read():
        with open(source, "rb", buffering=0) as handle:
            while handle.readinto(block):
                pass

    def write():
        with open(work / "out.bin", "wb") as handle:
            for _ in range(size_mb):
                handle.write(record)
        os.remove(work / "out.bin")

    def encrypt():
        view = memoryview(record)
        for index in range(size_mb):
            aead.encrypt_into(index.to_bytes(12, "big"), block, b"", view[: crypto.CHUNK + 16])

    def sha256():
        digest = hashlib.sha256()
        for _ in range(size_mb):
            digest.update(block)

    def kernel_copy():
        shutil.copyfile(source, work / "copy.bin")
        os.remove(work / "copy.bin")

    try:
        result = {}
        for name, function in (
            ("read", read),
            ("write", write),
            ("aes_256_gcm", encrypt),
            ("sha256", sha256),
            ("kernel_copy", kernel_copy),
        ):
            samples = []
            for _ in range(7):
                os.sync()
                samples += timed(function, 1)
            result[name] = round(statistics.median(samples) * 1000, 1)
        return {"size_mb": size_mb, "ms": result}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--file-mb", type=int, default=100)
    parser.add_argument(
        "--index-files",
        default="1,10,70",
        help="comma-separated asset sizes (files) for the index job timing; empty to skip",
    )
    parser.add_argument("--only-indexing", action="store_true", help="measure only the index job time")
    args = parser.parse_args()
    index_sizes = [int(n) for n in args.index_files.split(",") if n.strip()]
    if args.only_indexing:
        call_command("migrate", verbosity=0, interactive=False)
        org, owner, _engineer = setup_org()
        print(
            json.dumps({"database": connection.vendor, "indexing": bench_indexing(org, owner, index_sizes)}, indent=2)
        )
        return
    call_command("migrate", verbosity=0, interactive=False)
    org, owner, engineer = setup_org()
    report = {"database": connection.vendor, "seed": seed(org, args.assets, args.chunks)}
    report["index_size"] = index_size()
    report.update(bench_queries(org, owner, engineer, args.repeat))
    report["files"] = bench_files(org, owner, args.file_mb)
    report["upload_steps_one_core"] = bench_primitives(args.file_mb)
    report["indexing"] = bench_indexing(org, owner, index_sizes) if index_sizes else {}
    bars = {k: v for k, v in report["search"].items() if not k.endswith("frequent_term_30pct")}
    report["load_average"] = os.getloadavg()
    report["bars"] = {
        "search_p95_le_100ms": all(v["p95_ms"] <= 100 for v in bars.values()),
        "encrypted_upload_ge_half_plain_copy_kernel": bool(report["files"])
        and report["files"]["upload_vs_plain_copy_kernel"] >= 0.5,
        "encrypted_upload_ge_half_plain_copy_streamed": bool(report["files"])
        and report["files"]["upload_vs_plain_copy_streamed"] >= 0.5,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
