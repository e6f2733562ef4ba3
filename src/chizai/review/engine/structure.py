"""Split a contract into title, preamble, articles, paragraphs, items, sentences,
signature block, annexes, and — for the METI/JPO model contracts — commentary.

The segmenter works line by line on the original text, so every offset is an
original offset. Lines are classified on a lightly folded copy (full-width ASCII to
ASCII, ideographic space to space) which keeps 「①」 and 「（１）」 recognisable.

Commentary: the model contracts interleave article text with 「＜ポイント＞」,
「＜解説＞」, 「【コラム】」 and option clauses 「【オプション…】」. Once a document
contains such markers, a marker switches to commentary until the next article
heading (or 前文 / 締結の証 / 別紙), which switches back. Option clauses are kept
as commentary: they are alternatives the reader may choose, not the contract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .document import Segment, SegmentKind
from .messages import msg
from .lines import (
    ANNEX,
    COMMENTARY_MARK,
    FOLD,
    PREAMBLE_HEAD,
    RESUME_JA,
    SIGNATURE,
    FENCE,
    JA_PARA,
    NUM_SUB,
    NUM_TOP,
    item_label,
    looks_heading,
    match_item,
    numerals_of,
    printed_article,
    strip_md,
    to_int,
    classify,
    detect_style,
    split_sentences,
    write_num,
)

__all__ = ["segment", "split_sentences"]


@dataclass
class _Unit:
    kind: SegmentKind
    start: int
    end: int
    level: int
    label: str | None = None  # local ref part: 第5条, 第2項, 第1号, (a), Article 5, 5.2
    article: str | None = None
    heading: str | None = None
    parent: int | None = None
    commentary: bool = False
    style: str | None = None  # item numbering family
    head_end: int | None = None  # end of a heading-only first line (not sentence text)
    numerals: str = "ascii"  # numeral family of the article heading as printed (ascii, wide, kanji)
    children: list[int] = field(default_factory=list)


# a line that defines the parties and concludes the contract (a preamble), in either language
_PARTY_PREAMBLE = re.compile(
    r"[（(]以下[、,]?「[^」]{1,14}」(?:と)?(?:いう|称する)[。]?[）)][^\n]{0,200}?(?:締結|合意)"
    r"|\(\s*(?:hereinafter\s+(?:referred\s+to\s+as\s+)?)?(?:the\s+)?[\"“][^\"”]{1,30}[\"”]\s*\)[^\n]{0,300}?\b(?:enter(?:s|ed)?\s+into|agree)"
)


def _heading_only(unit: _Unit) -> bool:
    """The unit so far holds only its heading line (no sentence text)."""
    return unit.head_end is not None and unit.end <= unit.head_end


# ------------------------------------------------------------------ flattened text

# A clause number inside a long line, right after the end of a sentence: "… records.
# 4.2 Audit Telnet shall …", "… this Agreement. 5. GALAXY RESPONSIBILITIES Services …".
# Text extracted from PDF often loses the line breaks that put each number at a line start.
_INLINE_NUMBER = re.compile(
    r"(?:(?<=[.;:!?\"”’)\]])[ \t]{1,8}|(?<=[A-Z][A-Z])[ \t]{1,8}(?=[0-9]{1,2}\.[0-9])|^[ \t]*|[ \t]{3,})"
    r"(?P<num>(?P<top>[0-9]{1,2})(?:\.[0-9]{1,2}){1,2}\.?(?=[ \t]+[A-Z\"“(])"
    r"|(?P<top2>[0-9]{1,2})\.(?=[ \t]+(?:"
    # an all-capitals heading: "5. GALAXY RESPONSIBILITIES Services …"
    r"(?:[A-Z][A-Z&,'’-]+[ \t]+){0,6}[A-Z][A-Z&'’-]+\b(?![a-z])"
    # a heading in title case set off by a wide gap: "7. Order Processing   Chase will …"
    r"|[A-Z][\w&,;'’-]*(?:[ ][A-Za-z][\w&,;'’-]*){0,8}[ \t]{2,}[A-Z\"“(])))"
)
_LONG_LINE = 200


def _unflatten(lines: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Long lines cut before the clause numbers they carry inline, when those numbers run in
    order through the document (so that "Section 12.2" in a sentence or a stray "3." is
    not taken for a heading). Offsets stay those of the original text."""
    cuts: dict[int, list[int]] = {}
    last_top = 0
    for li, (_ls, _le, raw) in enumerate(lines):
        if len(raw) < _LONG_LINE:
            m = NUM_TOP.match(raw.strip()) or NUM_SUB.match(raw.strip())
            if m:
                last_top = max(last_top, int(m.group(1).split(".")[0]))
            continue
        for m in _INLINE_NUMBER.finditer(raw):
            top = int(m.group("top") or m.group("top2"))
            if last_top <= top <= last_top + 3:
                cuts.setdefault(li, []).append(m.start("num"))
                last_top = top
    if sum(len(c) for c in cuts.values()) < 3:
        return lines
    out: list[tuple[int, int, str]] = []
    for li, (ls, le, raw) in enumerate(lines):
        if li not in cuts:
            out.append((ls, le, raw))
            continue
        at = [0, *cuts[li], len(raw)]
        for a, b in zip(at, at[1:], strict=False):
            if b > a:
                out.append((ls + a, ls + b, raw[a:b]))
    return out


