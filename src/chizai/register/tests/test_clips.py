"""Clips: sealed as they arrive, served in ranges from the encrypted store, refused whole.

Range answers are checked byte for byte against the plaintext on clips that span several
chunks (the real 1 MiB chunk), including ranges that cross chunk boundaries.
"""

import io
import os
import shutil
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from chizai.core.models import AuditEvent
from chizai.core.services import ChizaiError
from chizai.register import clips, crypto, services
from chizai.register.models import AssetClip, ClipChapter, ClipPoster
from chizai.register.tests.clipdata import JPEG, PNG, mp4, webm

CHUNK = crypto.CHUNK
MARKER = b"HANDS-AT-WORK-PLAINTEXT-9c2e"
SIZE = 3 * CHUNK + 1234  # four chunks, the last one short


@pytest.fixture
def asset(org, owner):
    return services.create_asset(owner, org, title_ja="研削の手さばき", classification="confidential")


@pytest.fixture(scope="module")
def video():
    return mp4(SIZE, marker=MARKER)


@pytest.fixture
def clip(org, owner, asset, video):
    return clips.upload_clip(owner, org, asset.pk, io.BytesIO(video), name="grinding.mp4", title="研削")


@pytest.fixture
def client(owner):
    client = Client()
    client.force_login(owner)
    return client


def _url(org, clip, what="stream"):
    return f"/o/{org.slug}/register/clips/{clip.pk}/{what}"


def _get(client, org, clip, range_header=None, **extra):
    if range_header is not None:
        extra["HTTP_RANGE"] = range_header
    return client.get(_url(org, clip), **extra)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _files_under(path) -> list[Path]:
    return [p for p in Path(path).rglob("*") if p.is_file()]


# --- ranges on the encrypted clip ------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-0", 0, 0),  # first byte
        (f"bytes={SIZE // 2}-{SIZE // 2}", SIZE // 2, SIZE // 2),  # a middle byte
        (f"bytes={SIZE - 1}-{SIZE - 1}", SIZE - 1, SIZE - 1),  # last byte
        (f"bytes={SIZE - 1}-", SIZE - 1, SIZE - 1),
        ("bytes=-1", SIZE - 1, SIZE - 1),  # suffix: last byte
        ("bytes=-5000", SIZE - 5000, SIZE - 1),
        (f"bytes=-{SIZE + 10}", 0, SIZE - 1),  # suffix longer than the file: all of it
        ("bytes=100-", 100, SIZE - 1),  # open-ended
        (f"bytes={CHUNK - 10}-{CHUNK + 9}", CHUNK - 10, CHUNK + 9),  # across one boundary
        (f"bytes={CHUNK - 1}-{3 * CHUNK}", CHUNK - 1, 3 * CHUNK),  # across three
        (f"bytes={CHUNK}-{2 * CHUNK - 1}", CHUNK, 2 * CHUNK - 1),  # exactly one chunk
        (f"bytes=5-{SIZE + 999}", 5, SIZE - 1),  # end past the file: clipped
        ("bytes = 7 - 9", 7, 9),  # whitespace around the parts
    ],
)
def test_range_answers_exact_bytes(org, clip, client, video, header, start, end):
    response = _get(client, org, clip, header)
    assert response.status_code == 206, _body(response)[:200]
    assert response["Content-Range"] == f"bytes {start}-{end}/{SIZE}"
    assert response["Content-Length"] == str(end - start + 1)
    assert response["Accept-Ranges"] == "bytes"
    assert _body(response) == video[start : end + 1]


