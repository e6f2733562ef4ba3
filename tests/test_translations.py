"""Every UI string has a Japanese and an English translation, and the compiled catalogues are current.

Fails when a template or Python string marked for translation is missing from its app's
catalogue, when a Japanese entry is empty or fuzzy, or when a .mo file is stale.
Fix with: python tools/i18n.py update, then translate the new entries.
"""

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import i18n  # noqa: E402


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed: apt-get install gettext"
)
def test_catalogues_are_complete_and_compiled():
    problems = i18n.check()
    assert not problems, "translation problems:\n" + "\n".join(problems[:60])


def test_japanese_is_served(client, db):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="ja")
    assert "ログイン" in response.content.decode()
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Log in" in response.content.decode() and "ログイン" not in response.content.decode()