# ------------------------------------------------------------------ main


def segment(
    text: str,
    norm: str,
    norm_to_orig: list[int],
    language: str = "ja",
) -> tuple[list[Segment], str | None]:
    """Segment ``text``; returns ``(segments, title)``.

    Segments are ordered by start (parents before children); each has its ``norm``
    slice and a ``ref`` where the text gives a clause number.
    """
    # original index -> first norm index at or after it
    o2n = [0] * (len(text) + 1)
    j = 0
    nn = len(norm)
    for i in range(len(text) + 1):
        while j < nn and norm_to_orig[j] < i:
            j += 1
        o2n[i] = j

    lines: list[tuple[int, int, str]] = []
    pos = 0
    for raw in text.split("\n"):
        lines.append((pos, pos + len(raw), raw))
        pos += len(raw) + 1
    if language != "ja":
        lines = _unflatten(lines)
    folded = [raw.translate(FOLD) for _, _, raw in lines]
    pre = [classify(f) for f in folded]
    style = detect_style([k for k, _ in pre], folded)
    has_commentary = any(COMMENTARY_MARK.match(strip_md(f).strip()) for f in folded if f.strip())

    units: list[_Unit] = []
    stack: list[int] = []  # open structural units, outermost first
    state: dict[str, Any] = {
        "mode": "contract",
        "seen_article": False,
        "commentary": None,
        "preamble": None,
        "blocks": 0,
    }

    def close_to(level: int) -> None:
        while stack and units[stack[-1]].level >= level:
            stack.pop()

    def open_unit(u: _Unit) -> int:
        if stack:
            u.parent = stack[-1]
            units[stack[-1]].children.append(len(units))
            for idx in stack:
                if units[idx].end < u.end:
                    units[idx].end = u.end
        units.append(u)
        stack.append(len(units) - 1)
        return len(units) - 1

    def open_paragraph(label: str, start: int, end: int) -> None:
        """A new paragraph (項) of the open article: back to the article's level, then the unit."""
        close_to(1)
        open_unit(_Unit("paragraph", start, end, 1, label=label, article=units[stack[0]].article if stack else None))
        last_item_style.clear()

    def extend(end: int) -> None:
        for idx in stack:
            if units[idx].end < end:
                units[idx].end = end

    def close_all() -> None:
        stack.clear()

    # Without any clause numbers the reader can still count paragraphs: each block of
    # lines (blank-line separated; sentence-ended lines when there are hardly any blank
    # lines) is cited as 「第N段落」 / "Paragraph N" instead of all being 前文.
    unnumbered = style == "none" and sum(1 for f in folded if NUM_TOP.match(f.strip()) or NUM_SUB.match(f.strip())) < 2
    few_blank = sum(1 for k, _ in pre if k == "blank") < 3

    def open_block(start: int) -> None:
        state["blocks"] += 1
        close_all()
        open_unit(_Unit("paragraph", start, start, 1, label=msg(language, "paragraph_ref", n=state["blocks"])))

    title: str | None = None
    title_done = False
    title_open = False
    title_idx = -1
    last_item_style: list[str] = []

    for li, (ls, _le, raw) in enumerate(lines):
        f = folded[li]
        s = f.strip()
        kind, data = pre[li]
        if kind == "blank":
            if unnumbered and stack and units[stack[0]].kind == "paragraph":
                close_all()
            continue
        if FENCE.match(s):
            continue
        content_start = ls + (len(raw) - len(raw.lstrip()))
        content_end = ls + len(raw.rstrip())
        core = strip_md(s).strip()
        md_level = len(s) - len(s.lstrip("#")) if s.startswith("#") else 0

        # ---- commentary switching (only in documents that have commentary)
        if has_commentary:
            is_mark = bool(COMMENTARY_MARK.match(core))
            is_resume = (
                (kind == "ja_article" and not data[4].strip())
                or (kind == "en_article" and not (data[2] or "").strip())
                or (bool(RESUME_JA.match(core)) and len(core) <= 40 and "。" not in core)
                # the preamble that names the parties after a drafting note («（注）本契約書は…改めたものである。»)
                or (kind == "text" and bool(_PARTY_PREAMBLE.search(core)))
            )
            if is_mark and not is_resume:
                state["mode"] = "commentary"
            elif is_resume:
                state["mode"] = "contract"
            if state["mode"] == "commentary":
                close_all()
                cu = state["commentary"]
                if cu is not None and not is_mark:
                    units[cu].end = content_end
                else:
                    units.append(_Unit("commentary", content_start, content_end, 9, commentary=True))
                    state["commentary"] = len(units) - 1
                continue
            state["commentary"] = None

        # ---- title (a second short line naming the contract joins the first)
        if title_open:
            title_open = False
            if (
                kind == "text"
                and len(core) <= 80
                and not core.endswith(("。", ".", ":", "："))
                and "、" not in core
                and not SIGNATURE.search(core)
                and (
                    re.search(r"契約書|規約|約款|覚書|仕様書", core)
                    or (looks_heading(core) and re.search(r"AGREEMENT|TERMS|CONTRACT|CONDITIONS", core))
                )
            ):
                units[title_idx].end = content_end
                title = f"{title} {core}"
                continue
        if not title_done:
            title_done = True
            if kind not in ("ja_article", "en_article", "en_section") and len(core) <= 120 and not core.endswith("。"):
                title = core
                units.append(_Unit("title", content_start, content_end, 0))
                title_idx = len(units) - 1
                title_open = True
                # a second short all-caps line right after the title belongs to it (e.g. a
                # company name line followed by the document name)
                continue

        # ---- signature block and annexes (only once the body has started)
        if state["seen_article"] and (m := ANNEX.match(core)) and len(core) <= 70 and not core.endswith(("。", ";")):
            close_all()
            label = m.group(1) + ((" " if m.group(1).isascii() else "") + m.group(2) if m.group(2) else "")
            u = _Unit("annex", content_start, content_end, 0, label=label, heading=core)
            open_unit(u)
            continue
        if (
            (state["seen_article"] or kind == "text")
            and SIGNATURE.search(core)
            and len(core) <= 200
            and (state["seen_article"] or SIGNATURE.match(core))
        ):
            if stack and units[stack[0]].kind == "signature":
                extend(content_end)  # date line, then one line per party: one block
                continue
            close_all()
            open_unit(_Unit("signature", content_start, content_end, 0))
            continue

        # ---- articles
        if kind == "ja_article":
            num, sub, para, head, rest, _ml = data
            # cite the number as printed (第十二条, 第１２条) so the reader finds it in the text
            printed = printed_article(raw) or (num, sub)
            numerals = numerals_of(printed[0])
            label = f"第{printed[0]}条" + (f"の{printed[1] or sub}" if sub else "")
            if (
                rest.strip()
                and stack
                and units[stack[0]].kind == "article"
                and units[stack[0]].label == label
                and _heading_only(units[stack[0]])
                and len(stack) == 1
                and not para
            ):
                # 「第2条（秘密保持）」 heading followed by 「第2条　受領者は…」: one article
                extend(content_end)
                continue
            close_all()
            state["seen_article"] = True
            u = _Unit(
                "article",
                content_start,
                content_end,
                0,
                label=label,
                article=label,
                heading=head or None,
                numerals=numerals,
            )
            if not rest.strip():
                u.head_end = content_end
            open_unit(u)
            if para and (para_no := to_int(para)) and para_no > 1 and rest.strip():
                # heading like 「第1条2項（…）」 in the model contracts: the text that follows is that paragraph
                pu = _Unit(
                    "paragraph",
                    content_start,
                    content_end,
                    1,
                    label=f"第{write_num(para_no, numerals)}項",
                    article=label,
                    heading=head or None,
                )
                open_unit(pu)
            last_item_style.clear()
            continue
        if kind == "en_article":
            num, head, rest, _ml = data
            label = f"Article {num}"  # as printed: "Article IV" stays roman
            close_all()
            state["seen_article"] = True
            if not head and rest and len(rest) <= 80 and not rest.endswith("."):
                head, rest = rest, ""
            u = _Unit("article", content_start, content_end, 0, label=label, article=label, heading=head or None)
            if not rest.strip():
                u.head_end = content_end
            open_unit(u)
            last_item_style.clear()
            continue
        if kind == "en_section":
            num, rest, _ml, keyword = data
            parts = num.split(".")
            base = "§" if keyword == "§" else "Section" if parts[0] and style != "article" else "Article"
            # "SECTION 5.0 TERMINATION" numbers a top-level section in the N.0 style
            top_level = len(parts) == 1 or all(p.strip("0") == "" for p in parts[1:])
            if top_level or style not in ("article", "section") or not stack:
                close_all()
                state["seen_article"] = True
                label = f"{base} {num}"
                head = rest if rest and len(rest) <= 80 and not rest.endswith(".") else None
                u = _Unit(
                    "article", content_start, content_end, 0, label=label, article=f"{base} {parts[0]}", heading=head
                )
                if head:
                    u.head_end = content_end
                open_unit(u)
            else:
                open_paragraph(num, content_start, content_end)
            last_item_style.clear()
            continue
        if style == "numbered" or (style in ("article", "section") and md_level == 0):
            m = NUM_SUB.match(core)
            if m:
                num = m.group(1)
                top = num.split(".")[0]
                if (
                    stack
                    and units[stack[0]].kind == "article"
                    and (top_label := units[stack[0]].label)
                    and top_label.split()[-1].split(".")[0] == top
                ):
                    open_paragraph(num, content_start, content_end)
                    continue
                if style == "numbered":
                    close_all()
                    state["seen_article"] = True
                    base = f"第{top}条" if language == "ja" else f"Section {top}"
                    u = _Unit("article", content_start, content_end, 0, label=base, article=base)
                    open_unit(u)
                    open_unit(_Unit("paragraph", content_start, content_end, 1, label=num, article=base))
                    continue
            m = NUM_TOP.match(core)
            art_label = (units[stack[0]].label or "") if stack and units[stack[0]].kind == "article" else ""
            if (
                m
                and style == "article"
                and language == "en"
                and art_label.startswith("Article ")
                and art_label.split()[-1].isdigit()
                and raw[:1] not in " \t"
            ):
                # the paragraphs of a translated Japanese-style article («Article 5 (Ownership)\n1. …\n2. …»)
                # are its 項: "Article 5.2", each read as its own clause
                open_paragraph(f"{art_label.split()[-1]}.{m.group(1)}", content_start, content_end)
                continue
            if m and style == "numbered" and (raw[:1] not in " \t\u3000" or md_level):
                top = m.group(1)
                rest = m.group(2)
                head = None
                hm = re.match(r"^([A-Z][^.;:]{0,60}?)\.\s+(\S.*)$", rest)
                if hm:
                    head = hm.group(1)
                elif len(rest) <= 80 and not rest.endswith((".", "。")):
                    head = rest
                close_all()
                state["seen_article"] = True
                base = f"第{top}条" if language == "ja" else f"Section {top}"
                u = _Unit("article", content_start, content_end, 0, label=base, article=base, heading=head)
                if head == rest:
                    u.head_end = content_end
                open_unit(u)
                last_item_style.clear()
                continue

        # ---- paragraphs inside a Japanese article: 「２　前項の…」
        if stack and units[stack[0]].kind == "article" and style == "ja":
            m = JA_PARA.match(core)
            if m and raw[:1] not in " \t" and (units[stack[0]].label or "").startswith("第"):
                k = int(m.group(1))
                art = stack[0]
                if k >= 2 and not any(units[c].kind == "paragraph" for c in units[art].children):
                    _insert_implicit_paragraph(units, art)
                open_paragraph(f"第{write_num(k, units[art].numerals)}項", content_start, content_end)
                continue

        # ---- items
        item = match_item(core, last_item_style)
        if item and (stack or state["preamble"] is not None or not state["seen_article"]):
            istyle, ilabel = item
            if not stack:
                if unnumbered:
                    open_block(content_start)
                else:
                    _ensure_preamble(units, stack, state, content_start, open_unit)
            # a different numbering family under an open item nests one level deeper
            depth_items = [i for i in stack if units[i].kind == "item"]
            if depth_items and units[depth_items[-1]].style != istyle:
                if istyle in last_item_style[:-1]:
                    # back to an outer family: pop to it
                    while stack and units[stack[-1]].kind == "item" and units[stack[-1]].style != istyle:
                        stack.pop()
                        last_item_style.pop()
                    if stack and units[stack[-1]].kind == "item":
                        stack.pop()
                        if last_item_style:
                            last_item_style.pop()
                    level = 2 + sum(1 for i in stack if units[i].kind == "item")
                else:
                    level = units[depth_items[-1]].level + 1
                    last_item_style.append(istyle)
            else:
                if depth_items:
                    stack.pop()
                    level = units[depth_items[-1]].level
                else:
                    level = 2
                    last_item_style[:] = [istyle]
            numerals = units[stack[0]].numerals if stack else "ascii"
            u = _Unit(
                "item",
                content_start,
                content_end,
                level,
                label=item_label(istyle, ilabel, language, style, numerals),
                article=units[stack[0]].article if stack else None,
                style=istyle,
            )
            open_unit(u)
            extend(content_end)
            continue

        # ---- headings and plain text
        if md_level or (kind == "text" and looks_heading(core)):
            if not state["seen_article"] and PREAMBLE_HEAD.match(core):
                close_all()
                _ensure_preamble(units, stack, state, content_start, open_unit)
                units[state["preamble"]].head_end = content_end
                extend(content_end)
                continue
            if md_level or not stack:
                close_all()
                units.append(_Unit("heading", content_start, content_end, 0, heading=core))
                continue
        if not stack:
            if unnumbered:
                open_block(content_start)
            elif not state["seen_article"]:
                _ensure_preamble(units, stack, state, content_start, open_unit)
            else:
                open_unit(_Unit("paragraph", content_start, content_end, 1))
        extend(content_end)
        if unnumbered and few_blank and core.endswith(("。", ".")) and units[stack[0]].kind == "paragraph":
            close_all()

    return _finish(units, text, norm, o2n, language, style), title


