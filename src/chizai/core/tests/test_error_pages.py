"""The product's own error pages and API docs: one language at a time, nothing from a CDN."""

import re

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from chizai.core import views


def test_api_docs_load_their_assets_from_the_site_itself(client, owner):
    client.force_login(owner)
    page = client.get("/api/docs")
    html = page.content.decode()
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert assets, html[:500]
    assert all(a.startswith("/static/") for a in assets), assets
    for asset in assets:
        assert Client().get(asset).status_code == 200, asset


@pytest.mark.parametrize(
    ("language", "expected", "foreign"),
    [
        ("ja", "再読み込み", "reload"),
        ("en", "reload", "再読み込み"),
    ],
)
def test_a_refused_form_gets_the_product_page_in_the_readers_language(org, owner, language, expected, foreign):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(owner)
    response = client.post(f"/o/{org.slug}/members/invite/", {"email": "x@example.jp", "role": "viewer"})
    html = response.content.decode()
    assert response.status_code == 403
    assert expected in html and foreign not in html.lower()
    assert "CSRF verification failed" not in html and "Forbidden" not in html


@pytest.mark.parametrize(("language", "foreign"), [("ja", "Something went wrong"), ("en", "エラー")])
def test_server_error_page_speaks_one_language(db, language, foreign):
    with translation.override(language):
        response = views.server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert foreign not in html


def test_demo_serves_production_like_error_pages(monkeypatch):
    from chizai import cli

    chosen = {}
    monkeypatch.setattr(cli, "_django", lambda debug=None: chosen.setdefault("debug", debug))
    monkeypatch.delenv("CHIZAI_DEBUG", raising=False)

    class Stop(Exception):
        pass

    def stop(*args, **kwargs):
        raise Stop

    monkeypatch.setattr("chizai.core.demo.demo_refusal", stop)
    with pytest.raises(Stop):
        cli.demo(serve=False, port=8000, worker=False, force=False)
    assert chosen["debug"] is not True
