"""The shared input rules (core.validation) on their own, and a helper the apps' input tests use."""

import pytest
from django.db import connection
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from chizai.core.services import ChizaiError
from chizai.core.validation import bad_character, ids, one_id, text_error


def stored_control() -> str:
    """A control character old rows may hold: NUL where the database keeps it (SQLite), else ESC
    (PostgreSQL refuses NUL outright); XLSX and DOCX refuse both."""
    return "\x00" if connection.vendor == "sqlite" else "\x1b"


def page_after_post(client, user, url: str, data: dict | None = None) -> str:
    """Post as ``user`` in English, follow the redirect, and return the page shown."""
    client.force_login(user)
    page = client.post(url, data or {}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    return page.content.decode()


@given(st.text())
def test_accepted_single_line_text_holds_no_control_character(text):
    if bad_character(text) is None:
        assert all(c >= " " and not "\x7f" <= c <= "\x9f" for c in text)


def test_multi_line_text_keeps_tabs_and_line_breaks_only():
    assert bad_character("a\tb\r\nc", multiline=True) is None
    assert bad_character("a\tb") == "\t" and bad_character("a\x00b", multiline=True) == "\x00"


def test_messages_are_translated():
    with translation.override("ja"):
        assert "制御文字" in text_error("a\x00")
        assert "200文字" in text_error("x" * 201, max_length=200)
    with translation.override("en"):
        assert "At most 200 characters" in text_error("x" * 201, max_length=200)


def test_posted_ids():
    assert ids(["1", " 22 "]) == [1, 22]
    for bad in ("abc", "-1", "1.5", "١", "9" * 30):
        with pytest.raises(ChizaiError):
            ids([bad])
        assert one_id(bad) == 0
    assert one_id(None) == 0 and one_id("7") == 7


def test_revoking_a_token_with_a_posted_id_that_is_not_a_number_answers_404(client, org, owner):
    client.force_login(owner)
    assert client.post("/account/tokens/", {"revoke": "abc"}).status_code == 404
