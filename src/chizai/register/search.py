"""Full-text search over assets and their files, Japanese-aware, never past the access rules.

Text is cut into tokens by SudachiPy (short unit, mode A, so 金型図面 is 金型 + 図面 and a
two-character query such as 特許 matches) and lower-cased. The database never sees them:
each token is indexed as a keyed digest (``register.atrest``), the chunk's text is sealed,
and a query is tokenised and digested the same way. Both backends index that same digest
stream: SQLite FTS5 (``unicode61`` splits on the spaces) and PostgreSQL's
``to_tsvector('simple', …)``. Snippets are cut from the few chunks shown, opened after the
access rules chose them. A search service could be added as a third ``SearchBackend`` later.

Access: each chunk carries its asset's organisation and classification (copied by
database triggers), and the SQL of each backend carries the access condition of
``Asset.objects.restrict`` applied to those columns — chunks of ``level`` "meta" need the
asset's meta capability, "text" chunks need text — so a hit, its score and its snippet
can only come from rows the user may read.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection, transaction

from chizai.core.services import ChizaiError
from chizai.register import atrest

logger = logging.getLogger(__name__)

CHUNK_CHARS = 600
_WORDISH = re.compile(r"[^\w]+", re.UNICODE)


@lru_cache(maxsize=1)
def _tokenizer():
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").tokenizer(mode=SplitMode.A)


# katakana → hiragana, so ばり finds バリ (and ﾊﾞﾘ, which NFKC makes バリ); ー and ヽ ヾ stay
_KANA_FOLD = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}


def fold(text: str) -> str:
    """What searching compares: NFKC (full/half width), lower case, katakana as hiragana."""
    return unicodedata.normalize("NFKC", text).lower().translate(_KANA_FOLD)


def tokens(text: str) -> list[str]:
    """Index and query tokens. Sudachi reads the text as written (a katakana word is a word);
    each token is folded afterwards, so the cut does not depend on the folding."""
    text = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    # Sudachi refuses inputs over ~49 KB; cut on line ends well below that.
    for piece in _pieces(text, 8000):
        for morpheme in _tokenizer().tokenize(piece):
            surface = _WORDISH.sub(" ", fold(morpheme.surface())).strip()
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


def chunk_place(asset_id: int) -> str:
    # Sealed chunk text is bound to its asset: moved onto a chunk of another asset (a lower
    # classification, say), it no longer opens.
    return f"register.SearchChunk:{asset_id}"


def chunk(text_keys: atrest.TextKeys, asset, level: str, text: str, version=None):
    """An unsaved SearchChunk for ``text``: sealed, its tokens digested under its source's key."""
    from chizai.register.models import SearchChunk

    source = "file" if version is not None else "known"
    return SearchChunk(
        organization_id=asset.organization_id,
        asset=asset,
        version=version,
        level=level,
        sealed=text_keys.seal(text, chunk_place(asset.pk)),
        tokens=text_keys.digests(source, tokens(text)),
    )


@dataclass
class Hit:
    asset_id: int
    title: str
    snippet: str
    score: float
    file: str | None
    # the snippet cut into (text, is a query word) pieces, for marking the words found
    parts: list[tuple[str, bool]] = field(default_factory=list)


def _fold_by_char(text: str) -> str:
    # one folded character per character of ``text``, so positions in one are positions in
    # the other (a character NFKC would widen, such as ㍿, is only lower-cased)
    out = []
    for ch in text:
        folded = fold(ch)
        out.append(folded if len(folded) == 1 else ch.lower())
    return "".join(out)


