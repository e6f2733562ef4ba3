"""Line classification and sentence splitting for the segmenter (``structure.py``).

Lines are classified on a lightly folded copy (full-width ASCII to ASCII,
ideographic space to space) that keeps 「①」 and 「（１）」 recognisable.
"""

from __future__ import annotations

import re

FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
FOLD[0x3000] = 0x20
FOLD[0x00A0] = 0x20

_KANJI_NUM = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUM = r"(?:[0-9]{1,4}|[一二三四五六七八九十百〇]{1,4})"

MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
FENCE = re.compile(r"^\s*(```|~~~)")
JA_ARTICLE = re.compile(
    rf"^[・\-*]?\s*(第)?\s*({_NUM})\s*条(?:\s*の\s*({_NUM}))?(?:\s*({_NUM})\s*項)?"
    r"(?=\s|[(（【]|$)\s*(?:[(（]([^)）]{0,60})[)）])?\s*(.*)$"
)
EN_ARTICLE = re.compile(
    r"^(ARTICLE|Article)\s+([0-9]{1,3}|[IVXLC]{1,7})\b\.?\s*(?:[:.\-–—]\s*)?(?:\(([^)]{0,60})\))?\s*(.*)$"
)
EN_SECTION = re.compile(
    # (and the German / Continental «§ 7 Manufacturing Documentation»)
    r"^(SECTION|Section|CLAUSE|Clause|§)\s*(?<=[\s§])([0-9]{1,3}(?:\.[0-9]{1,3})*)\b\.?\s*(?:[:.\-–—]\s*)?(.*)$"
)
NUM_TOP = re.compile(r"^([0-9]{1,3})\.(?![0-9])\s*(\S.*)$")
NUM_SUB = re.compile(r"^([0-9]{1,3}(?:\.[0-9]{1,3}){1,3})\.?(?=\s)\s*(\S.*)$")
JA_PARA = re.compile(r"^([0-9]{1,2})(?:\s+|\.(?![0-9])\s*)(\S.*)$")
ITEM_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("paren_num", re.compile(r"^\(([0-9]{1,2})\)\s*(.*)$")),
    ("circled", re.compile(r"^([①-⑳])\s*(.*)$")),
    ("kanji", re.compile(r"^([一二三四五六七八九十]{1,3})(?:\s+|、)(.*)$")),
    ("paren_roman", re.compile(r"^\(((?=[ivx])x{0,3}(?:ix|iv|v?i{0,3}))\)\s*(.*)$")),
    ("paren_alpha", re.compile(r"^\(([a-zA-Z])\)\s*(.*)$")),
    ("paren_kana", re.compile(r"^\(([ア-ンｱ-ﾝ])\)\s*(.*)$")),
    # 「イ　…」 under a 号 (statute style); only nested, see match_item
    (
        "kana",
        re.compile(r"^([アイウエオカキクケコサシスセソタチツテトイロハニホヘトチリヌルヲ])(?:\s+|[、.．])(\S.*)$"),
    ),
    ("num_close", re.compile(r"^([0-9]{1,2})\)\s*(.*)$")),
    ("alpha_dot", re.compile(r"^([a-z])[.)]\s+(.*)$")),
    # the numbered terms of an annex: «A2. Productivity reduction. …», «C1. The "Fabrication Data Set" …»
    ("annex_num", re.compile(r"^([A-Z][0-9]{1,2})\.\s+(\S.*)$")),
]
SIGNATURE = re.compile(
    r"(?:^|\s)(?:(?:本契約|本書)?の?(?:締結|成立)の証として|締結の証|以上を証するため)"
    r"|^\s*(?:令和|平成)?\s*(?:[0-9元]{1,4})?\s*年\s*[0-9]{0,2}\s*月\s*[0-9]{0,2}\s*日\s*$"
    r"|^.{0,40}(?:記名押印|署名押印|記名捺印|署名捺印)[)）]?\s*$"
    r"|^(?:IN WITNESS WHEREOF|In witness whereof|SIGNATURES?\s*$|Signatures?\s*$|Signed\s+(?:for and on behalf|by)\b)"
)
ANNEX = re.compile(
    r"^(別紙|別表|付属書類?|添付書類|Exhibit|EXHIBIT|Schedule|SCHEDULE|Annex|ANNEX|Appendix|APPENDIX|Attachment|ATTACHMENT)"
    r"\s*([0-9A-Z]{1,3}|[一二三四五六七八九十]{1,3})?\b"
)
COMMENTARY_MARK = re.compile(
    r"^(?:[<＜【\[(（]\s*(?:逐条)?(?:解説|ポイント|コラム|コメント|注記|注|補足|備考|留意点|趣旨)"
    r"|【[^】]*オプション"
    r"|(?:その他の)?(?:オプション|選択)条項"
    r"|(?:逐条)?解説\s*$|コメント\s*$|想定シーン\s*$|目次\s*$|ポイント\s*$"
    r"|(?:Commentary|Drafting [Nn]ote|Comment)s?\s*[:：]?\s*$)"
)
RESUME_JA = re.compile(r"^[・]?\s*(?:前文|締結の証|本契約締結の証|別紙|別表)")
PREAMBLE_HEAD = re.compile(r"^[・]?\s*(?:前文|RECITALS?|Recitals?|WHEREAS|Background|BACKGROUND|PREAMBLE|Preamble)\b")
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


