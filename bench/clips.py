"""Clip playback benchmark: an encrypted clip served with random seeks (HTTP Range), against
the same bytes served from a plain file, in one run.

Not a test. Prints one JSON object. Its own SQLite database and local storage under
CHIZAI_HOME (default /tmp/chizai-bench-clips); the plaintext twin lives in a temporary
folder outside it and is removed at the end.

    python bench/clips.py --size-mb 1024 --seeks 200 --range-kb 1024

Three ways of answering the same Range requests, interleaved request by request:
- ``view``: the register's clip view through Django's test client (session, access
  check, audit of the first request, ``ranges.respond`` over ``clips.read_range``:
  the header and the covered chunks read from the sealed file and authenticated);
- ``encrypted``: ``ranges.respond`` over ``clips.read_range`` without the view;
- ``plain``: ``ranges.respond`` over a plain file (seek, then 1 MiB reads): what serving the
  unencrypted file costs on the same path (Django's FileResponse has no Range support).
Time to first byte = request start to the first body piece in hand; throughput = bytes /
time to the last piece. Both files sit in the page cache after the first pass (24 GB RAM),
so this measures CPU cost, not the disk. Peak RSS is read before and after serving the
whole clip once, to show memory staying flat.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("CHIZAI_HOME", "/tmp/chizai-bench-clips")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chizai.settings")
os.environ.setdefault("CHIZAI_SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("CHIZAI_MASTER_KEY", "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=")
os.environ.setdefault("CHIZAI_REGISTER_MAX_CLIP_BYTES", str(8 * 1024**3))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402

from chizai.register.tests.clipdata import mp4_header  # noqa: E402

MIB = 1024 * 1024


class _Tee:
    """An endless-looking clip source: an MP4 header, then random megabytes, also written to ``plain``."""

    def __init__(self, size: int, plain):
        self._left = size
        self._first = mp4_header(size)
        self._plain = plain

    def read(self, n: int) -> bytes:
        if self._left <= 0:
            return b""
        if self._first:
            piece, self._first = self._first, b""
        else:
            piece = os.urandom(min(n, self._left))
        self._left -= len(piece)
        self._plain.write(piece)
        return piece


def _setup():
    from django.contrib.auth import get_user_model

    from chizai.core import services as core_services
    from chizai.core.models import Organization
    from chizai.register import services

    call_command("migrate", verbosity=0)
    owner, _ = get_user_model().objects.get_or_create(username="bench-owner")
    org = Organization.objects.filter(slug="bench-clips").first()
    if org is None:
        org = core_services.create_organization(owner, slug="bench-clips", name_ja="ベンチ映像")
    asset = services.create_asset(owner, org, title_ja="研削の手元", classification="confidential")
    return org, owner, asset


def _plain_reader(path: str):
    def read(start: int, end: int):
        with open(path, "rb") as handle:
            handle.seek(start)
            left = end - start + 1
            while left:
                piece = handle.read(min(MIB, left))
                if not piece:
                    return
                left -= len(piece)
                yield piece

    return read


def _timed(make_response) -> tuple[float, float, int]:
    """(seconds to the first body piece, seconds to the last, bytes) of one answer."""
    start = time.perf_counter()
    response = make_response()
    pieces = iter(response.streaming_content)
    first = next(pieces, b"")
    ttfb = time.perf_counter() - start
    total = len(first) + sum(len(p) for p in pieces)
    return ttfb, time.perf_counter() - start, total


def _summary(samples: list[tuple[float, float, int]]) -> dict:
    ttfb = sorted(s[0] for s in samples)
    p95 = ttfb[min(len(ttfb) - 1, round(0.95 * (len(ttfb) - 1)))]
    seconds = sum(s[1] for s in samples)
    size = sum(s[2] for s in samples)
    return {
        "ttfb_p50_ms": round(statistics.median(ttfb) * 1000, 3),
        "ttfb_p95_ms": round(p95 * 1000, 3),
        "request_p50_ms": round(statistics.median(s[1] for s in samples) * 1000, 3),
        "throughput_mb_s": round(size / MIB / seconds, 1),
        "requests": len(samples),
    }


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--seeks", type=int, default=200)
    parser.add_argument("--range-kb", type=int, default=1024)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()

    from chizai.register import clips, ranges

    load_before = os.getloadavg()
    org, owner, asset = _setup()
    size = args.size_mb * MIB
    rss_start = _rss_mb()
    work = Path(tempfile.mkdtemp(prefix="chizai-bench-clips-"))
    try:
        plain_path = str(work / "plain.mp4")
        start = time.perf_counter()
        with open(plain_path, "wb") as plain:
            clip = clips.upload_clip(owner, org, asset.pk, _Tee(size, plain), name="bench.mp4", declared_size=size)
        upload_s = time.perf_counter() - start
        rss_after_upload = _rss_mb()

        client = Client()
        client.force_login(owner)
        url = f"/o/{org.slug}/register/clips/{clip.pk}/stream"
        factory = RequestFactory()
        plain_read = _plain_reader(plain_path)

        def answer(header: str, read):
            request = factory.get(url, HTTP_RANGE=header)
            return ranges.respond(
                request, size=size, etag=f'"{clip.sha256}"', content_type="video/mp4", name="bench.mp4", read=read
            )

        ways = {
            "view": lambda header: client.get(url, HTTP_RANGE=header),
            "encrypted": lambda header: answer(header, lambda s, e: clips.read_range(clip, s, e)),
            "plain": lambda header: answer(header, plain_read),
        }
        # warm: both files into the page cache, the session's playback audited once
        for way in ways.values():
            _timed(lambda way=way: way(f"bytes=0-{size - 1}"))
        full = {name: _timed(lambda way=way: way(f"bytes=0-{size - 1}")) for name, way in ways.items()}

        rng = random.Random(args.seed)
        span = args.range_kb * 1024
        seeks: dict[str, list] = {name: [] for name in ways}
        for _ in range(args.seeks):
            first = rng.randrange(0, size - span)
            header = f"bytes={first}-{first + span - 1}"
            for name in rng.sample(list(ways), len(ways)):
                seeks[name].append(_timed(lambda name=name, header=header: ways[name](header)))
        # the browser's own first request after a seek: open-ended, abandoned after 2 MiB
        open_ended: dict[str, list] = {name: [] for name in ways}
        for _ in range(max(20, args.seeks // 5)):
            first = rng.randrange(0, size - 1)
            for name in ways:
                begin = time.perf_counter()
                response = ways[name](f"bytes={first}-")
                pieces = iter(response.streaming_content)
                got = len(next(pieces, b""))
                ttfb = time.perf_counter() - begin
                while got < 2 * MIB:
                    piece = next(pieces, None)
                    if piece is None:
                        break
                    got += len(piece)
                response.close()
                open_ended[name].append((ttfb, time.perf_counter() - begin, got))

        seek_summary = {name: _summary(samples) for name, samples in seeks.items()}
        result = {
            "size_mb": args.size_mb,
            "seeks": args.seeks,
            "range_kb": args.range_kb,
            "chunk_kb": 1024,
            "upload_s": round(upload_s, 2),
            "upload_mb_s": round(size / MIB / upload_s, 1),
            "full_read_mb_s": {name: round(t[2] / MIB / t[1], 1) for name, t in full.items()},
            "full_read_ttfb_ms": {name: round(t[0] * 1000, 3) for name, t in full.items()},
            "random_seeks": seek_summary,
            "open_ended_2mib": {name: _summary(samples) for name, samples in open_ended.items()},
            "ratio_encrypted_over_plain": {
                "seek_throughput": round(
                    seek_summary["encrypted"]["throughput_mb_s"] / seek_summary["plain"]["throughput_mb_s"], 3
                ),
                "seek_ttfb_p50": round(
                    seek_summary["encrypted"]["ttfb_p50_ms"] / seek_summary["plain"]["ttfb_p50_ms"], 2
                ),
                "full_read_throughput": round(full["plain"][1] / full["encrypted"][1], 3),
                "view_seek_throughput_over_plain": round(
                    seek_summary["view"]["throughput_mb_s"] / seek_summary["plain"]["throughput_mb_s"], 3
                ),
            },
            "peak_rss_mb": {"before_upload": rss_start, "after_upload": rss_after_upload, "after_serving": _rss_mb()},
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
            "cpus": os.cpu_count(),
        }
        print(json.dumps(result, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if "clip" in locals():
            clips.delete_clip(owner, org, clip.pk)


if __name__ == "__main__":
    main()
