"""R5: text of files and contracts is not readable from the database without the keys.

The raw content of the database is searched for marker strings: on SQLite the database
image itself (every page, free ones too), on PostgreSQL every row of every table as text.
"""

import io

import pytest
from django.db import connection

from chizai.core import jobs
from chizai.core.models import Job
from chizai.core.services import ChizaiError
from chizai.register import atrest, search, services
from chizai.register.models import SearchChunk

# ASCII and Japanese, so both a byte search and a token search would show them.
MARKER_ASCII = "Zqxmarkerfortyseven"
MARKER_JA = "鰯焼戻し秘伝"
SECRET_TEXT = f"配合の極秘条件 {MARKER_ASCII} は{MARKER_JA}による。焼入れ温度は八百五十度。"


def raw_database() -> bytes:
    """Everything the database holds, as bytes: what a copy of it would show."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.serialize()
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        tables = [row[0] for row in cursor.fetchall()]
        dump = []
        for table in tables:
            cursor.execute(f"SELECT t::text FROM {connection.ops.quote_name(table)} t")
            dump.extend(row[0] for row in cursor.fetchall())
    return "\n".join(dump).encode("utf-8")


def leaked(markers, raw: bytes | None = None) -> list[str]:
    raw = raw_database() if raw is None else raw
    found = []
    for marker in markers:
        for form in {marker, marker.lower()}:
            if form.encode("utf-8") in raw:
                found.append(form)
    return found


def _index_all():
    for job in Job.objects.filter(kind="register.index", status="queued"):
        assert jobs.execute(job.pk) == "succeeded"


def _secret_asset_with_file(owner, org):
    asset = services.create_asset(
        owner, org, title_ja="極秘の配合", classification="secret", description="説明は熱処理の条件"
    )
    services.upload_version(owner, org, asset.pk, io.BytesIO(SECRET_TEXT.encode("utf-8")), name="recipe.txt")
    _index_all()
    return asset


def test_secret_file_text_and_its_tokens_are_not_in_the_database(org, people):
    owner = people["owner"]
    _secret_asset_with_file(owner, org)
    assert SearchChunk.objects.filter(version__isnull=False).exists()
    # Tokens too: 焼戻し and the lower-cased ASCII marker are what the index used to hold.
    assert leaked([MARKER_ASCII, MARKER_JA, "焼戻し", "八百五十"]) == []


def test_search_still_finds_sealed_text_for_those_who_may_read_it(org, people):
    owner = people["owner"]
    asset = _secret_asset_with_file(owner, org)
    for query in (MARKER_ASCII, "焼戻し", "秘伝", "配合"):
        hits = services.search_assets(owner, org, query)
        assert [h.asset_id for h in hits] == [asset.pk], query
    hit = services.search_assets(owner, org, MARKER_ASCII)[0]
    assert MARKER_ASCII in hit.snippet and hit.file == "recipe.txt"
    # Two-character terms still match one token each.
    assert [h.asset_id for h in services.search_assets(owner, org, "温度")] == [asset.pk]
    for role in ("manager", "engineer", "viewer", "adviser"):
        assert services.search_assets(people[role], org, "焼戻し") == [], role
    services.grant(owner, org, asset.pk, people["engineer"])
    hits = services.search_assets(people["engineer"], org, "焼戻し")
    assert [h.asset_id for h in hits] == [asset.pk] and MARKER_JA in hits[0].snippet


def test_another_organisation_with_the_same_text_gets_other_digests(org, other_org, people):
    from chizai.core.tests.factories import MembershipFactory

    owner = people["owner"]
    MembershipFactory(organization=other_org, user=owner, role="owner")
    services.create_asset(owner, org, title_ja="金型図面", classification="internal")
    services.create_asset(owner, other_org, title_ja="金型図面", classification="internal")
    _index_all()
    mine, theirs = (set(SearchChunk.objects.get(organization=o).tokens.split()) for o in (org, other_org))
    assert mine and theirs and not mine & theirs


def test_index_holds_sorted_digests_of_one_length(org, owner):
    services.create_asset(owner, org, title_ja="金型図面の管理と特許", classification="internal")
    _index_all()
    digests = SearchChunk.objects.get(organization=org).tokens.split()
    assert digests == sorted(digests)
    assert all(len(d) == 2 * atrest.DIGEST_BYTES and set(d) <= set("abcdefghijklmnop") for d in digests)


def test_sealed_text_moved_to_another_asset_does_not_open(org, owner):
    """Someone with write access to the database copies a 極秘 chunk onto a public asset's
    chunk: it does not open there, and search drops that hit instead of failing."""
    secret = _secret_asset_with_file(owner, org)
    public = services.create_asset(owner, org, title_ja="公開資料", classification="public")
    _index_all()
    stolen = SearchChunk.objects.filter(asset=secret, version__isnull=False).first()
    target = SearchChunk.objects.filter(asset=public).first()
    SearchChunk.objects.filter(pk=target.pk).update(sealed=stolen.sealed, tokens=stolen.tokens)
    with pytest.raises(ChizaiError):
        atrest.for_organization(org).open(SearchChunk.objects.get(pk=target.pk).sealed, search.chunk_place(public.pk))
    assert [h.asset_id for h in services.search_assets(owner, org, "焼戻し")] == [secret.pk]


def test_search_before_anything_was_indexed_creates_no_key(org, owner):
    from chizai.register.models import TextKey

    assert services.search_assets(owner, org, "金型") == []
    assert not TextKey.objects.filter(organization=org).exists()


def test_text_key_survives_org_key_rotation_so_the_index_stays_valid(org, owner):
    from chizai.register import keys

    asset = _secret_asset_with_file(owner, org)
    keys.rotate_org_key(owner, org)
    assert [h.asset_id for h in services.search_assets(owner, org, "焼戻し")] == [asset.pk]


def test_cached_text_keys_stop_working_when_the_master_key_is_removed(org, owner, monkeypatch):
    import base64

    asset = _secret_asset_with_file(owner, org)
    assert [h.asset_id for h in services.search_assets(owner, org, "焼戻し")] == [asset.pk]
    monkeypatch.setenv("CHIZAI_MASTER_KEY", base64.b64encode(b"x" * 32).decode())
    with pytest.raises(ChizaiError, match="not configured"):
        services.search_assets(owner, org, "焼戻し")