# The article number as printed (full-width and kanji kept), for references a reader can
# find with Ctrl+F: 「第十二条」, 「第１２条の２」.
PRINTED_ARTICLE = re.compile(
    r"第?\s*([0-9０-９]{1,4}|[一二三四五六七八九十百〇]{1,4})\s*条(?:\s*の\s*([0-9０-９]{1,4}|[一二三四五六七八九十百〇]{1,4}))?"
)


def printed_article(raw: str) -> tuple[str, str | None] | None:
    """``(number, sub-number)`` of an article heading line as printed, or None."""
    m = PRINTED_ARTICLE.search(raw)
    return (m.group(1), m.group(2)) if m else None


def numerals_of(printed: str) -> str:
    """The numeral family of a printed number: ascii, wide (全角) or kanji."""
    if printed.isascii():
        return "ascii"
    return "wide" if all("０" <= c <= "９" for c in printed) else "kanji"


def write_num(n: int, numerals: str) -> str:
    """``n`` in a numeral family, so 項 and 号 numbers read like their article's."""
    if numerals == "wide":
        return str(n).translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})
    if numerals == "kanji" and 0 < n < 10000:
        digits = "〇一二三四五六七八九"
        out = ""
        for value, unit in ((1000, "千"), (100, "百"), (10, "十")):
            q, n = divmod(n, value)
            if q:
                out += ("" if q == 1 else digits[q]) + unit
        return out + (digits[n] if n else "")
    return str(n)


def to_int(num: str) -> int | None:
    num = num.strip().translate(FOLD)
    if num.isdigit():
        return int(num)
    if all(c in _KANJI_NUM or c in "十百" for c in num):
        total, cur = 0, 0
        for c in num:
            if c == "十":
                total += (cur or 1) * 10
                cur = 0
            elif c == "百":
                total += (cur or 1) * 100
                cur = 0
            else:
                cur = cur * 10 + _KANJI_NUM[c]
        return total + cur
    low = num.lower()
    if low and all(c in _ROMAN for c in low):
        total = 0
        for i, c in enumerate(low):
            v = _ROMAN[c]
            total += -v if i + 1 < len(low) and _ROMAN[low[i + 1]] > v else v
        return total
    return None


# ------------------------------------------------------------------ line classes


def classify(folded: str) -> tuple[str, tuple]:
    s = folded.strip()
    if not s:
        return "blank", ()
    m = MD_HEADING.match(s)
    md_level = 0
    if m:
        md_level = len(m.group(1))
        s = m.group(2).strip()
    m = JA_ARTICLE.match(s)
    if m:
        # a trailing 「【オプション1～3共通】」 tag is not article text
        rest = re.sub(r"^【[^】]*】\s*$", "", m.group(6))
        if m.group(1) or (m.group(5) is not None and not rest.strip()):
            return "ja_article", (m.group(2), m.group(3), m.group(4), m.group(5), rest, md_level)
    m = EN_ARTICLE.match(s)
    if m:
        return "en_article", (m.group(2), m.group(3), m.group(4), md_level)
    m = EN_SECTION.match(s)
    if m:
        return "en_section", (m.group(2), m.group(3), md_level, m.group(1))
    if md_level:
        return "md_heading", (s, md_level)
    return "text", ()


