"""Japanese and English search over fields and files; never a hit or snippet past access."""

import io

import docx
import openpyxl
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from chizai.core import jobs
from chizai.core.models import Job
from chizai.register import search, services
from chizai.register.models import SearchChunk


def _index_all():
    for job in Job.objects.filter(kind="register.index", status="queued"):
        assert jobs.execute(job.pk) == "succeeded"


def _pdf(text: str) -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setFont("HeiseiKakuGo-W5", 12)
    page.drawString(72, 760, text)
    page.save()
    return buffer.getvalue()


def _docx(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xlsx(text: str) -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = text
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_tokens_split_compounds_so_two_character_terms_match():
    assert {"金型", "図面"} <= set(search.tokens("金型図面の管理"))
    assert "特許" in search.tokens("特許出願済み")


@pytest.mark.parametrize("query", ["特許", "図面", "金型"])
def test_two_character_terms_are_found(org, owner, query):
    asset = services.create_asset(owner, org, title_ja="金型図面と特許出願の方針", classification="internal")
    _index_all()
    assert [h.asset_id for h in services.search_assets(owner, org, query)] == [asset.pk]


@pytest.mark.parametrize(
    "name,maker,phrase,query",
    [
        ("report.pdf", _pdf, "焼入れ温度は八百五十度", "焼入れ温度"),
        ("sop.docx", _docx, "バリ取り工程の作業標準", "作業標準"),
        ("data.xlsx", _xlsx, "表面粗さ測定結果", "粗さ"),
        ("note.txt", lambda t: t.encode("cp932"), "研削盤の砥石交換時期", "砥石"),
        ("note.md", lambda t: f"# 見出し\n{t}".encode(), "electroless nickel plating", "Nickel"),
    ],
)
def test_text_extracted_from_files_is_searchable(org, owner, name, maker, phrase, query):
    asset = services.create_asset(owner, org, title_ja="資料", classification="internal")
    services.upload_version(owner, org, asset.pk, io.BytesIO(maker(phrase)), name=name)
    _index_all()
    hits = services.search_assets(owner, org, query)
    assert hits and hits[0].asset_id == asset.pk and hits[0].file == name


def test_english_query_and_json_shape(org, owner):
    asset = services.create_asset(
        owner,
        org,
        title_ja="めっき条件",
        title_en="Plating conditions",
        classification="internal",
        description="Electroless nickel plating bath at 90 degrees",
    )
    _index_all()
    hits = services.search_assets(owner, org, "Nickel plating")
    assert hits[0].asset_id == asset.pk and "nickel" in hits[0].snippet.lower()


def test_search_never_leaks_secret_titles_or_confidential_snippets(org, people):
    owner = people["owner"]
    secret = services.create_asset(
        owner, org, title_ja="極秘の金型設計", classification="secret", description="金型の冷却回路"
    )
    confidential = services.create_asset(
        owner, org, title_ja="秘密の加工条件", classification="confidential", description="金型の研磨手順"
    )
    _index_all()
    assert {h.asset_id for h in services.search_assets(owner, org, "金型")} == {secret.pk, confidential.pk}
    engineer = {h.asset_id for h in services.search_assets(people["engineer"], org, "金型")}
    assert engineer == {confidential.pk}
    # An adviser sees confidential metadata but not its text: the description match must not surface.
    assert services.search_assets(people["adviser"], org, "研磨") == []
    assert [h.asset_id for h in services.search_assets(people["adviser"], org, "加工")] == [confidential.pk]
    assert services.search_assets(people["viewer"], org, "金型") == []


def test_search_never_crosses_organisations(org, owner):
    from chizai.core.tests.factories import MembershipFactory, OrganizationFactory

    rival = OrganizationFactory(slug="rival")
    MembershipFactory(organization=rival, user=owner, role="owner")
    services.create_asset(owner, rival, title_ja="他社の金型", classification="internal")
    mine = services.create_asset(owner, org, title_ja="自社の金型", classification="internal")
    _index_all()
    assert [h.asset_id for h in services.search_assets(owner, org, "金型")] == [mine.pk]


def test_reindex_replaces_old_chunks(org, owner):
    asset = services.create_asset(owner, org, title_ja="旧名称の治具", classification="internal")
    _index_all()
    services.update_asset(owner, org, asset.pk, title_ja="新名称の治具")
    _index_all()
    assert services.search_assets(owner, org, "旧名称") == []
    assert SearchChunk.objects.filter(asset=asset, level="meta").count() == 1


def test_password_protected_pdf_is_stored_with_a_note(org, owner):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt("pw-123")
    buffer = io.BytesIO()
    writer.write(buffer)
    asset = services.create_asset(owner, org, title_ja="暗号化PDF", classification="internal")
    version = services.upload_version(owner, org, asset.pk, io.BytesIO(buffer.getvalue()), name="locked.pdf")
    _index_all()
    version.refresh_from_db()
    assert "password-protected" in version.extracted_note


def test_rank_window_applies_after_access_so_visible_matches_are_not_lost(org, people, monkeypatch):
    monkeypatch.setattr(search, "RANK_WINDOW", 3)
    owner = people["owner"]
    visible = [
        services.create_asset(owner, org, title_ja=f"金型 公開 {i}", classification="internal").pk for i in range(3)
    ]
    for i in range(6):  # newer than the visible ones, so they would fill a window taken before access
        services.create_asset(owner, org, title_ja=f"金型 極秘 {i}", classification="secret")
    _index_all()
    assert {h.asset_id for h in services.search_assets(people["engineer"], org, "金型")} == set(visible)
    assert len(services.search_assets(owner, org, "金型")) == 3


def test_reclassification_reaches_the_index_at_once(org, people):
    """Chunks carry their asset's class; a reclassification changes them in the same
    transaction, so content is hidden before any re-index job runs."""
    owner, viewer = people["owner"], people["viewer"]
    asset = services.create_asset(
        owner, org, title_ja="段取り替えの手順", classification="public", description="段取り替えを十分で終える治具"
    )
    _index_all()
    assert set(SearchChunk.objects.filter(asset=asset).values_list("classification", flat=True)) == {"public"}
    assert [h.asset_id for h in services.search_assets(viewer, org, "治具")] == [asset.pk]
    services.reclassify(owner, org, [asset.pk], "confidential")
    assert set(SearchChunk.objects.filter(asset=asset).values_list("classification", flat=True)) == {"confidential"}
    assert services.search_assets(viewer, org, "治具") == []
    assert services.search_assets(viewer, org, "段取り") == []
    assert [h.asset_id for h in services.search_assets(people["engineer"], org, "治具")] == [asset.pk]


def test_a_chunk_cannot_be_given_another_class_or_organisation_than_its_asset(org, other_org, owner):
    """Whatever writes the chunk table (a bulk insert, a hand-written UPDATE), the copy stays true."""
    asset = services.create_asset(owner, org, title_ja="極秘の配合", classification="secret")
    chunk = SearchChunk.objects.create(organization=org, asset=asset, level="text", tokens="配合 比")
    chunk.refresh_from_db()
    assert chunk.classification == "secret"
    SearchChunk.objects.filter(pk=chunk.pk).update(classification="public")
    chunk.refresh_from_db()
    assert chunk.classification == "secret"
    SearchChunk.objects.filter(pk=chunk.pk).update(organization=other_org)
    chunk.refresh_from_db()
    assert chunk.organization_id == org.pk
    other = services.create_asset(owner, org, title_ja="公開資料", classification="public")
    SearchChunk.objects.filter(pk=chunk.pk).update(asset=other)
    chunk.refresh_from_db()
    assert chunk.classification == "public"


def _reference_window(user, org, term, window):
    """What the rank window must hold: the newest ``window`` matching chunks the user may read."""
    readable_meta = set(
        services.Asset.objects.restrict(user, "view").filter(organization=org).values_list("pk", flat=True)
    )
    readable_text = set(
        services.Asset.objects.restrict(user, "text").filter(organization=org).values_list("pk", flat=True)
    )
    rows = SearchChunk.objects.filter(organization=org).order_by("-pk").values_list("pk", "asset_id", "level", "tokens")
    visible = [
        pk
        for pk, asset_id, level, tokens in rows
        if term in tokens.split() and asset_id in (readable_meta if level == "meta" else readable_text)
    ]
    return set(visible[:window])


@pytest.mark.parametrize("layout", ["dense", "sparse", "old_only", "mixed_access"])
def test_postgres_window_walk_holds_exactly_the_newest_visible_matches(org, people, monkeypatch, layout):
    """The range walk (small first range, then sized by density) must find the same set a
    full scan would: the newest RANK_WINDOW visible matches, wherever they sit."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the id-range walk is the PostgreSQL backend's; SQLite counts in FTS5 instead")
    monkeypatch.setattr(search, "RANK_WINDOW", 7)
    monkeypatch.setattr(search.PostgresBackend, "FIRST_SPAN", 4)
    owner, engineer = people["owner"], people["engineer"]
    classes = {"mixed_access": ["secret", "internal", "confidential", "secret"]}.get(layout, ["internal"])
    assets = [
        services.create_asset(owner, org, title_ja=f"資産{i}", classification=classes[i % len(classes)])
        for i in range(8)
    ]
    rows = []
    for i in range(160):
        if layout == "dense":
            has = i % 2 == 0
        elif layout == "sparse":
            has = i % 37 == 0
        elif layout == "old_only":
            has = i < 20
        else:
            has = i % 3 == 0
        words = f"語{i} 別{i % 5}" + (" 研磨" if has else "")
        rows.append(
            SearchChunk(
                organization=org, asset=assets[i % len(assets)], level="meta" if i % 4 == 0 else "text", tokens=words
            )
        )
    SearchChunk.objects.bulk_create(rows)
    for user in (owner, engineer, people["viewer"]):
        access = search.chunk_access(user, org)
        got = (
            {
                chunk_id
                for chunk_id, _asset, _score in search.PostgresBackend().candidates(org.pk, [["研磨"]], access, 1000)
            }
            if access
            else set()
        )
        assert got == _reference_window(user, org, "研磨", 7), (layout, user.username)


def test_named_people_find_a_secret_asset_and_nobody_else_does(org, people):
    """極秘 content is searchable by the owner and by people named on the asset (grant or
    holder with an account) — through the same subqueries restrict() uses, now on chunks."""
    owner = people["owner"]
    secret = services.create_asset(
        owner, org, title_ja="極秘の熱処理条件", classification="secret", description="焼戻し温度の微調整で歪みを抑える"
    )
    _index_all()
    for role in ("manager", "engineer", "viewer", "adviser"):
        assert services.search_assets(people[role], org, "焼戻し") == [], role
    services.grant(owner, org, secret.pk, people["engineer"])
    services.add_holder(owner, org, secret.pk, name="閲覧者", user=people["viewer"])
    services.add_holder(owner, org, secret.pk, name="顧問", user=people["adviser"])
    for role in ("engineer", "viewer"):
        assert [h.asset_id for h in services.search_assets(people[role], org, "焼戻し")] == [secret.pk], role
        assert [h.asset_id for h in services.search_assets(people[role], org, "熱処理")] == [secret.pk], role
    # Outsiders stay outside even when named: advisers never see 極秘 assets.
    assert services.search_assets(people["adviser"], org, "熱処理") == []
    assert services.search_assets(people["manager"], org, "熱処理") == []


@pytest.mark.parametrize("query", ["ばり", "バリ", "ﾊﾞﾘ", "ＢＵＲＲ", "burr"])
def test_kana_and_width_do_not_matter(org, owner, query):
    asset = services.create_asset(owner, org, title_ja="金型のバリ取り条件 (burr)", classification="internal")
    _index_all()
    assert [h.asset_id for h in services.search_assets(owner, org, query)] == [asset.pk]


def test_the_search_page_marks_the_words_found_and_counts_the_hits(client, org, owner):
    services.create_asset(
        owner, org, title_ja="バリ取り", description="金型のバリを<b>手作業</b>で取る", classification="internal"
    )
    services.create_asset(owner, org, title_ja="ばり対策", classification="internal")
    _index_all()
    client.force_login(owner)
    html = client.get(f"/o/{org.slug}/register/search/?q=ばり", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<mark>バリ</mark>" in html and "<mark>ばり</mark>" in html
    assert "2 found" in html
    assert "<b>手作業</b>" not in html  # the text is escaped around the marks
