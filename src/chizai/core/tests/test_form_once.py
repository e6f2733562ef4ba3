"""A web form is acted on once: a double click or Back-and-resend does not do the work twice."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client

from chizai.core.models import FormSubmission
from chizai.register.models import Asset

NEW_ASSET = {
    "title_ja": "熱処理条件",
    "kind": "process_conditions",
    "origin": "background",
    "classification": "confidential",
    "protection_strategy": "keep_secret",
    "business_value": "high",
    "tags": "",
}


def _token_on(page) -> str:
    match = re.search(r'name="_once" value="([0-9a-f]{32})"', page.content.decode())
    assert match, "the form carries no _once token"
    return match.group(1)


@pytest.fixture
def browser(org, owner):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner)
    return client


def test_every_post_form_on_a_page_carries_a_fresh_token(org, browser):
    first = _token_on(browser.get(f"/o/{org.slug}/register/new/"))
    second = _token_on(browser.get(f"/o/{org.slug}/register/new/"))
    assert first != second


def test_sending_the_new_asset_form_twice_creates_one_asset(org, browser):
    token = _token_on(browser.get(f"/o/{org.slug}/register/new/"))
    first = browser.post(f"/o/{org.slug}/register/new/", {**NEW_ASSET, "_once": token})
    second = browser.post(f"/o/{org.slug}/register/new/", {**NEW_ASSET, "_once": token}, follow=True)
    assert first.status_code == 302
    assert Asset.objects.filter(title_ja="熱処理条件").count() == 1
    assert second.redirect_chain[0][0] == first["Location"]
    assert "already been sent" in second.content.decode()


def test_a_form_sent_back_with_errors_can_be_corrected_and_sent_with_the_same_page(org, browser):
    token = _token_on(browser.get(f"/o/{org.slug}/register/new/"))
    refused = browser.post(f"/o/{org.slug}/register/new/", {**NEW_ASSET, "title_ja": "", "_once": token})
    assert refused.status_code == 400 and not Asset.objects.exists()  # the form again, with its errors
    corrected = browser.post(f"/o/{org.slug}/register/new/", {**NEW_ASSET, "_once": token})
    assert corrected.status_code == 302 and Asset.objects.count() == 1


def test_another_user_replaying_the_token_learns_nothing(org, browser, members):
    token = _token_on(browser.get(f"/o/{org.slug}/register/new/"))
    browser.post(f"/o/{org.slug}/register/new/", {**NEW_ASSET, "_once": token})
    other = Client()
    other.force_login(members["manager"])
    replay = other.post(f"/o/{org.slug}/register/new/", {**NEW_ASSET, "_once": token})
    assert replay.status_code == 409 and "/register/" not in replay.get("Location", "")
    assert Asset.objects.count() == 1


def test_forms_without_a_token_and_the_api_work_as_before(org, browser):
    assert browser.post(f"/o/{org.slug}/register/new/", NEW_ASSET).status_code == 302
    assert browser.post(f"/o/{org.slug}/register/new/", NEW_ASSET).status_code == 302
    assert Asset.objects.count() == 2 and not FormSubmission.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_sends_racing_create_one_asset(org, owner):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race is exercised on PostgreSQL")
    client = Client()
    client.force_login(owner)
    token = _token_on(client.get(f"/o/{org.slug}/register/new/"))
    results = []

    def send():
        sender = Client()
        sender.force_login(owner)
        results.append(sender.post(f"/o/{org.slug}/register/new/", {**NEW_ASSET, "_once": token}).status_code)
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Asset.objects.filter(title_ja="熱処理条件").count() == 1
    assert results == [302, 302, 302]
