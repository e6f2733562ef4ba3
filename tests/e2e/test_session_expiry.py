"""A form sent after the session ended keeps what was typed and says why (issue 14).

The choice: the browser keeps the copy (static/chizai/drafts.js, sessionStorage of this tab,
never passwords, files or hidden tokens), not the server. The server cannot keep a POST for a
user it no longer knows without storing unauthenticated data; the tab already has it. The
login page says the form was not saved and what was typed is kept; after signing in the login
returns to the form (its "next"), which is filled in again with a note saying why; the person
checks it and sends it. A form that reached the server leaves no copy behind."""

import pytest
from django.contrib.sessions.models import Session

from chizai.register.models import Asset

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-Pass-4821"
TITLE = "E2E 失効前に入力した資産"
DESCRIPTION = "長い説明。セッションが切れても失われないこと。"


@pytest.fixture
def signed_in(page, live_server, org, owner):
    owner.set_password(PASSWORD)
    owner.save()
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", owner.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()
    return page


def test_form_sent_after_the_session_ended_is_put_back_after_signing_in(signed_in, live_server, org, owner):
    page = signed_in
    form_url = f"{live_server.url}/o/{org.slug}/register/new/"
    page.goto(form_url)
    page.fill("input[name=title_ja]", TITLE)
    page.fill("textarea[name=description]", DESCRIPTION)
    Session.objects.all().delete()  # the session ends on the server while the form is open

    page.click("form.card button[type=submit]")
    page.wait_for_load_state()
    assert "/login/" in page.url
    kept = page.locator(".draft-notice")
    assert kept.is_visible() and "入力した内容" in kept.inner_text(), kept.inner_text()
    assert not Asset.objects.filter(title_ja=TITLE).exists()

    page.fill("input[name=username]", owner.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()
    assert page.url == form_url
    assert page.input_value("input[name=title_ja]") == TITLE
    assert page.input_value("textarea[name=description]") == DESCRIPTION
    assert "戻しました" in page.locator(".draft-notice").inner_text()

    page.click("form.card button[type=submit]")
    page.wait_for_load_state()
    assert Asset.objects.filter(title_ja=TITLE, description=DESCRIPTION).count() == 1
    assert page.evaluate("() => sessionStorage.getItem('chizai-draft')") is None


def test_a_form_that_reached_the_server_leaves_no_copy(signed_in, live_server, org):
    page = signed_in
    page.goto(f"{live_server.url}/o/{org.slug}/register/new/")
    page.fill("input[name=title_ja]", TITLE)
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()
    assert Asset.objects.filter(title_ja=TITLE).count() == 1
    assert page.evaluate("() => sessionStorage.getItem('chizai-draft')") is None
    page.goto(f"{live_server.url}/o/{org.slug}/register/new/")  # a fresh form stays empty
    assert page.input_value("input[name=title_ja]") == ""
    assert page.locator(".draft-notice").count() == 0
