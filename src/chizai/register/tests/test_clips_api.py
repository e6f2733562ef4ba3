"""Clips through the API: raw-body upload, ranged stream, chapters, delete; and the Range
header parser against a simple model of RFC 9110 (hypothesis)."""

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from chizai.core import services as core_services
from chizai.core.models import AuditEvent
from chizai.register import ranges, services
from chizai.register.models import AssetClip
from chizai.register.tests.clipdata import mp4


@pytest.fixture
def api(owner):
    _token, secret = core_services.create_api_token(owner, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_ACCEPT_LANGUAGE": "en"}


def test_api_upload_range_chapters_delete(org, owner, api):
    asset = services.create_asset(owner, org, title_ja="溶接の運棒", classification="internal")
    data = mp4(2_500_000, marker=b"API-CLIP")
    client = Client()
    created = client.post(
        f"/api/orgs/{org.slug}/assets/{asset.pk}/clips?name=weld.mp4&title=運棒",
        data=data,
        content_type="video/mp4",
        **api,
    )
    assert created.status_code == 201, created.content
    clip_id = created.json()["id"]
    assert created.json()["size"] == len(data) and created.json()["content_type"] == "video/mp4"
    part = client.get(f"/api/orgs/{org.slug}/assets/clips/{clip_id}/stream", HTTP_RANGE="bytes=1048570-1048589", **api)
    assert part.status_code == 206 and b"".join(part.streaming_content) == data[1048570:1048590]
    assert part["Content-Range"] == f"bytes 1048570-1048589/{len(data)}"
    assert AuditEvent.objects.filter(action="register.clip.play").count() == 0  # a seek, not a start
    bad = client.get(f"/api/orgs/{org.slug}/assets/clips/{clip_id}/stream", HTTP_RANGE=f"bytes={len(data)}-", **api)
    assert bad.status_code == 416 and bad["Content-Range"] == f"bytes */{len(data)}"
    whole = client.get(f"/api/orgs/{org.slug}/assets/clips/{clip_id}/stream", **api)
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == data
    assert AuditEvent.objects.filter(action="register.clip.play").count() == 1
    chapter = client.post(
        f"/api/orgs/{org.slug}/assets/clips/{clip_id}/chapters",
        data={"at": "0:01.5", "title": "運棒開始", "note": "角度 70°"},
        content_type="application/json",
        **api,
    )
    assert chapter.status_code == 201 and chapter.json()["at_ms"] == 1500
    refused = client.post(
        f"/api/orgs/{org.slug}/assets/clips/{clip_id}/chapters",
        data={"at": "soon", "title": "x"},
        content_type="application/json",
        **api,
    )
    assert refused.status_code == 400
    listed = client.get(f"/api/orgs/{org.slug}/assets/{asset.pk}/clips", **api).json()
    assert [c["title"] for c in listed[0]["chapters"]] == ["運棒開始"]
    not_video = client.post(
        f"/api/orgs/{org.slug}/assets/{asset.pk}/clips?name=a.txt", data=b"plain text", content_type="text/plain", **api
    )
    assert not_video.status_code == 400 and "not a video" in not_video.json()["detail"]
    assert client.delete(f"/api/orgs/{org.slug}/assets/clips/{clip_id}", **api).status_code == 204
    assert not AssetClip.objects.exists()


def _model(spec: list[tuple[int | None, int | None]], size: int):
    """What RFC 9110 says one parsed range set means, written out plainly."""
    spans = []
    for first, last in spec:
        if first is None:
            if last == 0:
                continue
            spans.append((max(0, size - last), size - 1))
        elif last is not None and last < first:
            return "416"
        elif first < size:
            spans.append((first, size - 1 if last is None else min(last, size - 1)))
    if not spans:
        return "416"
    return None if len(spec) > 1 else spans[0]


_bound = st.integers(0, 3000)
_one = st.one_of(
    st.tuples(_bound, st.none()),
    st.tuples(_bound, _bound),
    st.tuples(st.none(), _bound),
)


@given(size=st.integers(1, 2000), spec=st.lists(_one, min_size=1, max_size=3), spaces=st.booleans())
def test_range_parser_matches_the_rfc(size, spec, spaces):
    sep = " , " if spaces else ","
    header = "bytes=" + sep.join(f"{'' if a is None else a}-{'' if b is None else b}" for a, b in spec)
    expected = _model(spec, size)
    if expected == "416":
        with pytest.raises(ranges.Unsatisfiable):
            ranges.parse(header, size)
        return
    got = ranges.parse(header, size)
    if expected is None:
        assert got is None
    else:
        assert (got.start, got.end) == expected and 0 <= got.start <= got.end < size


@given(header=st.text(max_size=60), size=st.integers(1, 10**12))
def test_range_parser_never_crashes_and_stays_in_bounds(header, size):
    try:
        got = ranges.parse(header, size)
    except ranges.Unsatisfiable:
        return
    if got is not None:
        assert 0 <= got.start <= got.end < size