def test_no_range_serves_the_whole_clip(org, clip, client, video):
    response = _get(client, org, clip)
    assert response.status_code == 200 and response["Content-Length"] == str(SIZE)
    assert response["Accept-Ranges"] == "bytes" and "Content-Range" not in response
    assert _body(response) == video
    assert response["Content-Type"] == "video/mp4" and response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "header",
    [
        f"bytes={SIZE}-",  # first byte past the end
        f"bytes={SIZE + 5}-{SIZE + 9}",
        "bytes=-0",  # zero-length suffix
        "bytes=9-3",  # last before first
        "bytes=abc",
        "bytes=--5",
        "bytes=-",
        "bytes=1-2-3",
        "bytes=",
        f"bytes={SIZE}-,{SIZE + 1}-",  # several, none satisfiable
    ],
)
def test_unsatisfiable_or_malformed_ranges_get_416(org, clip, client, header):
    response = _get(client, org, clip, header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"


def test_other_units_and_several_ranges_get_the_whole_clip(org, clip, client, video):
    assert _get(client, org, clip, "items=0-5").status_code == 200
    several = _get(client, org, clip, "bytes=0-1,10-20")
    assert several.status_code == 200 and _body(several) == video


def test_if_range_keeps_the_range_only_for_our_etag(org, clip, client, video):
    etag = _get(client, org, clip, "bytes=0-0")["ETag"]
    assert etag == f'"{clip.sha256}"'
    same = _get(client, org, clip, "bytes=10-19", HTTP_IF_RANGE=etag)
    assert same.status_code == 206 and _body(same) == video[10:20]
    stale = _get(client, org, clip, "bytes=10-19", HTTP_IF_RANGE='"something-else"')
    assert stale.status_code == 200 and _body(stale) == video


def test_decrypt_range_reads_only_the_chunks_it_needs(org, owner, asset, video, storage_dir):
    clip = clips.upload_clip(owner, org, asset.pk, io.BytesIO(video), name="a.mp4")
    path = Path(storage_dir) / clip.storage_name
    assert path.stat().st_size == crypto.sealed_length(SIZE)

    class Counting(io.FileIO):
        read_bytes = 0

        def read(self, n=-1):
            data = super().read(n)
            Counting.read_bytes += len(data)
            return data

    with Counting(path, "rb") as handle:
        piece = b"".join(
            crypto.decrypt_range(handle, clip.wrapped_key, clip.key_id, org, 2 * CHUNK + 5, 2 * CHUNK + 9, size=SIZE)
        )
    assert piece == video[2 * CHUNK + 5 : 2 * CHUNK + 10]
    assert Counting.read_bytes == 16 + 4 + CHUNK + 16  # the header and one record, no more


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_tampered_chunk_is_an_error_not_garbage(org, clip, client, video, storage_dir):
    path = Path(storage_dir) / clip.storage_name
    _flip(path, crypto.record_offset(2) + 100)  # inside chunk 2's ciphertext
    # untouched chunks still play
    assert _body(_get(client, org, clip, "bytes=0-99")) == video[:100]
    # a range starting in the altered chunk is refused before any byte is sent
    refused = _get(client, org, clip, f"bytes={2 * CHUNK}-{2 * CHUNK + 10}")
    assert refused.status_code == 409 and b"altered" in refused.content
    # a range that reaches it later stops there: what came before is right, nothing after
    started = _get(client, org, clip, f"bytes={CHUNK}-{3 * CHUNK}")
    assert started.status_code == 206
    received = bytearray()
    with pytest.raises(ChizaiError):
        for piece in started.streaming_content:
            received += piece
    assert bytes(received) == video[CHUNK : 2 * CHUNK]


def test_a_chunk_moved_or_a_file_cut_short_fails_authentication(org, clip, video, storage_dir):
    path = Path(storage_dir) / clip.storage_name
    sealed_bytes = path.read_bytes()
    # the short last record swapped for a full one from the middle: the index and last flag disagree
    cut = sealed_bytes[: crypto.record_offset(3)]
    path.write_bytes(cut)
    with pytest.raises(ChizaiError, match="truncated"):
        b"".join(clips.read_range(clip, SIZE - 10, SIZE - 1))
    record_one = sealed_bytes[crypto.record_offset(1) : crypto.record_offset(2)]
    path.write_bytes(sealed_bytes[: crypto.record_offset(0)] + record_one + sealed_bytes[crypto.record_offset(1) :])
    with pytest.raises(ChizaiError, match="altered"):
        b"".join(clips.read_range(clip, 0, 10))


def test_playback_is_audited_once_per_session_not_per_seek(org, clip, client, owner):
    before = AuditEvent.objects.filter(action="register.clip.play").count()
    for header in ("bytes=0-", "bytes=5000-", f"bytes={CHUNK}-", None):
        assert _get(client, org, clip, header).status_code in (200, 206)
    assert AuditEvent.objects.filter(action="register.clip.play").count() == before + 1
    other = Client()
    other.force_login(owner)
    _get(other, org, clip, "bytes=10-20")  # a new login session: a new playback
    assert AuditEvent.objects.filter(action="register.clip.play").count() == before + 2
    event = AuditEvent.objects.filter(action="register.clip.play").latest("seq")
    assert event.object_id == str(clip.pk)


# --- upload: nothing in plaintext, refusals leave nothing --------------------------------


def test_a_clips_bytes_never_appear_in_plaintext_under_chizai_home(org, owner, asset, video, settings):
    # As in production (MEDIA_ROOT = CHIZAI_HOME/files): the storage and Django's upload
    # temporary folder inside CHIZAI_HOME, here in a folder of this test's own.
    home = Path(settings.CHIZAI_HOME) / f"clip-scan-{os.getpid()}-{os.urandom(4).hex()}"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": home / "files"}},
    }
    (home / "tmp").mkdir(parents=True)
    settings.FILE_UPLOAD_TEMP_DIR = str(home / "tmp")
    client = Client()
    client.force_login(owner)
    # the page's way: the raw body, sealed as it is read
    response = client.post(
        f"/o/{org.slug}/register/{asset.pk}/clips/?name=hands.mp4&title=hands",
        data=video,
        content_type="application/octet-stream",
    )
    assert response.status_code == 201, response.content
    clip = AssetClip.objects.get(original_name="hands.mp4")
    clips.set_poster(owner, org, clip.pk, io.BytesIO(JPEG[:4] + MARKER + JPEG[4:]))
    files = _files_under(home)
    stored = {home / "files" / clip.storage_name, home / "files" / ClipPoster.objects.get(clip=clip).storage_name}
    assert stored <= set(files)  # the scan does see the sealed clip and poster
    others = [p for p in Path(settings.CHIZAI_HOME).glob("clip-scan-*") if p != home]  # other xdist workers'
    for path in _files_under(settings.CHIZAI_HOME):
        if any(other in path.parents for other in others):
            continue
        try:
            data = path.read_bytes()
        except FileNotFoundError:  # removed by another test meanwhile
            continue
        assert MARKER not in data, f"plaintext in {path}"
        assert video[1000:1064] not in data, f"plaintext in {path}"
    assert _body(_get(client, org, clip)) == video  # and it does come back
    shutil.rmtree(home)


