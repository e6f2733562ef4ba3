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
# OCR output: 「乙 は 、 甲 に 対 し」. Japanese puts no spaces between words, so when many
# kana/kanji pairs are split by one space the spaces are noise and matching drops them.
_CJK = "\u3001-\u303f\u3040-\u30ff\u3400-\u9fff"  # Japanese punctuation, kana, kanji
_SPACED_CJK = re.compile(f"(?<=[{_CJK}])[ \u3000](?=[{_CJK}])")
_CJK_CHAR = re.compile(f"[{_CJK}]")
SPACED_MIN = 20
SPACED_SHARE = 0.15  # of kana/kanji; typed contracts stay far below (signature lines, 「甲　株式会社」)
# Broken lines: at least this many lines, half of them cut mid-sentence, typically shorter
# than a PDF wrap (which the 30-character rule above already joins).
BROKEN_MIN = 10
BROKEN_SHARE = 0.5
BROKEN_MAX_LEN = 25
_SPACE_RUN = re.compile(r"[ \t\u00a0\u3000]{2,}|[\t\u00a0\u3000]")


@lru_cache(maxsize=8192)
def _nfkc_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch)


def _is_wide(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def spaced_out(text: str) -> bool:
    """True when the text has spaces between Japanese characters the way OCR leaves them."""
    spaced = len(_SPACED_CJK.findall(text))
    return spaced >= SPACED_MIN and spaced >= SPACED_SHARE * len(_CJK_CHAR.findall(text))


def broken_lines(text: str) -> bool:
    """True when most lines stop mid-sentence, short, and the next line goes on (OCR of a
    scan, or a narrow column): such lines are joined however short they are."""
    lines = [ln.strip() for ln in text.split("\n")]
    content = [ln for ln in lines if ln]
    if len(content) < BROKEN_MIN:
        return False
    broken = [
        len(ln)
        for ln, nxt in zip(lines, lines[1:], strict=False)
        if ln and nxt and ln[-1] not in _LINE_END_KEEP and not _STRUCT_START.match(nxt)
    ]
    return len(broken) >= BROKEN_SHARE * len(content) and sorted(broken)[len(broken) // 2] < BROKEN_MAX_LEN


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
    min_line = 1 if broken_lines(s1) else _JOIN_MIN_LINE
    idx = s1.find("\n")
    while idx != -1:
        line = s1[line_start:idx]
        stripped = line.rstrip(" \t")
        nxt_end = s1.find("\n", idx + 1)
        nxt = s1[idx + 1 : nxt_end if nxt_end != -1 else n]
        if len(line) >= 2 and line[-1] == "-" and line[-2].islower() and nxt.lstrip(" \t")[:1].islower():
            # "confiden-\ntial": a word hyphenated at the line end is one word
            lead = len(nxt) - len(nxt.lstrip(" \t"))
            pieces.append((idx - 1, idx + 1 + lead, ""))
        elif (
            stripped
            and len(stripped.strip()) >= min_line
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
    if spaced_out(s1):
        for m in _SPACED_CJK.finditer(s1):
            pieces.append((m.start(), m.end(), ""))
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
