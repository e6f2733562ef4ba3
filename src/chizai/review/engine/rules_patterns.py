"""Regex alternatives compiled once, with a literal prefilter.

For every pattern the regex parser yields the literals that any match must contain
("anchors"); a pattern is only run where its anchors occur, which keeps most rules away
from most clauses and the review of a long contract fast.
"""

from __future__ import annotations

import functools
import re

from .rules_data import substitute

try:  # the regex parser, used only to find literal anchors for the prefilter
    import re._parser as _sre_parse  # type: ignore[import-not-found]  # Python 3.11+, private: typeshed has no stub
except ImportError:  # pragma: no cover
    import sre_parse as _sre_parse

_LIT = _sre_parse.LITERAL
_BRANCH = _sre_parse.BRANCH
_SUBPATTERN = _sre_parse.SUBPATTERN


def _runs(seq) -> list[str]:
    """Maximal runs of literal characters at this level of a parsed pattern."""
    out, cur = [], []
    for op, _av in seq:
        if op is _LIT:
            cur.append(chr(_av))
            continue
        if cur:
            out.append("".join(cur))
        cur = []
    if cur:
        out.append("".join(cur))
    return out


def _seq_anchor_sets(seq) -> list[tuple[str, ...]]:
    """Every set of literals of which a match of ``seq`` must contain at least one."""
    cands: list[tuple[str, ...]] = [(r,) for r in _runs(seq)]
    for op, av in seq:
        if op is _SUBPATTERN:
            inner = list(av[-1])
            if len(inner) == 1 and inner[0][0] is _BRANCH:
                branches = [_seq_anchors(list(b)) for b in inner[0][1][1]]
                found = [b for b in branches if b is not None]
                if len(found) == len(branches):
                    cands.append(tuple(x for b in found for x in b))
            else:
                sub = _seq_anchors(inner)
                if sub is not None:
                    cands.append(sub)
        elif op is _BRANCH:
            branches = [_seq_anchors(list(b)) for b in av[1]]
            found = [b for b in branches if b is not None]
            if len(found) == len(branches):
                cands.append(tuple(x for b in found for x in b))
    return cands


def _seq_anchors(seq) -> tuple[str, ...] | None:
    """The most selective set: longest shortest literal, then fewest alternatives."""
    cands = _seq_anchor_sets(seq)
    return max(cands, key=lambda c: (min(len(x) for x in c), -len(c))) if cands else None


def anchors(pattern: str) -> tuple[tuple[str, ...], ...]:
    """Literal strings one of which must occur for ``pattern`` to match, or None.

    Only mandatory parts count (anything optional or repeated is skipped), so the
    test is conservative: skipping text where no anchor occurs never loses a match.
    This is what keeps ~100 rules on a 60k-character contract fast.
    """
    try:
        seq = list(_sre_parse.parse(pattern))
    except Exception:  # pragma: no cover - validated at load
        return ()
    sets = _seq_anchor_sets(seq)
    if len(seq) == 1 and seq[0][0] is _SUBPATTERN and not sets:
        sets = _seq_anchor_sets(list(seq[0][1][-1]))
    return tuple(tuple(x.lower() for x in c) for c in sets)


def passes(sets: tuple[tuple[str, ...], ...], text: str) -> bool:
    """True when ``text`` holds one literal of every required set (no sets: unknown)."""
    # plain loops: called for every act and alternative on every clause, and about five
    # times faster than all()/any() over generator expressions
    for c in sets:
        for x in c:
            if x in text:
                break
        else:
            return False
    return True


_SELECT_MEMO = 2048


@functools.lru_cache(maxsize=4096)
def compile_alt(srcs: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in srcs), re.I)


_OPTIONAL_ARTICLE = "(?:the\\s+)?"


def fast_start(src: str) -> str:
    """The pattern without a leading optional "the ": it only moves where a match starts,
    and a pattern that begins with a party mark or a literal lets the regex engine jump to
    its candidates instead of trying every position (three times faster on English text)."""
    return src[len(_OPTIONAL_ARTICLE) :] if src.startswith(_OPTIONAL_ARTICLE) else src