def test_raw_upload_and_multipart_upload_store_the_same_clip(org, owner, asset, client, video):
    raw = client.post(
        f"/o/{org.slug}/register/{asset.pk}/clips/?name=%E6%89%8B.mp4&title=%E6%89%8B%E5%85%83",
        data=video,
        content_type="application/octet-stream",
    )
    assert raw.status_code == 201 and raw.json()["ok"]
    form = client.post(
        f"/o/{org.slug}/register/{asset.pk}/clips/",
        {"title": "form", "file": io.BytesIO(video)},
    )
    assert form.status_code == 302
    first, second = AssetClip.objects.filter(asset=asset).order_by("pk")
    assert (first.original_name, first.title) == ("手.mp4", "手元")
    assert first.sha256 == second.sha256 and first.size == second.size == SIZE
    assert first.storage_name != second.storage_name
    assert AuditEvent.objects.filter(action="register.clip.upload").count() == 2


def _nothing_left(asset, storage_dir, before_files):
    assert not AssetClip.objects.filter(asset=asset).exists()
    assert set(_files_under(storage_dir)) == before_files


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n" + b"x" * 5000, "not a video"),
        (b"just some text, not a clip at all" * 10, "not a video"),
        (mp4(200_000, seed_random=False)[:150_000], "incomplete"),  # cut short: the mdat box ends past the file
        (webm(b"x" * 1000, segment_size=5000), "incomplete"),  # Segment says 5000 bytes, 1000 came
        (JPEG[:-2], "incomplete"),
        (PNG[:-5], "incomplete"),
        (b"", "empty"),
    ],
    ids=["pdf", "text", "mp4-cut-short", "webm-cut-short", "jpeg-no-eoi", "png-no-iend", "empty"],
)
def test_bad_uploads_are_refused_with_nothing_stored(org, owner, asset, storage_dir, data, message):
    before = set(_files_under(storage_dir))
    with pytest.raises(ChizaiError, match=message):
        clips.upload_clip(owner, org, asset.pk, io.BytesIO(data), name="x.mp4")
    _nothing_left(asset, storage_dir, before)


