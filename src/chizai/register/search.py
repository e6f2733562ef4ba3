"""Full-text search over assets and their files, Japanese-aware, never past the access rules.

Text is cut into tokens by SudachiPy (short unit, mode A, so 金型図面 is 金型 + 図面 and a
two-character query such as 特許 matches), lower-cased and joined with spaces. Both
backends index that same token stream: SQLite FTS5 (``unicode61`` splits on the spaces)
and PostgreSQL's ``to_tsvector('simple', …)``. A search service could be added as a third
``SearchBackend`` later.

Access: the SQL of each backend carries the restricted asset querysets as subqueries —
chunks of ``level`` "meta" need the asset's meta capability, "text" chunks need text — so
a hit, its score and its snippet can only come from rows the user may read.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection, transaction
from django.db.models.expressions import RawSQL

CHUNK_CHARS = 600
_WORDISH = re.compile(r"[^\w]+", re.UNICODE)


@lru_cache(maxsize=1)
def _tokenizer():
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").tokenizer(mode=SplitMode.A)


def tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    # Sudachi refuses inputs over ~49 KB; cut on line ends well below that.
    for piece in _pieces(text, 8000):
        for morpheme in _tokenizer().tokenize(piece):
            surface = _WORDISH.sub(" ", morpheme.surface().lower()).strip()
            if surface:
                out.extend(surface.split())
    return out


def _pieces(text: str, size: int):
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind("\n", start, end)
            end = cut + 1 if cut > start else end
        yield text[start:end]
        start = end


def chunks(text: str) -> list[str]:
    """Cut text into pieces of about CHUNK_CHARS, on line ends where possible."""
    return [p for p in (piece.strip() for piece in _pieces(text, CHUNK_CHARS)) if p]


@dataclass
class Hit:
    asset_id: int
    title: str
    snippet: str
    score: float
    file: str | None


def snippet(text: str, terms: list[str], width: int = 60) -> str:
    folded = unicodedata.normalize("NFKC", text).lower()
    position = min((folded.find(t) for t in terms if folded.find(t) >= 0), default=0)
    start = max(0, position - width // 3)
    excerpt = text[start:start + width].replace("\n", " ")
    return ("…" if start else "") + excerpt + ("…" if start + width < len(text) else "")


# Ranking is computed over at most this many of the newest visible matching chunks, so a
# term that occurs in a large share of a big register still answers in bounded time; a
# term rarer than this is ranked over all its matches.
RANK_WINDOW = 2000


class SearchBackend:
    """Finds chunk ids and scores; callers build hits from rows already filtered by access.

    ``meta_sql`` / ``text_sql``: (sql, params) of the restricted asset querysets; they are
    part of every statement, so rows a user may not read never leave the database.
    """

    def candidates(self, organization_id: int, query_tokens: list[str], meta_sql, text_sql, limit: int):
        raise NotImplementedError

    @staticmethod
    def access_clause(meta_sql, text_sql) -> tuple[str, list]:
        # Correlated on c.asset_id: checked by primary key for the rows the scan visits,
        # instead of materialising every visible asset id of the organisation per query.
        return (
            f"((c.level = 'meta' AND EXISTS ({meta_sql[0]})) OR (c.level = 'text' AND EXISTS ({text_sql[0]})))",
            [*meta_sql[1], *text_sql[1]],
        )


class SqliteBackend(SearchBackend):
    def candidates(self, organization_id, query_tokens, meta_sql, text_sql, limit):
        match = " ".join('"' + t.replace('"', '""') + '"' for t in query_tokens)
        clause, clause_params = self.access_clause(meta_sql, text_sql)
        base = (
            "FROM register_search_fts JOIN register_searchchunk c ON c.id = register_search_fts.rowid "
            f"WHERE register_search_fts MATCH %s AND c.organization_id = %s AND {clause} "
        )
        params = [match, organization_id, *clause_params]
        with connection.cursor() as cursor:
            # Counting matches in the index alone is cheap; the window is only worth finding
            # when the term is frequent enough to exceed it.
            cursor.execute("SELECT count(*) FROM register_search_fts WHERE register_search_fts MATCH %s", [match])
            floor = 0
            if cursor.fetchone()[0] > RANK_WINDOW:
                cursor.execute(f"SELECT c.id {base} ORDER BY register_search_fts.rowid DESC LIMIT 1 OFFSET %s",
                               [*params, RANK_WINDOW - 1])
                row = cursor.fetchone()
                floor = row[0] if row else 0
            cursor.execute(
                f"SELECT c.id, c.asset_id, bm25(register_search_fts) AS score {base} AND register_search_fts.rowid >= %s "
                "ORDER BY score LIMIT %s", [*params, floor, limit])
            # bm25 is lower-is-better and negative; flip it so higher means more relevant everywhere.
            return [(r[0], r[1], -float(r[2])) for r in cursor.fetchall()]


class PostgresBackend(SearchBackend):
    def candidates(self, organization_id, query_tokens, meta_sql, text_sql, limit):
        tsquery = " & ".join("'" + t.replace("'", "''").replace("\\", "\\\\") + "'" for t in query_tokens)
        clause, clause_params = self.access_clause(meta_sql, text_sql)
        # The window is chosen on narrow rows (id, asset) so its sort stays in memory; the
        # vectors are read again by primary key only for the rows that get ranked.
        sql = (
            "SELECT w.id, w.asset_id, ts_rank(r.tsv, to_tsquery('simple', %s)) AS score FROM ("
            "SELECT c.id, c.asset_id FROM register_searchchunk c "
            "WHERE c.tsv @@ to_tsquery('simple', %s) AND c.organization_id = %s "
            f"AND {clause} ORDER BY c.id DESC LIMIT %s) w JOIN register_searchchunk r ON r.id = w.id "
            "ORDER BY score DESC LIMIT %s"
        )
        params = [tsquery, tsquery, organization_id, *clause_params, RANK_WINDOW, limit]
        with transaction.atomic(), connection.cursor() as cursor:
            # The planner's cost guess for this shape is high enough to trigger JIT compilation,
            # which costs a second or more and gains nothing for a LIMITed lookup.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(sql, params)
            return [(row[0], row[1], float(row[2])) for row in cursor.fetchall()]


def backend() -> SearchBackend:
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()


def _sql(queryset):
    from django.core.exceptions import EmptyResultSet

    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return "SELECT 0 WHERE 1 = 0", []
    return sql, list(params)


def search(user, organization, query: str, limit: int = 20) -> list[Hit]:
    """Best chunk per asset, among what ``user`` may read, best first."""
    from chizai.register.models import Asset, SearchChunk

    query_tokens = list(dict.fromkeys(tokens(query)))[:12]
    if not query_tokens:
        return []
    # The restricted querysets themselves, tied to the chunk row being considered.
    chunk_asset = RawSQL("c.asset_id", [])
    meta = Asset.objects.restrict(user, "view").filter(organization=organization, pk=chunk_asset)
    text = Asset.objects.restrict(user, "text").filter(organization=organization, pk=chunk_asset)
    rows = backend().candidates(organization.pk, query_tokens, _sql(meta), _sql(text), limit * 5)
    best: dict[int, tuple[int, float]] = {}
    for chunk_id, asset_id, score in rows:
        if asset_id not in best:
            best[asset_id] = (chunk_id, score)
            if len(best) >= limit:
                break
    chunks_by_id = {
        c.pk: c for c in SearchChunk.objects.filter(pk__in=[chunk_id for chunk_id, _s in best.values()])
        .select_related("asset", "version__file").only("text", "asset__title_ja", "asset__title_en", "version__file__name")
    }
    hits = []
    for asset_id, (chunk_id, score) in best.items():
        chunk = chunks_by_id[chunk_id]
        hits.append(Hit(
            asset_id=asset_id, title=chunk.asset.title, snippet=snippet(chunk.text, query_tokens),
            score=round(score, 4), file=chunk.version.file.name if chunk.version_id else None,
        ))
    return hits
