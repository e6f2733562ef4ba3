"""The register table: sortable columns (whitelisted, stable), 50 rows a page with page links,
sort and filters kept across pages, active filters and counts shown, labels in both languages."""

from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.urls import reverse

from chizai.register.risk import succession_risk
from chizai.register.tests.factories import AssetFactory

pytestmark = pytest.mark.django_db
LEVELS = ["public", "internal", "confidential"]


@pytest.fixture
def assets(org):
    # 120 assets: titles in one order, classifications cycling, every third one with the same review date
    return [
        AssetFactory(
            organization=org,
            title_ja=f"資産{n:03d}",
            classification=LEVELS[n % 3],
            next_review=date(2030, 1, 1) if n % 3 == 0 else date(2030, 1, 1) + timedelta(days=n),
        )
        for n in range(120)
    ]


@pytest.fixture
def client_(owner):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner)
    return client


def _titles(response):
    return [asset.title_ja for asset, _risk in response.context["rows"]]


def _url(org, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("ic_register", args=[org.slug]) + (f"?{query}" if query else "")


def test_sort_by_title_both_ways_across_pages(client_, org, assets):
    expected = sorted(a.title_ja for a in assets)
    pages = [_titles(client_.get(_url(org, sort="title", page=n))) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [50, 50, 20]
    assert pages[0] + pages[1] + pages[2] == expected
    reverse_pages = [_titles(client_.get(_url(org, sort="-title", page=n))) for n in (1, 2, 3)]
    assert sum(reverse_pages, []) == expected[::-1]


def test_classification_sorts_by_level_and_ties_are_stable(client_, org, assets):
    seen = sum((_titles(client_.get(_url(org, sort="classification", page=n))) for n in (1, 2, 3)), [])
    assert len(seen) == len(set(seen)) == 120  # no row twice, none lost between pages
    by_title = {a.title_ja: a for a in assets}
    levels = [LEVELS.index(by_title[t].classification) for t in seen]
    assert levels == sorted(levels)
    public = [t for t in seen if by_title[t].classification == "public"]
    assert public == sorted(public, key=lambda t: by_title[t].pk)  # equal values: primary key order


def test_unknown_sort_key_is_ignored(client_, org, assets):
    response = client_.get(_url(org, sort="organization__slug"))
    assert response.status_code == 200 and len(_titles(response)) == 50


def test_page_links_keep_sort_and_filters_and_header_links_reset_page(client_, org, assets):
    response = client_.get(_url(org, sort="-title", classification="internal", page=1))
    page = response.content.decode()
    assert response.context["matching"] == 40 and response.context["total"] == 120
    assert "40 of 120 assets match" in page
    assert "Classification: <strong>Internal</strong>" in page
    # no second page for 40 rows; with no filter there are three pages, each link keeps the sort
    response = client_.get(_url(org, sort="-title"))
    links = [url for _label, url in response.context["page_links"] if url]
    assert len(links) == 3
    for url in links:
        query = parse_qs(urlparse(url).query)
        assert query["sort"] == ["-title"]
    header = response.context["columns"]["title"]
    assert header.state == "descending" and "sort=title" in header.url and "page" not in header.url
    assert 'aria-sort="descending"' in response.content.decode()
    second = client_.get(reverse("ic_register", args=[org.slug]) + links[1])
    assert _titles(second)[0] == sorted((a.title_ja for a in assets), reverse=True)[50]


def test_filter_form_keeps_the_sort_and_labels_read_well_in_both_languages(client_, org, assets):
    response = client_.get(_url(org, sort="next_review"), HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert 'name="sort" value="next_review"' in page
    for label in ("Title contains", "Kind", "Classification", "Only assets due for review"):
        assert label in page
    assert ">review_due<" not in page and "review due:" not in page
    ja = client_.get(_url(org), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "Title contains" not in ja and "Only assets due for review" not in ja
    assert "120件" in ja or "120 件" in ja


def test_review_due_checkbox_sits_in_its_label(client_, org, assets):
    page = client_.get(_url(org)).content.decode()
    assert '<label class="check"><input type="checkbox" name="review_due"' in page


def test_risk_filter_keeps_the_sort(client_, org, assets):
    level = succession_risk(assets[0]).level  # assets without holders all carry one level
    response = client_.get(_url(org, sort="-title", risk=level))
    titles = _titles(response)
    assert len(titles) == 50 and titles == sorted((a.title_ja for a in assets), reverse=True)[:50]


def test_new_asset_form_puts_each_checkbox_in_its_label(client_, org):
    page = client_.get(reverse("register_create", args=[org.slug])).content.decode()
    assert '<label class="check" for="id_ts_marked"><input type="checkbox" name="ts_marked"' in page
    assert "chizai/lists.css" in page