def _ensure_preamble(units, stack, state, start, open_unit) -> None:
    if state["preamble"] is None or state["preamble"] not in stack:
        # a preamble interrupted by commentary or a heading starts a new unit, so its
        # span never covers the commentary in between
        u = _Unit("preamble", start, start, 0)
        stack.clear()
        state["preamble"] = open_unit(u)


def _insert_implicit_paragraph(units: list[_Unit], art: int) -> None:
    """First explicit 「２」 seen: what came before it in the article is paragraph 1.

    It starts after a heading-only first line (「第2条（秘密保持）」), or at the article
    line itself when the text follows the number (「第2条　受領者は…」); leading white
    space is trimmed later in ``_finish``.
    """
    a = units[art]
    start = a.head_end if a.head_end is not None else a.start
    pu = _Unit(
        "paragraph", start, max(start, a.end), 1, label=f"第{write_num(1, a.numerals)}項", article=a.article, parent=art
    )
    units.append(pu)
    idx = len(units) - 1
    for c in a.children:
        units[c].parent = idx
        pu.children.append(c)
    a.children = [idx]


def _finish(units: list[_Unit], text: str, norm: str, o2n: list[int], language: str, style: str) -> list[Segment]:
    # trim spans to their content and compute refs along the parent chain
    n = len(units)
    refs: list[str | None] = [None] * n

    def ref_of(i: int) -> str | None:
        if refs[i] is not None:
            return refs[i]
        u = units[i]
        if u.kind in ("commentary", "title", "heading", "signature"):
            return None
        if u.kind == "annex":
            refs[i] = u.label
            return u.label
        own = u.label
        parent = ref_of(u.parent) if u.parent is not None else None
        if own is None:
            refs[i] = parent
            return parent
        if parent is None:
            refs[i] = own
            return own
        if own[0].isdigit() and "." in own:
            # "5.2" under "Article 5" -> "Article 5.2"
            base = parent.rsplit(" ", 1)[0] if " " in parent else parent
            refs[i] = f"{base} {own}" if not base[0].isdigit() else own
        elif u.kind == "paragraph" and own.startswith("第") and parent.endswith("項"):
            refs[i] = parent.rsplit("第", 1)[0] + own
        else:
            refs[i] = parent + own
        return refs[i]

    # build segments
    segs: list[tuple[int, int, int, None]] = []
    index_of: dict[int, int] = {}
    order = sorted(range(n), key=lambda i: (units[i].start, -units[i].end, units[i].level))
    for i in order:
        u = units[i]
        start, end = _trim(text, u.start, u.end)
        if end <= start:
            continue
        index_of[i] = len(segs)
        segs.append((start, end, i, None))
    out: list[Segment] = []
    pos_of: dict[int, int] = {}
    for k, (start, end, i, _) in enumerate(segs):
        u = units[i]
        parent = u.parent
        while parent is not None and parent not in index_of:
            parent = units[parent].parent
        kind = "preamble" if u.kind == "preamble" else u.kind
        out.append(
            Segment(
                kind=kind,
                start=start,
                end=end,
                text=text[start:end],
                norm=norm[o2n[start] : o2n[end]],
                ref=ref_of(i) if u.kind != "preamble" else ("前文" if language == "ja" else "Preamble"),
                article=u.article,
                heading=u.heading,
                parent=None,
                is_commentary=u.commentary,
            )
        )
        pos_of[i] = k
    # parents need final indices: rebuild with them
    final: list[Segment] = []
    for k, (_start, _end, i, _) in enumerate(segs):
        u = units[i]
        parent = u.parent
        while parent is not None and parent not in pos_of:
            parent = units[parent].parent
        seg = out[k]
        final.append(
            Segment(
                seg.kind,
                seg.start,
                seg.end,
                seg.text,
                seg.norm,
                seg.ref,
                seg.article,
                seg.heading,
                pos_of.get(parent) if parent is not None else None,
                seg.is_commentary,
            )
        )

    # sentences: the text of each contract unit not covered by its children
    sentences: list[Segment] = []
    children: dict[int, list[tuple[int, int]]] = {}
    for seg in final:
        if seg.parent is not None:
            children.setdefault(seg.parent, []).append((seg.start, seg.end))
    for k, seg in enumerate(final):
        if seg.is_commentary or seg.kind in ("title", "heading", "signature"):
            continue
        u = units[segs[k][2]]
        own_start = seg.start
        if u.head_end is not None and u.head_end > own_start:
            own_start = min(u.head_end, seg.end)
        gaps = []
        cur = own_start
        for a, b in sorted(children.get(k, [])):
            if a > cur:
                gaps.append((cur, a))
            cur = max(cur, b)
        if cur < seg.end:
            gaps.append((cur, seg.end))
        for a, b in gaps:
            piece = text[a:b]
            if not piece.strip():
                continue
            for sa, sb in split_sentences(piece, a):
                stext = text[sa:sb]
                if not stext.strip("`#-* \t\n"):
                    continue
                sentences.append(
                    Segment(
                        "sentence", sa, sb, stext, norm[o2n[sa] : o2n[sb]], seg.ref, seg.article, seg.heading, k, False
                    )
                )
    if not sentences:
        return final
    # merge keeping parents before children; sentence parent indices shift, so remap
    merged = [(s.start, -s.end, 0, idx, s) for idx, s in enumerate(final)]
    merged += [(s.start, -s.end, 1, idx, s) for idx, s in enumerate(sentences)]
    merged.sort(key=lambda t: (t[0], t[1], t[2]))
    new_index: dict[tuple[int, int], int] = {}
    for pos, (_, _, typ, idx, _) in enumerate(merged):
        new_index[(typ, idx)] = pos
    result: list[Segment] = []
    for _, _, _typ, _idx, s in merged:
        p = new_index[(0, s.parent)] if s.parent is not None else None
        result.append(Segment(s.kind, s.start, s.end, s.text, s.norm, s.ref, s.article, s.heading, p, s.is_commentary))
    return result


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    end = min(end, len(text))
    start = max(0, start)
    while start < end and text[start] in " \t\n\u3000`":
        start += 1
    while end > start and text[end - 1] in " \t\n\u3000`":
        end -= 1
    return start, end