def test_whole_containers_pass(org, owner, asset):
    for data, kind in ((webm(b"y" * 3000), "video/webm"), (webm(b"z" * 100, segment_size=None), "video/webm")):
        assert clips.upload_clip(owner, org, asset.pk, io.BytesIO(data), name="w.webm").content_type == kind
    live = webm(b"q" * 500)[:-1]  # fine only when the size is unknown: build one with the marker
    unknown = live[: live.index(b"\x18\x53\x80\x67") + 4] + b"\x01\xff\xff\xff\xff\xff\xff\xff" + b"q" * 499
    assert clips.upload_clip(owner, org, asset.pk, io.BytesIO(unknown), name="live.webm").size == len(unknown)
    assert clips.upload_clip(owner, org, asset.pk, io.BytesIO(JPEG), name="p.jpg").content_type == "image/jpeg"
    assert clips.upload_clip(owner, org, asset.pk, io.BytesIO(PNG), name="p.png").content_type == "image/png"


def test_a_body_shorter_than_its_content_length_is_refused(org, owner, asset, storage_dir, video):
    before = set(_files_under(storage_dir))
    with pytest.raises(ChizaiError, match="incomplete"):
        clips.upload_clip(owner, org, asset.pk, io.BytesIO(video), name="x.mp4", declared_size=SIZE + 1)
    _nothing_left(asset, storage_dir, before)


class _Endless(io.RawIOBase):
    """An MP4 that never ends: counts what was read, so the test sees the refusal mid-stream."""

    def __init__(self):
        self.read_total = 0
        self._head = mp4(64)

    def readable(self):
        return True

    def read(self, n=-1):
        n = clips.PIECE if n is None or n < 0 else n
        piece = self._head[:n] if self.read_total == 0 else b"\0" * n
        self.read_total += len(piece)
        return piece


def test_an_upload_over_the_limit_is_refused_mid_stream_with_nothing_stored(
    org, owner, asset, storage_dir, settings, tmp_path
):
    settings.CHIZAI_REGISTER_MAX_CLIP_BYTES = 5 * CHUNK
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    before = set(_files_under(storage_dir))
    source = _Endless()
    with pytest.raises(ChizaiError, match="larger than the limit of 5 MB"):
        clips.upload_clip(owner, org, asset.pk, source, name="huge.mp4")
    assert source.read_total <= 5 * CHUNK + clips.PIECE  # stopped at the limit, not at the end
    _nothing_left(asset, storage_dir, before)
    assert list(tmp_path.iterdir()) == []  # the temporary ciphertext is gone too
    # a declared size over the limit is refused before reading anything
    declared = _Endless()
    with pytest.raises(ChizaiError, match="larger than the limit"):
        clips.upload_clip(owner, org, asset.pk, declared, name="huge.mp4", declared_size=4 * 1024**3)
    assert declared.read_total == 0


def test_web_upload_refusals_say_why(org, asset, client, storage_dir, settings):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    before = set(_files_under(storage_dir))
    response = client.post(
        f"/o/{org.slug}/register/{asset.pk}/clips/?name=a.pdf",
        data=b"%PDF-1.4 not a video",
        content_type="application/octet-stream",
    )
    assert response.status_code == 400 and not response.json()["ok"]
    assert "not a video" in response.json()["message"]
    settings.CHIZAI_REGISTER_MAX_CLIP_BYTES = 1000
    response = client.post(
        f"/o/{org.slug}/register/{asset.pk}/clips/?name=big.mp4",
        data=mp4(5000),
        content_type="application/octet-stream",
    )
    assert response.status_code == 400 and "larger than the limit" in response.json()["message"]
    _nothing_left(asset, storage_dir, before)


def test_refusal_message_in_japanese(org, asset, client):
    response = client.post(
        f"/o/{org.slug}/register/{asset.pk}/clips/?name=a.txt",
        data=b"hello, not a video at all",
        content_type="application/octet-stream",
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    message = response.json()["message"]
    assert response.status_code == 400 and "動画" in message, message


# --- chapters, poster, delete ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ms"),
    [("0", 0), ("83", 83_000), ("83.5", 83_500), ("1:23", 83_000), ("１：２３", 83_000), ("1:02:03", 3_723_000)],
)
def test_chapter_times(text, ms):
    assert clips.parse_time(text) == ms


@pytest.mark.parametrize("text", ["", "-1", "1:60", "1:2:3:4", "abc", "1:", ":5", "1:60:00", "25:00:00", "1e3"])
def test_bad_chapter_times_are_refused(text):
    with pytest.raises(ChizaiError):
        clips.parse_time(text)