def snippet_parts(text: str, terms: list[str], width: int = 60) -> list[tuple[str, bool]]:
    """About ``width`` characters around the first query word, cut into (text, is a match)."""
    folded = _fold_by_char(text)
    terms = [t for t in (fold(t) for t in terms) if t]
    position = min((folded.find(t) for t in terms if folded.find(t) >= 0), default=0)
    start = max(0, position - width // 3)
    end = min(len(text), start + width)
    marked = [False] * (end - start)
    for term in terms:
        at = folded.find(term, start)
        while 0 <= at < end:
            for i in range(at, min(at + len(term), end)):
                marked[i - start] = True
            at = folded.find(term, at + len(term))
    parts: list[tuple[str, bool]] = [("…", False)] if start else []
    for i, ch in enumerate(text[start:end].replace("\n", " ")):
        if parts and parts[-1][1] == marked[i] and parts[-1][0] != "…":
            parts[-1] = (parts[-1][0] + ch, marked[i])
        else:
            parts.append((ch, marked[i]))
    if end < len(text):
        parts.append(("…", False))
    return parts


def snippet(text: str, terms: list[str], width: int = 60) -> str:
    return "".join(piece for piece, _match in snippet_parts(text, terms, width))


# Ranking is computed over at most this many of the newest visible matching chunks, so a
# term that occurs in a large share of a big register still answers in bounded time; a
# term rarer than this is ranked over all its matches.
RANK_WINDOW = 2000


class SearchBackend:
    """Finds chunk ids and scores among the chunks a user may read.

    ``access`` is (sql, params): a condition on the unaliased ``register_searchchunk`` row
    (organisation, classification, level, asset id) compiled from the same function that
    restricts assets. It is part of every statement, so rows a user may not read never
    leave the database and are never counted, ranked or cut into snippets.

    ``query_terms`` holds one group per query token: the digests it may be indexed as (one
    per source). A chunk matches when it holds some digest of every group.
    """

    def candidates(self, organization_id: int, query_terms: list[list[str]], access: tuple[str, list], limit: int):
        raise NotImplementedError


class SqliteBackend(SearchBackend):
    def candidates(self, organization_id, query_terms, access, limit):
        # Digests are letters only, so quoting them is all the escaping FTS5 needs.
        match = " AND ".join("(" + " OR ".join(f'"{d}"' for d in group) + ")" for group in query_terms)
        base = (
            "FROM register_search_fts JOIN register_searchchunk ON register_searchchunk.id = register_search_fts.rowid "
            f"WHERE register_search_fts MATCH %s AND register_searchchunk.organization_id = %s AND ({access[0]}) "
        )
        params = [match, organization_id, *access[1]]
        with connection.cursor() as cursor:
            # Counting matches in the index alone is cheap; the window is only worth finding
            # when the term is frequent enough to exceed it.
            cursor.execute("SELECT count(*) FROM register_search_fts WHERE register_search_fts MATCH %s", [match])
            floor = 0
            if cursor.fetchone()[0] > RANK_WINDOW:
                cursor.execute(
                    f"SELECT register_searchchunk.id {base} ORDER BY register_search_fts.rowid DESC LIMIT 1 OFFSET %s",
                    [*params, RANK_WINDOW - 1],
                )
                row = cursor.fetchone()
                floor = row[0] if row else 0
            cursor.execute(
                f"SELECT register_searchchunk.id, register_searchchunk.asset_id, bm25(register_search_fts) AS score {base} "
                "AND register_search_fts.rowid >= %s ORDER BY score LIMIT %s",
                [*params, floor, limit],
            )
            # bm25 is lower-is-better and negative; flip it so higher means more relevant everywhere.
            return [(r[0], r[1], -float(r[2])) for r in cursor.fetchall()]


class PostgresBackend(SearchBackend):
    """GIN over a stored tsvector; the rank window is found by walking id ranges newest first.

    A GIN match list carries no order, so "the newest N visible matches" over all of them
    means reading every matching row from the heap: at a million chunks a term in 2 % of
    them costs some 18,000 random page reads. Walking disjoint id ranges from the newest
    down, each range combined with the GIN match in one bitmap, reads only the rows of the
    ranges it needs. The first range is small; the next is sized from the density of
    visible matches seen so far, so a frequent term stops after one range and a rare one
    reaches the oldest rows in a few steps.
    """

    FIRST_SPAN = 4 * RANK_WINDOW

    def candidates(self, organization_id, query_terms, access, limit):
        tsquery = " & ".join("(" + " | ".join(f"'{d}'" for d in group) + ")" for group in query_terms)
        window_sql = (
            "SELECT id FROM register_searchchunk WHERE tsv @@ to_tsquery('simple', %s) "
            f"AND organization_id = %s AND ({access[0]}) AND id > %s AND id <= %s ORDER BY id DESC LIMIT %s"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            # The planner's cost guess for these shapes can trigger JIT compilation, which
            # costs far more than it gains for a LIMITed lookup.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SELECT max(id) FROM register_searchchunk WHERE organization_id = %s", [organization_id])
            high = cursor.fetchone()[0] or 0
            found: list[int] = []
            span, walked = self.FIRST_SPAN, 0
            while high > 0 and len(found) < RANK_WINDOW:
                low = max(0, high - span)
                cursor.execute(window_sql, [tsquery, organization_id, *access[1], low, high, RANK_WINDOW - len(found)])
                found.extend(row[0] for row in cursor.fetchall())
                walked += high - low
                high = low
                needed = RANK_WINDOW - len(found)
                # Size the next range to hold what is still needed at the density seen so far
                # (with a margin), and at least double it, so the walk ends in a few steps.
                guess = int(needed * walked / len(found) * 1.25) if found else span * 8
                span = max(2 * span, guess)
            if not found:
                return []
            cursor.execute(
                "SELECT id, asset_id, ts_rank(tsv, to_tsquery('simple', %s)) AS score FROM register_searchchunk "
                "WHERE id = ANY(%s) ORDER BY score DESC, id DESC LIMIT %s",
                [tsquery, found, limit],
            )
            return [(row[0], row[1], float(row[2])) for row in cursor.fetchall()]


def backend() -> SearchBackend:
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()


def chunk_access(user, organization) -> tuple[str, list] | None:
    """The access rules as SQL over ``register_searchchunk`` rows; None when nothing is visible.

    Title-level chunks need the asset's meta capability, description and file chunks its
    text capability: the conditions come from ``visible_assets_condition``, the function
    behind ``Asset.objects.restrict``, applied to the chunk's copy of the asset's
    organisation and classification (kept equal by database triggers).
    """
    from django.core.exceptions import EmptyResultSet
    from django.db.models import Q

    from chizai.register.models import SearchChunk, visible_assets_condition

    condition = (Q(level="meta") & visible_assets_condition(user, "view", asset_id="asset_id")) | (
        Q(level="text") & visible_assets_condition(user, "text", asset_id="asset_id")
    )
    query = SearchChunk.objects.filter(organization=organization).filter(condition).query
    compiler = query.get_compiler(connection=connection)
    try:
        sql, params = compiler.compile(query.where)
    except EmptyResultSet:
        return None
    return sql, list(params)


def search(user, organization, query: str, limit: int = 20) -> list[Hit]:
    """Best chunk per asset, among what ``user`` may read, best first.

    Ranking and fetching the chosen chunks are two statements, and an index job may
    replace an asset's chunks between them (``services.index_asset`` swaps old for new in
    one transaction). A chosen chunk that is gone is therefore not an error: the search is
    asked once more, and that second answer sees the new chunks, which were committed
    together with the removal of the old.
    """
    query_tokens = list(dict.fromkeys(tokens(query)))[:12]
    access = chunk_access(user, organization)
    if not query_tokens or access is None:
        return []
    text_keys = atrest.for_organization(organization, create=False)
    if text_keys is None:  # nothing was ever indexed
        return []
    query_terms = [text_keys.query_terms(t) for t in query_tokens]
    hits, gone = _ranked_hits(organization, query_terms, query_tokens, access, text_keys, limit)
    if gone:
        logger.info("search: %d chosen chunks were re-indexed meanwhile; asked again", gone)
        hits, _gone = _ranked_hits(organization, query_terms, query_tokens, access, text_keys, limit)
    return hits


def _ranked_hits(organization, query_terms, query_tokens, access, text_keys, limit) -> tuple[list[Hit], int]:
    """(hits, how many chosen chunks no longer existed when fetched)."""
    from chizai.register.models import SearchChunk

    rows = backend().candidates(organization.pk, query_terms, access, limit * 5)
    best: dict[int, tuple[int, float]] = {}
    for chunk_id, asset_id, score in rows:
        if asset_id not in best:
            best[asset_id] = (chunk_id, score)
            if len(best) >= limit:
                break
    chunks_by_id = {
        c.pk: c
        for c in SearchChunk.objects.filter(pk__in=[chunk_id for chunk_id, _s in best.values()])
        .select_related("asset", "version__file")
        .only("sealed", "asset__title_ja", "asset__title_en", "version__file__name")
    }
    hits, gone = [], 0
    for asset_id, (chunk_id, score) in best.items():
        found = chunks_by_id.get(chunk_id)
        if found is None:
            gone += 1
            continue
        try:
            text = text_keys.open(found.sealed, chunk_place(asset_id))
        except ChizaiError:
            # Sealed for another asset (a row copied by someone writing to the database):
            # neither shown nor allowed to break the search.
            logger.warning("search chunk %s of asset %s does not open; left out", chunk_id, asset_id)
            continue
        parts = snippet_parts(text, query_tokens)
        hits.append(
            Hit(
                asset_id=asset_id,
                title=found.asset.title,
                snippet="".join(piece for piece, _match in parts),
                score=round(score, 4),
                file=found.version.file.name if found.version else None,
                parts=parts,
            )
        )
    return hits, gone
