"""A clip of hands at work in the browser: the owner records a short WebM (the browser's own
MediaRecorder draws it from a canvas: no encoder is installed here), uploads it to an asset
(sent as the raw body, sealed as it arrives), plays it, marks a chapter, seeks to it, sets
the frame on screen as the poster; every media request is answered 206 from the encrypted
store, playback is audited once, and the clip's bytes are nowhere in plaintext under
CHIZAI_HOME."""

import base64
from pathlib import Path

import pytest
from django.conf import settings

from chizai.core.models import AuditEvent
from chizai.core.tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from chizai.register import services
from chizai.register.models import AssetClip, ClipPoster
from clip_recording import RECORD  # a module beside this one (tests/e2e is no package)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_owner_uploads_plays_marks_and_seeks_a_clip(page, live_server):
    org = OrganizationFactory(slug="clip-seiko")
    owner = UserFactory(username="clip-owner")
    MembershipFactory(organization=org, user=owner, role="owner")
    asset = services.create_asset(owner, org, title_ja="研削盤の段取り", classification="confidential")

    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", "clip-owner")
    page.fill("input[name=password]", "pw-for-tests-123")
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()
    asset_url = f"{live_server.url}/o/{org.slug}/register/{asset.pk}/"
    page.goto(asset_url)

    if not page.evaluate(
        "() => typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported('video/webm;codecs=vp8')"
    ):
        pytest.skip("this chromium cannot record WebM (MediaRecorder), so there is no clip to play")
    video_bytes = base64.b64decode(page.evaluate(RECORD))
    assert video_bytes[:4] == b"\x1a\x45\xdf\xa3" and len(video_bytes) > 5000

    media = []
    page.on(
        "response",
        lambda response: (
            media.append((response.status, response.request.headers.get("range"), response.headers))
            if "/stream" in response.url
            else None
        ),
    )

    # upload through the page's script (raw body, progress bar), which reloads the page
    page.fill("form[data-clip-upload] input[name=title]", "段取りの手元")
    page.set_input_files(
        "form[data-clip-upload] input[type=file]",
        files=[{"name": "dandori.webm", "mimeType": "video/webm", "buffer": video_bytes}],
    )
    with page.expect_navigation():
        page.click("form[data-clip-upload] button[type=submit]")
    clip = AssetClip.objects.get(asset=asset)
    assert clip.content_type == "video/webm" and clip.size == len(video_bytes)
    assert page.locator("#clips h3", has_text="段取りの手元").count() == 1

    # the player loads its metadata through Range requests
    page.wait_for_function("() => document.querySelector('video[data-clip-video]').readyState >= 1")

    # a chapter mark, then a seek to it with its button
    page.fill(".chapter-form input[name=at]", "0:01")
    page.fill(".chapter-form input[name=title]", "砥石を当てる")
    page.fill(".chapter-form textarea[name=note]", "音が変わったら送りを落とす")
    page.click(".chapter-form button[type=submit]")
    page.wait_for_load_state()
    page.wait_for_function("() => document.querySelector('video[data-clip-video]').readyState >= 1")
    assert page.locator("ol.chapters li", has_text="砥石を当てる").count() == 1
    page.evaluate("""() => {
        const video = document.querySelector('video[data-clip-video]');
        window.__seeked = new Promise((resolve) => video.addEventListener('seeked', resolve, { once: true }));
        video.muted = true;
    }""")
    page.click("ol.chapters button[data-seek='1000']")
    page.evaluate("() => window.__seeked")
    assert abs(page.evaluate("() => document.querySelector('video[data-clip-video]').currentTime") - 1.0) < 0.3
    page.evaluate("() => document.querySelector('video[data-clip-video]').pause()")

    # every media request carried a Range and got a 206 with its Content-Range
    assert media, "the player made no request for the clip"
    for status, range_header, headers in media:
        assert range_header and range_header.startswith("bytes="), range_header
        assert status == 206, (status, range_header)
        assert headers["content-range"].endswith(f"/{clip.size}")

    # a seek from the page's own script: a middle range, and one past the end
    middle = page.evaluate(
        """async (url) => {
            const r = await fetch(url, { headers: { Range: 'bytes=1000-1999' } });
            return [r.status, (await r.arrayBuffer()).byteLength, r.headers.get('content-range')];
        }""",
        f"/o/{org.slug}/register/clips/{clip.pk}/stream",
    )
    assert middle == [206, 1000, f"bytes 1000-1999/{clip.size}"]
    past = page.evaluate(
        "async (url) => (await fetch(url, { headers: { Range: 'bytes=99999999-' } })).status",
        f"/o/{org.slug}/register/clips/{clip.pk}/stream",
    )
    assert past == 416

    # the frame on screen becomes the poster (a canvas, posted as JPEG)
    page.evaluate("() => { document.querySelector('video[data-clip-video]').currentTime = 1.2; }")
    page.wait_for_function("() => document.querySelector('video[data-clip-video]').readyState >= 2")
    with page.expect_navigation():
        page.click("[data-poster-frame]")
    poster = ClipPoster.objects.get(clip=clip)
    assert poster.content_type == "image/jpeg"
    assert page.locator("video[data-clip-video][poster]").count() == 1

    # the page with a clip on it: no serious accessibility problem, and it fits a phone
    # imported here, as test_page_walk does: without the dev extra this module must still import and skip
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page, options={"resultTypes": ["violations"], "runOnly": ["wcag2a", "wcag2aa", "best-practice"]}
    )
    serious = [v["id"] for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]
    assert not serious, serious
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0

    # one playback audited, however many Range requests the player made
    assert AuditEvent.objects.filter(action="register.clip.play", object_id=str(clip.pk)).count() == 1
    # and no plaintext of the clip anywhere under CHIZAI_HOME, nor in the storage (the tests
    # keep it in a temporary folder; in production it is CHIZAI_HOME/files)
    probe = video_bytes[len(video_bytes) // 2 : len(video_bytes) // 2 + 64]
    storage = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    scanned = [p for folder in (Path(settings.CHIZAI_HOME), storage) for p in folder.rglob("*") if p.is_file()]
    assert storage / clip.storage_name in scanned
    for path in scanned:
        assert probe not in path.read_bytes(), f"plaintext of the clip in {path}"
