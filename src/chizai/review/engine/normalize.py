"""Normalised matching text with a map back to the original.

Rules match on ``norm`` so that 「及び」 and 「および」, full- and half-width digits, or a
clause broken over two PDF lines all look the same; findings must still point at the
original text, so every normalised character keeps the index of the original
character it came from (``norm_to_orig``, monotone, one extra entry for the end).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Variant spellings folded to one form (rules catalogue §0.5). Longer keys first so
# that e.g. 「若しくは」 wins over a shorter overlapping key.
VARIANTS: dict[str, str] = {
    "及び": "および",
    "又は": "または",
    "乃至": "ないし",
    "係る": "かかる",
    "係わる": "かかわる",
    "関わる": "かかわる",
    "於いて": "おいて",
    "於ける": "おける",
    "但し": "ただし",
    "並びに": "ならびに",
    "若しくは": "もしくは",
    "予め": "あらかじめ",
    "全て": "すべて",
    "総て": "すべて",
    "出来る": "できる",
    "出来ない": "できない",
    "迄": "まで",
    "以って": "もって",
    "以て": "もって",
    "其の": "その",
    "此の": "この",
    "頂く": "いただく",
    "下さい": "ください",
    "〜": "~",  # wave dash; the full-width tilde is already "~" after NFKC
    "―": "-",
    "‐": "-",
    "–": "-",
    "—": "-",
    "−": "-",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
}

_VARIANT_RE = re.compile("|".join(sorted((re.escape(k) for k in VARIANTS), key=len, reverse=True)))

# A line break is kept when the previous line clearly ended (sentence end, heading,
# short line) or the next line starts a new structural unit.
_LINE_END_KEEP = set("。．.:：;；!?！？」』)）]】>")
_STRUCT_START = re.compile(
    r"[ \t]*(?:第[0-9一二三四五六七八九十百]+[条項号章]|[0-9]+[.．、)）]|[0-9]+[ \t]|"
    r"\([0-9a-zA-Zivx一二三四五六七八九十]+\)|[①-⑳]|[一二三四五六七八九十]+[ 、]|"
    r"[#\-*・•>|`]|別紙|別表|付属|Article|ARTICLE|Section|SECTION|Exhibit|EXHIBIT|Schedule|SCHEDULE|"
    r"Annex|ANNEX|Appendix|APPENDIX|[A-Z][A-Z &]{3,}$|$)"
)
_JOIN_MIN_LINE = 30
_SPACE_RUN = re.compile(r"[ \t\u00a0\u3000]{2,}|[\t\u00a0\u3000]")


@lru_cache(maxsize=8192)
def _nfkc_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch)


def _is_wide(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def normalize(text: str) -> tuple[str, list[int]]:
    """Return ``(norm, norm_to_orig)``; ``len(norm_to_orig) == len(norm) + 1``."""
    # Stage 1: NFKC character by character, so each output char knows its source.
    # (Whole-string NFKC would compose across characters and lose the mapping; the
    # only composition that matters in practice, kana + voicing mark, is redone here.)
    chars: list[str] = []
    src: list[int] = []
    if text.isascii():
        chars = list(text)
        src = list(range(len(text)))
    else:
        for i, ch in enumerate(text):
            if ch.isascii():
                chars.append(ch)
                src.append(i)
                continue
            out = _nfkc_char(ch)
            for o in out:
                if chars and unicodedata.combining(o) and o in "\u3099\u309a":
                    composed = unicodedata.normalize("NFC", chars[-1] + o)
                    if len(composed) == 1:
                        chars[-1] = composed
                        continue
                chars.append(o)
                src.append(i)
    s1 = "".join(chars)

    # Stage 2: join lines broken inside a clause, collapse white space, fold variants.
    out_chars: list[str] = []
    out_src: list[int] = []
    pos = 0
    line_start = 0
    n = len(s1)
    pieces: list[tuple[int, int, str]] = []  # (start, end, replacement) on s1
    idx = s1.find("\n")
    while idx != -1:
        line = s1[line_start:idx]
        stripped = line.rstrip(" \t")
        nxt_end = s1.find("\n", idx + 1)
        nxt = s1[idx + 1: nxt_end if nxt_end != -1 else n]
        if (
            stripped
            and len(stripped.strip()) >= _JOIN_MIN_LINE
            and stripped[-1] not in _LINE_END_KEEP
            and nxt.strip()
            and not _STRUCT_START.match(nxt)
        ):
            first = nxt.lstrip(" \t")[:1]
            joiner = "" if (_is_wide(stripped[-1]) and first and _is_wide(first)) else " "
            # also swallow the next line's indentation
            lead = len(nxt) - len(nxt.lstrip(" \t\u3000"))
            pieces.append((idx, idx + 1 + lead, joiner))
        line_start = idx + 1
        idx = nxt_end
    for m in _SPACE_RUN.finditer(s1):
        pieces.append((m.start(), m.end(), " "))
    for m in _VARIANT_RE.finditer(s1):
        pieces.append((m.start(), m.end(), VARIANTS[m.group(0)]))
    pieces.sort()
    for start, end, rep in pieces:
        if start < pos:
            continue  # overlapping edit; the earlier one wins
        out_chars.append(s1[pos:start])
        out_src.extend(src[pos:start])
        if rep:
            out_chars.append(rep)
            span = end - start
            for k in range(len(rep)):
                out_src.append(src[start + min(k, span - 1)])
        pos = end
    out_chars.append(s1[pos:])
    out_src.extend(src[pos:])
    norm = "".join(out_chars)
    out_src.append(len(text))
    return norm, out_src


def normalize_fragment(text: str) -> str:
    """Normalise a short string (a pattern, a label) the same way as documents."""
    return normalize(text)[0]