def detect_style(kinds: list[str], folded_lines: list[str]) -> str:
    ja = kinds.count("ja_article")
    art = kinds.count("en_article")
    sec = kinds.count("en_section")
    if ja and ja >= art and ja >= sec:
        return "ja"
    if art and art >= sec:
        return "article"
    if sec:
        return "section"
    tops = 0
    last = 0
    for f in folded_lines:
        m = NUM_TOP.match(f.strip())
        # numbers that run in order; one may be missing (a heading the text lost)
        if m and last < int(m.group(1)) <= last + 2:
            tops += 1
            last = int(m.group(1))
    if tops >= 2:
        return "numbered"
    subs = sum(1 for f in folded_lines if NUM_SUB.match(f.strip()))
    return "numbered" if subs >= 2 else "none"


# ------------------------------------------------------------------ sentences

_EN_ABBREV = re.compile(
    r"(?:\b(?:Art|Arts|Sec|Secs|Sect|No|Nos|Co|Ltd|Inc|Corp|Mr|Mrs|Ms|Dr|vs|etc|cf|e\.g|i\.e|U\.S|St|"
    r"para|Para|paras|Cl|cl|Fig|approx|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Rev|Ref|"
    r"Exh|Sch|K\.K|S\.A|N\.V|B\.V|L\.P|P\.O|Pty|Bros|Jr|Sr|approx|viz|al)|(?<![A-Za-z])[A-Z])$"
)
_SENT_END = re.compile(r"。|[.!?](?=[\"'”’)\]]?(?:\s+|$))|\n[ \t\u3000]*\n")
_OPEN = "（(「『【［["
_CLOSE = "）)」』】］]"


def split_sentences(text: str, base: int = 0) -> list[tuple[int, int]]:
    """Sentence spans (absolute when ``base`` is the offset of ``text``).

    「。」 inside brackets (「以下「甲」という。」) does not end a sentence, nor does a
    period after an abbreviation ("Art. 5", "e.g.") or inside a number ("7.1").
    """
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    for m in _SENT_END.finditer(text):
        end = m.end()
        ch = m.group(0)
        if ch == "。":
            line_start = text.rfind("\n", start, m.start()) + 1
            seg = text[max(line_start, start) : m.start()]
            depth = sum(seg.count(c) for c in _OPEN) - sum(seg.count(c) for c in _CLOSE)
            if depth > 0:
                continue
        elif ch in ".!?":
            before = text[max(start, m.start() - 12) : m.start()]
            if ch == "." and _EN_ABBREV.search(before):
                continue
            # allow a closing quote or bracket to stay with the sentence
            while end < n and text[end] in "\"'”’)]":
                end += 1
        piece = text[start:end]
        if piece.strip():
            a = start + (len(piece) - len(piece.lstrip()))
            b = start + len(piece.rstrip())
            spans.append((base + a, base + b))
        start = end
    piece = text[start:]
    if piece.strip():
        a = start + (len(piece) - len(piece.lstrip()))
        b = start + len(piece.rstrip())
        spans.append((base + a, base + b))
    return spans


def strip_md(s: str) -> str:
    if s.startswith("#"):
        return s.lstrip("#")
    return s


def looks_heading(s: str) -> bool:
    if len(s) > 80 or len(s) < 3:
        return False
    letters = [c for c in s if c.isalpha()]
    if not letters or not all(c.isascii() for c in letters):
        return False
    return all(not c.islower() for c in letters) and sum(c.isalpha() for c in s) >= 3


def match_item(core: str, styles: list[str]) -> tuple[str, str] | None:
    for name, pat in ITEM_PATTERNS:
        m = pat.match(core)
        if not m:
            continue
        label = m.group(1)
        if name == "paren_roman" and "paren_alpha" in styles[-1:] and label in ("i", "v", "x"):
            # (i) after (h) is a letter, not a roman numeral
            return "paren_alpha", label
        if name == "kanji" and not m.group(2).strip():
            return None
        if name == "kana" and not styles:
            # a bare katakana line only counts as an item inside a list (「一 … イ …」);
            # elsewhere it is a word, or OCR text with spaces between characters
            return None
        return name, label
    return None


def item_label(istyle: str, label: str, language: str, style: str, numerals: str = "ascii") -> str:
    """The item's part of a reference: 第1号 (in the article's numerals), イ, (a)."""
    ja = style == "ja" or language == "ja"
    if istyle in ("paren_num", "circled", "kanji", "num_close"):
        n = to_int(label) if istyle != "circled" else ord(label) - 0x2460 + 1
        if ja:
            return f"第{write_num(n, numerals) if n is not None else label}号"
        return f"({n})"
    if istyle == "kana" and ja:
        return label
    if istyle == "annex_num":
        return f" {label}"
    return f"({label})"