def test_chapters_are_listed_in_time_order_and_audited(org, owner, clip, client):
    clips.add_chapter(owner, org, clip.pk, at="2:10", title="仕上げ", note="砥石の音が変わったら送りを落とす")
    clips.add_chapter(owner, org, clip.pk, at="0:15", title="段取り")
    page = client.get(f"/o/{org.slug}/register/{clip.asset_id}/")
    html = page.content.decode()
    assert html.index("段取り") < html.index("仕上げ") and 'data-seek="130000"' in html
    assert 'preload="metadata"' in html and "chizai/clips.js" in html
    assert AuditEvent.objects.filter(action="register.clip.chapter.add").count() == 2
    response = client.post(f"/o/{org.slug}/register/clips/{clip.pk}/chapters/", {"at": "x", "title": "t"})
    assert response.status_code == 302 and ClipChapter.objects.filter(clip=clip).count() == 2
    chapter = ClipChapter.objects.get(title="段取り")
    client.post(f"/o/{org.slug}/register/clips/{clip.pk}/chapters/{chapter.pk}/delete/")
    assert list(ClipChapter.objects.filter(clip=clip).values_list("title", flat=True)) == ["仕上げ"]


def test_poster_is_sealed_replaced_and_served_as_an_image(
    org, owner, clip, client, storage_dir, django_capture_on_commit_callbacks
):
    raw = client.post(
        f"/o/{org.slug}/register/clips/{clip.pk}/poster/set/", data=PNG, content_type="application/octet-stream"
    )
    assert raw.status_code == 200 and raw.json()["ok"]
    first = ClipPoster.objects.get(clip=clip)
    with django_capture_on_commit_callbacks(execute=True):
        clips.set_poster(owner, org, clip.pk, io.BytesIO(JPEG))
    poster = ClipPoster.objects.get(clip=clip)
    assert poster.content_type == "image/jpeg" and poster.pk != first.pk
    assert not (Path(storage_dir) / first.storage_name).exists()  # the replaced one is gone
    served = client.get(_url(org, clip, "poster"))
    assert served.status_code == 200 and served.content == JPEG and served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    with translation.override("en"), pytest.raises(ChizaiError, match="JPEG or PNG"):
        clips.set_poster(owner, org, clip.pk, io.BytesIO(mp4(100)))
    assert 'poster="' in client.get(f"/o/{org.slug}/register/{clip.asset_id}/").content.decode()


def test_deleting_a_clip_or_its_asset_removes_the_rows(org, owner, asset, video):
    one = clips.upload_clip(owner, org, asset.pk, io.BytesIO(video), name="a.mp4")
    two = clips.upload_clip(owner, org, asset.pk, io.BytesIO(video), name="b.mp4")
    clips.add_chapter(owner, org, two.pk, at="1", title="t")
    clips.set_poster(owner, org, two.pk, io.BytesIO(JPEG))
    clips.delete_clip(owner, org, one.pk)
    services.delete_asset(owner, org, asset.pk)
    assert not AssetClip.objects.exists() and not ClipPoster.objects.exists() and not ClipChapter.objects.exists()
    assert AuditEvent.objects.filter(action="register.clip.delete").count() == 1


@pytest.mark.django_db(transaction=True)
def test_deleted_objects_go_on_commit(org, owner, asset, video, storage_dir):
    one = clips.upload_clip(owner, org, asset.pk, io.BytesIO(video), name="a.mp4")
    two = clips.upload_clip(owner, org, asset.pk, io.BytesIO(video), name="b.mp4")
    clips.set_poster(owner, org, two.pk, io.BytesIO(JPEG))
    poster = ClipPoster.objects.get(clip=two).storage_name
    clips.delete_clip(owner, org, one.pk)
    assert not (Path(storage_dir) / one.storage_name).exists()
    services.delete_asset(owner, org, asset.pk)
    assert not (Path(storage_dir) / two.storage_name).exists() and not (Path(storage_dir) / poster).exists()


# --- who may ---------------------------------------------------------------------------


def test_playing_needs_the_download_capability(org, people, clip):
    for role, allowed in {"owner": True, "manager": True, "engineer": True, "viewer": False, "adviser": False}.items():
        client = Client()
        client.force_login(people[role])
        response = _get(client, org, clip, "bytes=0-9")
        assert (response.status_code == 206) == allowed, (role, response.status_code)
        if not allowed:
            assert response.status_code in (403, 404)