def _outline(src: str) -> tuple[list[int], int | None]:
    """Positions of the ``|`` at the outermost level of ``src``, and of the ``)`` that first
    brings the nesting back to the outermost level (None if there is none); escapes and
    character classes skipped."""
    bars, depth, i, in_class, first_close = [], 0, 0, False, None
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if src[i + 1 : i + 2] == "]":  # "[]...]": the first ] is a literal
                i += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0 and first_close is None:
                first_close = i
        elif ch == "|" and depth == 0:
            bars.append(i)
        i += 1
    return bars, first_close


def split_alternatives(src: str) -> list[str]:
    """``src`` as its top-level alternatives, so that each is anchored by its own literals
    and runs only on the clauses that hold them (a lexicon entry such as
    ``(?:(?:use…only)|(?:solely…purpose))`` would otherwise run wherever any branch might).
    Only a whole pattern is split: ``A|B`` and ``(?:A|B)``, never a group inside it."""
    if "(?P" in src or re.search(r"\\\d", src):
        return [src]  # named groups and back-references must stay in one piece
    body = src
    while body.startswith("(?:") and body.endswith(")") and _outline(body)[1] == len(body) - 1:
        body = body[3:-1]
    bars = _outline(body)[0]
    if not bars:
        return [src]
    parts = [body[a + 1 : b] for a, b in zip([-1, *bars], [*bars, len(body)], strict=False)]
    if any(not p for p in parts):
        return [src]
    return [q for p in parts for q in split_alternatives(p)]


class PatSet:
    """One catalogue field (a list of alternatives) compiled as a single regex.

    ``search``/``finditer`` use every alternative (for short unit texts); ``select``
    returns a regex of only the alternatives whose literal anchors occur in the
    document, or None when none can match (document-wide scans).
    """

    def __init__(self, srcs: list[str]):
        self.srcs = tuple(fast_start(q) for p in srcs for q in split_alternatives(p))
        self.anchors = [anchors(p) for p in self.srcs]
        # per alternative, the single most selective set: used to find candidate units
        self.gates = [max(a, key=lambda c: (min(len(x) for x in c), -len(c))) if a else () for a in self.anchors]
        self.full = compile_alt(self.srcs)
        # a clause is read for several acts, sentences and sections: the same text comes back
        self._selected: dict[str, re.Pattern | None] = {}

    def search(self, text: str):
        return self.full.search(text)

    def finditer(self, text: str):
        return self.full.finditer(text)

    def match(self, text: str):
        return self.full.match(text)

    def select_alts(
        self,
        hay: str,
        present: dict[str, bool] | None = None,
    ) -> tuple[tuple[str, tuple, tuple[str, ...]], ...]:
        """(source, anchors, gate) of the alternatives whose anchors all occur in ``hay``;
        ``present`` memoises literal tests across pattern sets on the same (long) text."""
        if present is None:
            return tuple(
                (p, a, g) for p, a, g in zip(self.srcs, self.anchors, self.gates, strict=False) if passes(a, hay)
            )
        out = []
        for p, a, g in zip(self.srcs, self.anchors, self.gates, strict=False):
            for c in a:
                for x in c:
                    hit = present.get(x)
                    if hit is None:
                        hit = present[x] = x in hay
                    if hit:
                        break
                else:
                    break
            else:
                out.append((p, a, g))
        return tuple(out)

    def select(self, hay: str) -> re.Pattern | None:
        try:
            return self._selected[hay]
        except KeyError:
            pass
        chosen = tuple(p for p, a in zip(self.srcs, self.anchors, strict=False) if passes(a, hay))
        got = None if not chosen else self.full if len(chosen) == len(self.srcs) else compile_alt(chosen)
        if len(self._selected) >= _SELECT_MEMO:
            self._selected.clear()
        self._selected[hay] = got
        return got


def alt(pats: list[str] | None, labels: dict[str, str]) -> PatSet | None:
    if not pats:
        return None
    return PatSet([substitute(p, labels) for p in pats])
