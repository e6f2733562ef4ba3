"""Word list numbering: print list labels (「第3条」, 「（２）」, 「①」, "7.2(b)") as Word does.

Split from the DOCX reader (extract_docx.py). Numbering reaches a paragraph directly
(w:numPr), through its paragraph style (also inherited through w:basedOn), or through a
numbering style: an abstract list that holds only ``w:numStyleLink`` takes its levels from
the list whose ``w:styleLink`` names the same style.
"""

from __future__ import annotations

import logging
import re

# the messages keep the logger of the module they were split from, which callers filter on
log = logging.getLogger("chizai.review.engine.extract")

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_KANJI_DIGITS = "〇一二三四五六七八九"
_IROHA = "イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセス"
_AIUEO = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"


def _roman(n: int) -> str:
    vals = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ]
    out = ""
    for v, s in vals:
        while n >= v:
            out += s
            n -= v
    return out


def _kanji_number(n: int) -> str:
    if n <= 0:
        return str(n)
    if n < 10:
        return _KANJI_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _KANJI_DIGITS[tens]) + "十" + (_KANJI_DIGITS[ones] if ones else "")
    return str(n)


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("decimal", "decimalZero"):
        return str(n) if fmt == "decimal" or n >= 10 else f"0{n}"
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else f"({n})"
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt in (
        "japaneseCounting",
        "ideographTraditional",
        "chineseCounting",
        "japaneseLegal",
        "chineseCountingThousand",
        "ideographDigital",
        "japaneseDigitalTenThousand",
    ):
        return _kanji_number(n)
    if fmt == "iroha" or fmt == "irohaFullWidth":
        return _IROHA[(n - 1) % len(_IROHA)]
    if fmt == "aiueo" or fmt == "aiueoFullWidth":
        return _AIUEO[(n - 1) % len(_AIUEO)]
    if fmt == "bullet":
        return "・"
    if fmt == "none":
        return ""
    return str(n)