def test_a_viewer_cannot_upload_or_mark(org, people, clip):
    client = Client()
    client.force_login(people["viewer"])
    assert client.post(f"/o/{org.slug}/register/clips/{clip.pk}/chapters/", {"at": "1", "title": "t"}).status_code in (
        403,
        404,
    )
    response = client.post(
        f"/o/{org.slug}/register/{clip.asset_id}/clips/?name=a.mp4",
        data=mp4(100),
        content_type="application/octet-stream",
    )
    assert response.status_code in (403, 404)
    assert not ClipChapter.objects.exists() and AssetClip.objects.count() == 1


def test_memory_stays_flat_serving_a_large_range(org, owner, asset):
    """A 24 MiB clip served whole and from the middle: peak traced memory stays a few chunks."""
    import tracemalloc

    size = 24 * CHUNK + 77
    clip = clips.upload_clip(owner, org, asset.pk, io.BytesIO(mp4(size, seed_random=False)), name="big.mp4")
    tracemalloc.start()
    try:
        total = sum(len(piece) for piece in clips.read_range(clip, 1000, size - 1))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == size - 1000
    assert peak < 6 * CHUNK, peak


def test_sealer_writes_what_decrypt_stream_reads(org):
    """The push-style sealer and the pull-style encrypt_stream write the same format."""
    for size in (0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK):
        data = os.urandom(size)
        out = io.BytesIO()
        sealer = crypto.Sealer(out, org)
        for at in range(0, size, 300_001):
            sealer.write(data[at : at + 300_001])
        result = sealer.finish()
        out.seek(0)
        assert b"".join(crypto.decrypt_stream(out, result.wrapped_key, result.key_id, org)) == data
        assert len(out.getvalue()) == crypto.sealed_length(size)
        if size:
            out.seek(0)
            got = b"".join(crypto.decrypt_range(out, result.wrapped_key, result.key_id, org, 0, size - 1, size=size))
            assert got == data


def test_chapter_notes_are_a_captions_track(org, owner, clip, client):
    clips.add_chapter(owner, org, clip.pk, at="0:05", title="段取り <治具>", note="締め付けは対角に\n\n--> 順番が大事")
    clips.add_chapter(owner, org, clip.pk, at="1:00.250", title="仕上げ & 確認")
    response = client.get(_url(org, clip, "chapters.vtt"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/vtt")
    assert response.content.decode() == (
        "WEBVTT\n\n"
        "00:00:05.000 --> 00:01:00.250\n段取り &lt;治具&gt;\n締め付けは対角に\n--&gt; 順番が大事\n\n"
        "00:01:00.250 --> 00:01:10.250\n仕上げ &amp; 確認\n"
    )
    page = client.get(f"/o/{org.slug}/register/{clip.asset_id}/").content.decode()
    assert 'kind="captions"' in page and "chapters.vtt" in page


def test_clip_events_show_in_the_assets_audit_trail(org, clip, client):
    _get(client, org, clip, "bytes=0-0")
    page = client.get(f"/o/{org.slug}/register/{clip.asset_id}/").content.decode()
    assert "register.clip.upload" in page and "register.clip.play" in page


def test_demo_clip_is_sealed_marked_and_plays(db, client):
    from chizai.core.tests.factories import MembershipFactory, OrganizationFactory, UserFactory
    from chizai.register import demo, demo_clip

    company = OrganizationFactory(slug="sample-seiko")
    owner = MembershipFactory(organization=company, role="owner", user=UserFactory(username="demo-owner")).user
    engineer = MembershipFactory(organization=company, role="engineer", user=UserFactory(username="demo-eng")).user
    people = {"owner": owner, "engineer": engineer}
    demo.load_demo(company, people)
    demo_clip.load_demo(company, people)
    demo_clip.load_demo(company, people)  # idempotent
    clip = AssetClip.objects.get(asset__title_ja=demo_clip.ASSET_TITLE)
    assert clip.content_type == "video/webm" and ClipPoster.objects.filter(clip=clip).exists()
    assert [c.timestamp for c in clip.chapters.all()] == ["0:00", "0:02", "0:04", "0:06"]
    client.force_login(owner)
    original = (demo_clip.DATA / "jig_setup.webm").read_bytes()
    response = _get(client, company, clip, "bytes=100000-100099")
    assert response.status_code == 206 and _body(response) == original[100000:100100]
