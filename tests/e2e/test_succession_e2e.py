"""Succession in the browser, as the demo owner: the retiring veteran's process gets a capture
plan, a session is recorded, a clip of the veteran's hands is uploaded to the process and the
player seeks in it (answered 206 from the encrypted store), the successor's level is raised to ○
on the skills map, and the home page's "no successor at level 2" count drops by one. (Chapters,
the poster and the plaintext scan of clips are in test_clips_e2e.py.)"""

import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from chizai.core.demo import DEMO_PASSWORD, load_demo
from chizai.register.models import AssetClip
from chizai.succession.models import CapturePlan, OjtSession, Person
from clip_recording import RECORD  # a module beside this one (tests/e2e is no package)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PROCESS = "切削油の配合比率"  # held by the veteran alone, no plan in the demo
SUCCESSOR = "田中 翔太"


def _count(page, live_server, key):
    page.goto(live_server.url + "/o/sample-seiko/")
    badge = page.locator(f"#attention-{key} .badge")
    return int(badge.get_attribute("data-count")) if badge.count() else 0


def test_owner_plans_records_and_the_home_risk_drops(page, live_server):
    load_demo()
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/o/sample-seiko/")
    before = _count(page, live_server, "no_successor")
    assert before >= 1
    assert page.locator("#attention-plans_behind").count() == 1  # the demo's five-axis plan

    # 1. the at-risk list, then a plan for the veteran's process
    page.goto(live_server.url + "/o/sample-seiko/succession/plans/")
    row = page.locator("#at-risk tr", has_text=PROCESS)
    assert "後継者なし" in row.inner_text()
    row.locator("a", has_text="承継計画を作る").click()
    page.wait_for_url("**/plans/new/*/")
    veteran = Person.objects.get(name__startswith="山本 勝")
    successor = Person.objects.get(name=SUCCESSOR)
    page.select_option("#plan-form select[name=holder]", str(veteran.pk))
    page.check(f"#plan-form input[name=successors][value='{successor.pk}']")
    page.fill("#plan-form input[name=target_on]", (timezone.localdate() + timedelta(days=180)).isoformat())
    page.click("#plan-form button[type=submit]")
    page.wait_for_url("**/succession/plans/*/")
    plan = CapturePlan.objects.get(asset__title_ja=PROCESS)
    assert page.locator("#progress svg[role=img]").count() == 1

    # 2. a session
    page.fill("#session-form input[name=hours]", "2")
    page.fill("#session-form textarea[name=covered]", "配合の順番と温度")
    page.fill("#session-form textarea[name=notes]", "夏は水を先に")
    page.click("#session-form button[type=submit]")
    page.wait_for_load_state()
    assert "配合の順番と温度" in page.inner_text("#sessions")
    assert OjtSession.objects.filter(plan=plan).count() == 1

    # 3. a clip of the veteran's hands on the process, then a seek in it
    page.goto(f"{live_server.url}/o/sample-seiko/register/{plan.asset.pk}/")
    if page.evaluate(
        "() => typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported('video/webm;codecs=vp8')"
    ):
        video_bytes = base64.b64decode(page.evaluate(RECORD))
        ranges = []
        page.on("response", lambda r: ranges.append(r.status) if "/stream" in r.url else None)
        page.fill("form[data-clip-upload] input[name=title]", "配合の手元")
        page.set_input_files(
            "form[data-clip-upload] input[type=file]",
            files=[{"name": "haigou.webm", "mimeType": "video/webm", "buffer": video_bytes}],
        )
        with page.expect_navigation():
            page.click("form[data-clip-upload] button[type=submit]")
        clip = AssetClip.objects.get(asset=plan.asset)
        assert clip.size == len(video_bytes)
        page.wait_for_function("() => document.querySelector('video[data-clip-video]').readyState >= 1")
        page.evaluate("""() => {
            const video = document.querySelector('video[data-clip-video]');
            video.muted = true;
            window.__seeked = new Promise((resolve) => video.addEventListener('seeked', resolve, { once: true }));
            video.currentTime = 1.0;
        }""")
        page.evaluate("() => window.__seeked")
        assert ranges and set(ranges) == {206}, ranges
    else:  # the same skip reason as test_clips_e2e: no clip can be made without MediaRecorder
        pytest.skip("this chromium cannot record WebM (MediaRecorder), so there is no clip to upload")

    # 4. the successor reaches ○ on the skills map
    page.goto(live_server.url + "/o/sample-seiko/succession/")
    skill_id = plan.asset.skill.pk
    page.select_option(f"select[name='cell-{successor.pk}-{skill_id}']", "2")
    page.click("#skills-map-form button[type=submit]")
    page.wait_for_url("**/succession/")
    assert page.locator(f"select[name='cell-{successor.pk}-{skill_id}']").input_value() == "2"

    # 5. the home page counts one fewer process without a successor
    assert _count(page, live_server, "no_successor") == before - 1