class Numbering:
    """Enough of Word's numbering model to print list labels like 「第3条」, 「（２）」, 「①」."""

    def __init__(self, doc, name: str = ""):
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}
        self.num_to_abs: dict[str, str] = {}
        self.start_override: dict[tuple[str, int], int] = {}
        self.counters: dict[str, list[int]] = {}
        self.style_num: dict[str, tuple[str, int]] = {}
        self.style_link: dict[str, str] = {}  # abstractNumId -> numbering style it defines
        self.num_style_link: dict[str, str] = {}  # abstractNumId -> numbering style it borrows
        self.level_style: dict[tuple[str, str], int] = {}  # (abstractNumId, paragraph style) -> level
        self.linked: dict[str, str] = {}
        try:
            part = doc.part.numbering_part
            root = part.element
        except NotImplementedError:  # no numbering part: python-docx would have to create one
            root = None
        except Exception as exc:  # e.g. two numbering parts (ValueError), a part that is not XML
            log.warning(
                "%s: the Word numbering could not be read, list labels are left out (%s: %s)",
                name,
                type(exc).__name__,
                exc,
            )
            root = None
        if root is not None:
            for absn in root.iter(W + "abstractNum"):
                aid = absn.get(W + "abstractNumId")
                for tag, into in (("styleLink", self.style_link), ("numStyleLink", self.num_style_link)):
                    el = absn.find(W + tag)
                    if el is not None and el.get(W + "val"):
                        into[aid] = el.get(W + "val")
                for lvl in absn.iter(W + "lvl"):
                    il = int(lvl.get(W + "ilvl", "0"))
                    fmt_el = lvl.find(W + "numFmt")
                    txt_el = lvl.find(W + "lvlText")
                    start_el = lvl.find(W + "start")
                    fmt = fmt_el.get(W + "val") if fmt_el is not None else "decimal"
                    txt = txt_el.get(W + "val") if txt_el is not None else f"%{il + 1}."
                    start = int(start_el.get(W + "val")) if start_el is not None else 1
                    self.levels[(aid, il)] = (fmt, txt or "", start)
                    pstyle = lvl.find(W + "pStyle")
                    if pstyle is not None and pstyle.get(W + "val"):
                        self.level_style[(aid, pstyle.get(W + "val"))] = il
            for num in root.iter(W + "num"):
                nid = num.get(W + "numId")
                a = num.find(W + "abstractNumId")
                if a is not None:
                    self.num_to_abs[nid] = a.get(W + "val")
                for ov in num.iter(W + "lvlOverride"):
                    so = ov.find(W + "startOverride")
                    if so is not None:
                        self.start_override[(nid, int(ov.get(W + "ilvl", "0")))] = int(so.get(W + "val"))
        try:
            self._read_styles(doc, root)
        except Exception as exc:
            log.warning(
                "%s: the numbering of Word styles could not be read, their list labels are left out (%s: %s)",
                name,
                type(exc).__name__,
                exc,
            )

    def label(self, paragraph) -> str:
        num_id = None
        ilvl = 0
        ppr = paragraph._p.pPr
        if ppr is not None and ppr.numPr is not None and ppr.numPr.numId is not None:
            num_id = str(ppr.numPr.numId.val)
            ilvl = int(ppr.numPr.ilvl.val) if ppr.numPr.ilvl is not None else 0
        else:
            sid = paragraph._p.style
            if sid and sid in self.style_num:
                num_id, ilvl = self.style_num[sid]
        if num_id is None or num_id == "0" or num_id not in self.num_to_abs:
            return ""
        aid = self.num_to_abs[num_id]
        if (aid, ilvl) not in self.levels:
            aid = self.linked.get(aid, aid)
        if (aid, ilvl) not in self.levels:
            return ""
        counters = self.counters.setdefault(num_id, [0] * 9)
        ilvl = min(ilvl, 8)
        if counters[ilvl] == 0:
            counters[ilvl] = self.start_override.get((num_id, ilvl), self.levels[(aid, ilvl)][2])
        else:
            counters[ilvl] += 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        fmt, text, _start = self.levels[(aid, ilvl)]
        if fmt == "bullet":
            return "・"

        def repl(m: re.Match) -> str:
            lv = int(m.group(1)) - 1
            if not (0 <= lv <= 8) or (aid, lv) not in self.levels:
                return ""
            value = counters[lv] or self.levels[(aid, lv)][2]
            return _format_number(value, self.levels[(aid, lv)][0] if lv != ilvl else fmt)

        return re.sub(r"%(\d)", repl, text)

    def _read_styles(self, doc, root) -> None:
        """Numbering given by paragraph styles (with w:basedOn inheritance) and numbering styles."""
        numpr: dict[str, tuple[str | None, int | None]] = {}
        based: dict[str, str] = {}
        for st in doc.styles:
            el = st.element
            sid = st.style_id
            if sid is None:
                continue
            b = el.find(W + "basedOn")
            if b is not None and b.get(W + "val"):
                based[sid] = b.get(W + "val")
            ppr = el.pPr
            if ppr is not None and ppr.numPr is not None:
                numpr[sid] = (
                    str(ppr.numPr.numId.val) if ppr.numPr.numId is not None else None,
                    int(ppr.numPr.ilvl.val) if ppr.numPr.ilvl is not None else None,
                )
        for sid in set(numpr) | set(based):
            nid: str | None = None
            il: int | None = None
            cur: str | None = sid
            seen: set[str] = set()
            while cur is not None and cur not in seen:  # a style inherits what it does not set
                seen.add(cur)
                n, i = numpr.get(cur, (None, None))
                nid = nid if nid is not None else n
                il = il if il is not None else i
                cur = based.get(cur)
            if nid is None:
                continue
            if il is None:
                # a level that names this paragraph style (w:lvl/w:pStyle) gives the level
                aid = self.num_to_abs.get(nid, "")
                aid = self.linked_for(aid, numpr)
                il = self.level_style.get((aid, sid), 0)
            self.style_num[sid] = (nid, il)
        self.linked = {aid: self.linked_for(aid, numpr) for aid in self.num_style_link}

    def linked_for(self, aid: str, numpr: dict[str, tuple[str | None, int | None]]) -> str:
        """The abstract list that really holds the levels of ``aid`` (through w:numStyleLink)."""
        style = self.num_style_link.get(aid)
        if style is None:
            return aid
        for other, defined in self.style_link.items():
            if defined == style:
                return other
        nid = numpr.get(style, (None, None))[0]  # the numbering style points at a w:num
        return self.num_to_abs.get(nid or "", aid)
