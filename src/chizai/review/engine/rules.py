"""Rule engine of the contract reviewer: catalogue data in, findings and checklist out.

Pure library (no Django). ``evaluate`` is called by ``pipeline.review_document``.

How matching works, and why:
- Rules are data (``data/rules/*.yaml``, ``data/ambiguous/*.yaml``, ``data/checklists/*.yaml``
  and the shared ``data/vocab.yaml``; see docs/rules.md), compiled once per language.
  Party labels are masked in the clause text with private-use characters of the same
  length, so new party names never force a recompile and offsets never move.
- Clause text is the set of smallest non-sentence segments ("units"). A pattern runs
  only on the units that contain its mandatory literals ("anchors"), found through a
  memoised literal-to-unit index: most rules touch a handful of clauses, which keeps a
  60k-character contract well inside the time budget.
- A trigger only becomes a finding after the clause filters: ``near`` groups,
  ``not_near`` (carve-outs), negation of the trigger itself, who the sentence binds
  (``subject``; mutual wording defuses one-way rules), and a stated separate
  consideration (``requires_no: consideration``). Those filters are where most false
  alarms are removed. Spans are mapped back to the original text.
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field

from .document import ChecklistResult, Document, Finding, Segment
from .rules_data import Catalogue, ChecklistItem, Rule, labels_with_gaps, load_catalogue, substitute

_SEV = ("LOW", "MEDIUM", "HIGH")
_SME_DISCLOSER_TYPES = {"NDA", "PROTO", "JRD"}
_JA_SME_DEFAULT, _JA_LARGE_DEFAULT = ("乙",), ("甲",)
_EN_SME_DEFAULT = ("Supplier", "Seller", "Contractor", "Vendor", "Startup", "Partner", "Licensor")
_EN_LARGE_DEFAULT = ("Buyer", "Purchaser", "Customer", "Company", "Licensee")
_JA_LARGE_OF = {"受託者": "委託者", "受注者": "発注者", "中小受託事業者": "委託事業者",
                "下請事業者": "親事業者", "乙": "甲", "甲": "乙", "供給者": "買主",
                "委託者": "受託者", "発注者": "受注者"}
_EN_LARGE_OF = {"Supplier": "Buyer", "Seller": "Buyer", "Contractor": "Company",
                "Licensor": "Licensee", "Licensee": "Licensor", "Startup": "Company",
                "Partner": "Company", "Vendor": "Customer"}


# --------------------------------------------------------------------------- units

@dataclass
class _Unit:
    idx: int  # position in the unit list
    seg: Segment
    norm: str
    low: str  # lower-cased norm, for the literal prefilter
    ref: str | None
    article: str | None
    start: int  # offset in the joined string
    _subject: str | None = field(default=None, repr=False)


def _units(doc: Document) -> list[Segment]:
    """Smallest non-sentence clause segments: the "same clause" of NEAR().

    Sentences are folded into their parent so that a carve-out in the next sentence
    (「ただし、…この限りでない」) still sits in the same unit as the trigger.
    """
    segs = doc.segments
    parents = {s.parent for s in segs if s.parent is not None}
    chosen: dict[int, Segment] = {}
    for i, s in enumerate(segs):
        if s.is_commentary or s.kind in ("title", "signature", "commentary", "heading"):
            continue
        if i in parents:
            continue
        if s.kind == "sentence" and s.parent is not None and 0 <= s.parent < len(segs):
            p = segs[s.parent]
            if p.is_commentary:
                continue
            chosen.setdefault(s.parent, p)
            continue
        chosen.setdefault(i, s)
    return [chosen[k] for k in sorted(chosen)]


def _seg_norm_offset(doc: Document, seg: Segment) -> int | None:
    """Where seg.norm starts inside doc.norm, or None when it is not a plain slice."""
    k = bisect.bisect_left(doc.norm_to_orig, seg.start)
    if k < len(doc.norm) and doc.norm[k:k + len(seg.norm)] == seg.norm:
        return k
    pos = doc.norm.find(seg.norm[:40], max(0, k - 50)) if seg.norm else -1
    if pos >= 0 and doc.norm[pos:pos + len(seg.norm)] == seg.norm:
        return pos
    return None


def _orig_span(doc: Document, seg: Segment, a: int, b: int) -> tuple[int, int]:
    """Map [a, b) of seg.norm to original offsets, always inside doc.text."""
    off = _seg_norm_offset(doc, seg)
    if off is None:
        return seg.start, max(seg.start, min(seg.end, len(doc.text)))
    return doc.norm_span_to_orig(off + a, off + b)


# --------------------------------------------------------------------------- compiled rules

@dataclass
class _Compiled:
    rule: Rule
    trigger: _PatSet | None
    near: list[_PatSet]
    not_near: _PatSet | None
    absent: _PatSet | None
    requires_doc: _PatSet | None
    or_absent: _PatSet | None = None
    raise_near: _PatSet | None = None


@dataclass
class _CompiledCheck:
    item: ChecklistItem
    present: _PatSet | None
    weak: _PatSet | None


@dataclass
class _Compiled_All:
    rules: list[_Compiled]
    checks: list[_CompiledCheck]
    subject: re.Pattern
    mutual: _PatSet | None
    consideration: _PatSet | None
    no_consideration: _PatSet | None
    neg_after: _PatSet | None
    neg_before: _PatSet | None


try:  # the regex parser, used only to find literal anchors for the prefilter
    import re._parser as _sre_parse  # Python 3.11+
except ImportError:  # pragma: no cover
    import sre_parse as _sre_parse  # type: ignore[no-redef]

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
                if all(b is not None for b in branches):
                    cands.append(tuple(x for b in branches for x in b))
            else:
                sub = _seq_anchors(inner)
                if sub is not None:
                    cands.append(sub)
        elif op is _BRANCH:
            branches = [_seq_anchors(list(b)) for b in av[1]]
            if all(b is not None for b in branches):
                cands.append(tuple(x for b in branches for x in b))
    return cands


def _seq_anchors(seq) -> tuple[str, ...] | None:
    """The most selective set: longest shortest literal, then fewest alternatives."""
    cands = _seq_anchor_sets(seq)
    return max(cands, key=lambda c: (min(len(x) for x in c), -len(c))) if cands else None


def _anchors(pattern: str) -> tuple[tuple[str, ...], ...]:
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


def _passes(sets: tuple[tuple[str, ...], ...], text: str) -> bool:
    """True when ``text`` holds one literal of every required set (no sets: unknown)."""
    return all(any(x in text for x in c) for c in sets)


@functools.lru_cache(maxsize=4096)
def _compile_alt(srcs: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in srcs), re.I)


class _PatSet:
    """One catalogue field (a list of alternatives) compiled as a single regex.

    ``search``/``finditer`` use every alternative (for short unit texts); ``select``
    returns a regex of only the alternatives whose literal anchors occur in the
    document, or None when none can match (document-wide scans).
    """

    def __init__(self, srcs: list[str]):
        self.srcs = tuple(srcs)
        self.anchors = [_anchors(p) for p in self.srcs]
        # per alternative, the single most selective set: used to find candidate units
        self.gates = [max(a, key=lambda c: (min(len(x) for x in c), -len(c))) if a else ()
                      for a in self.anchors]
        self.full = _compile_alt(self.srcs)

    def search(self, text: str):
        return self.full.search(text)

    def finditer(self, text: str):
        return self.full.finditer(text)

    def match(self, text: str):
        return self.full.match(text)

    def select_alts(self, hay: str) -> tuple[tuple[str, tuple, tuple[str, ...]], ...]:
        return tuple((p, a, g) for p, a, g in zip(self.srcs, self.anchors, self.gates)
                     if _passes(a, hay))

    def select(self, hay: str) -> re.Pattern | None:
        chosen = tuple(p for p, a in zip(self.srcs, self.anchors) if _passes(a, hay))
        if not chosen:
            return None
        return self.full if len(chosen) == len(self.srcs) else _compile_alt(chosen)


def _alt(pats: list[str] | None, labels: dict[str, str]) -> _PatSet | None:
    if not pats:
        return None
    return _PatSet([substitute(p, labels) for p in pats])


def _labels(doc: Document) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The SME's and the other side's labels in this document (defaults when unknown)."""
    lang = doc.language
    sme = doc.sme_label or next((p.label for p in doc.parties if p.role == "SME"), None)
    large = [p.label for p in doc.parties if p.role == "LARGE" and p.label and p.label != sme]
    if not large and sme:
        large = [p.label for p in doc.parties if p.label and p.label != sme]
    if not large and sme:
        other = (_JA_LARGE_OF if lang == "ja" else _EN_LARGE_OF).get(sme)
        large = [other] if other else []
    sme_labels = (sme,) if sme else (_JA_SME_DEFAULT if lang == "ja" else _EN_SME_DEFAULT)
    large_labels = tuple(dict.fromkeys(large)) or (_JA_LARGE_DEFAULT if lang == "ja" else _EN_LARGE_DEFAULT)
    return sme_labels, tuple(x for x in large_labels if x not in sme_labels)


# Party labels in the clause text are overwritten, character for character, with two
# private-use characters before matching. Offsets do not move, and the catalogue is
# compiled once per language instead of once per pair of party names (compiling ~300
# regexes costs about a second; a new upload usually brings new names).
SME_CH, LARGE_CH = "\ue000", "\ue001"


_HEADING_LINE = {
    "ja": re.compile(r"^\s*第\s*[0-9]+\s*条\s*(?:\([^)\n]{0,40}\))?[ \t]*\n"),
    "en": re.compile(r"^\s*(?:(?:Article|Section|Clause|ARTICLE|SECTION)\s+)?[0-9]+(?:\.[0-9]+)*\.?"
                     r"[ \t]+(?:\([^)\n]{0,40}\)|[A-Z][^.;:\n]{0,70})[ \t]*\n"),
}


def _blank_heading(norm: str, lang: str) -> str:
    """Blank a clause's own heading line (「第8条（知的財産権）」, "4. Technical Assistance"):
    a title is not an obligation, and a trigger that starts in it would report the
    title as the matched text. Same length, so offsets do not move."""
    m = _HEADING_LINE[lang].match(norm)
    if not m or m.end() >= len(norm):
        return norm
    return " " * (m.end() - 1) + norm[m.end() - 1:]


def _label_masker(lang: str, sme: tuple[str, ...], large: tuple[str, ...]):
    """A function that masks party labels in a text, longest label first (so that
    "SINA Leju" is not read as "SINA" plus a word when both are parties)."""
    kind = {**{x: LARGE_CH for x in large}, **{x: SME_CH for x in sme}}
    alt = "|".join(re.escape(x) for x in sorted(kind, key=len, reverse=True))
    # English labels are masked case-sensitively: "Supplier" is the party, "an
    # alternate supplier" is not
    rx = re.compile(rf"(?<!\w)(?:{alt})(?!\w)" if lang == "en" else f"(?:{alt})")
    return lambda text: rx.sub(lambda m: kind[m.group(0)] * (m.end() - m.start()), text)


@functools.lru_cache(maxsize=4)
def _compile(lang: str) -> _Compiled_All:
    cat: Catalogue = load_catalogue()
    # possessive: one masked label is one party, so {PARTY}{PARTY} cannot split it in two
    labels = {"SME": f"(?:{SME_CH}++)", "LARGE": f"(?:{LARGE_CH}++)"}
    labels["PARTY"] = f"(?:{labels['SME']}|{labels['LARGE']})"
    labels = labels_with_gaps(labels, lang)
    voc = {k: v.get(lang, []) for k, v in cat.vocab.items()}
    mutual_pats = [substitute(p, labels) for p in voc.get("mutual", [])]
    mutual_alt = "|".join(f"(?:{p})" for p in mutual_pats) or "(?!x)x"
    if lang == "ja":
        subject = re.compile(
            rf"(?P<m>{mutual_alt})|(?P<s>{labels['SME']})(?=は|が)|(?P<l>{labels['LARGE']})(?=は|が)")
    else:
        verbs = "|".join(voc.get("subject_verbs", [])) or "shall|will|may|must"
        subject = re.compile(
            rf"(?P<m>{mutual_alt})|(?P<s>{labels['SME']})(?=(?:'s)?\s+(?:{verbs})\b)"
            rf"|(?P<l>{labels['LARGE']})(?=\s+(?:{verbs})\b)", re.I)
    rules = []
    for r in cat.all_rules():
        d = r.detection
        rules.append(_Compiled(
            rule=r, trigger=_alt(r.patterns.get(lang), labels),
            near=[p for p in (_alt(g.get(lang), labels) for g in d["near"]) if p is not None]
            if all(g.get(lang) for g in d["near"]) else [re.compile(r"(?!x)x")] if d["near"] else [],
            not_near=_alt(d["not_near"].get(lang), labels),
            absent=_alt(d["absent"].get(lang), labels),
            requires_doc=_alt(d["requires_doc"].get(lang), labels),
            or_absent=_alt(d["or_absent"].get(lang), labels),
            raise_near=_alt(r.adjust.get("raise_if_near", {}).get(lang), labels)))
    checks = [_CompiledCheck(item=i, present=_alt(i.present.get(lang), labels),
                             weak=_alt(i.weak.get(lang), labels)) for i in cat.checklist]
    return _Compiled_All(
        rules=rules, checks=checks, subject=subject, mutual=_alt(voc.get("mutual"), labels),
        consideration=_alt(voc.get("consideration"), labels),
        no_consideration=_alt(voc.get("no_consideration"), labels),
        neg_after=_alt(voc.get("negation_after"), labels),
        neg_before=_alt(voc.get("negation_before"), labels))


# --------------------------------------------------------------------------- evaluation

class _Ctx:
    def __init__(self, doc: Document):
        self.doc = doc
        self.lang = doc.language if doc.language in ("ja", "en") else "en"
        self.comp = _compile(self.lang)
        masker = _label_masker(self.lang, *_labels(doc))
        segs = _units(doc)
        self.units: list[_Unit] = []
        parts: list[str] = []
        pos = 0
        for i, s in enumerate(segs):
            norm = masker(_blank_heading(s.norm, self.lang).replace("\n", " "))
            self.units.append(_Unit(idx=i, seg=s, norm=norm, low=norm.lower(), ref=s.ref,
                                    article=s.article or s.ref, start=pos))
            parts.append(norm)
            pos += len(norm) + 1
        self.joined = "\n".join(parts)
        self.starts = [u.start for u in self.units]
        self.article_text: dict[str | None, str] = {}
        for u in self.units:
            self.article_text[u.article] = self.article_text.get(u.article, "") + " " + u.norm
        types = set(doc.contract_types)
        self.types = types
        self.sme_discloser = bool(types & _SME_DISCLOSER_TYPES)
        self._doc_hits: dict[int, bool] = {}
        self._sel: dict[int, re.Pattern | None] = {}
        self._lit_units: dict[str, set[int]] = {}
        self._consideration: dict[int, bool] = {}
        # anchors are lower-case; matching itself is case-insensitive
        self.hay = self.joined.lower()

    def unit_at(self, pos: int) -> _Unit | None:
        if not self.units:
            return None
        i = bisect.bisect_right(self.starts, pos) - 1
        return self.units[i] if i >= 0 else None

    def sel(self, pat: _PatSet | None) -> re.Pattern | None:
        """The part of ``pat`` that can match this document at all (see _PatSet)."""
        if pat is None:
            return None
        key = id(pat)
        if key not in self._sel:
            self._sel[key] = pat.select(self.hay)
        return self._sel[key]

    def doc_has(self, pat: _PatSet | None) -> bool:
        if pat is None:
            return False
        key = id(pat)
        if key not in self._doc_hits:
            rx = self.sel(pat)
            self._doc_hits[key] = rx is not None and rx.search(self.joined) is not None
        return self._doc_hits[key]

    def unit_matches(self, pat: _PatSet):
        """(unit, match) for every match of ``pat``, scanning only units that contain
        one of its literal anchors (most rules touch a handful of clauses)."""
        alts = pat.select_alts(self.hay)
        if not alts:
            return
        rx = _compile_alt(tuple(p for p, _, _ in alts))
        if any(not a for _, a, _ in alts):
            for m in rx.finditer(self.joined):
                u = self.unit_at(m.start())
                if u is not None:
                    yield u, m.start() - u.start, m.end() - u.start
            return
        cand: set[int] = set()
        for _, _, gate in alts:
            for lit in gate:
                cand |= self.units_with(lit)
        for i in sorted(cand):
            u = self.units[i]
            if any(_passes(a, u.low) for _, a, _ in alts):
                for m in rx.finditer(u.norm):
                    yield u, m.start(), m.end()

    def units_with(self, lit: str) -> set[int]:
        """Indexes of the units whose text contains ``lit`` (memoised per document)."""
        hit = self._lit_units.get(lit)
        if hit is None:
            hit = set()
            hay, starts, n = self.hay, self.starts, len(self.units)
            pos = hay.find(lit)
            while pos != -1:
                i = bisect.bisect_right(starts, pos) - 1
                hit.add(i)
                nxt = starts[i + 1] if i + 1 < n else len(hay)
                pos = hay.find(lit, max(nxt, pos + 1))
            self._lit_units[lit] = hit
        return hit

    def doc_search(self, pat: _PatSet | None):
        rx = self.sel(pat)
        return rx.search(self.joined) if rx is not None else None


    def subject(self, u: _Unit) -> str:
        if u._subject is None:
            best = None
            for m in self.comp.subject.finditer(u.norm):
                kind = "MUTUAL" if m.group("m") else ("SME" if m.group("s") else "LARGE")
                if self.lang == "ja":
                    nxt = u.norm[m.end():m.end() + 1]
                    if kind == "MUTUAL" or nxt == "は":
                        best = kind
                        break
                    if best is None:
                        best = kind  # earliest が-subject, kept unless a は-subject follows
                    continue
                best = kind
                break
            u._subject = best or "NONE"
        return u._subject

    def _kinds(self, text: str) -> list[tuple[str, bool]]:
        """(kind, strong) for each party subject in text; strong = は / mutual / English."""
        out = []
        for m in self.comp.subject.finditer(text):
            kind = "MUTUAL" if m.group("m") else ("SME" if m.group("s") else "LARGE")
            strong = self.lang != "ja" or kind == "MUTUAL" or text[m.end():m.end() + 1] == "は"
            out.append((kind, strong))
        return out

    def subject_at(self, u: _Unit, pos: int) -> str:
        """Who is bound by the sentence holding ``pos``: the nearest subject before it in
        the same sentence (は beats が), else the first after it, else the clause's."""
        text = u.norm
        stops = "。" if self.lang == "ja" else ".;"
        s0 = max(text.rfind(ch, 0, pos) for ch in stops) + 1
        ends = [e for e in (text.find(ch, pos) for ch in stops) if e != -1]
        s1 = min(ends) if ends else len(text)
        # a trigger that starts inside 「甲及び乙は」 is bound by the mutual phrase
        for m in self.comp.subject.finditer(text, s0, s1):
            if m.group("m") and m.start() <= pos < m.end():
                return "MUTUAL"
            if m.start() > pos:
                break
        before = self._kinds(text[s0:pos])
        strong = [k for k, st in before if st]
        if strong:
            return strong[-1]
        if before:
            return before[-1][0]
        after = self._kinds(text[pos:s1])
        if after:
            return next((k for k, st in after if st), after[0][0])
        return self.subject(u)

    def has_consideration(self, u: _Unit) -> bool:
        got = self._consideration.get(u.idx)
        if got is None:
            got = self._consideration[u.idx] = self._has_consideration(u)
        return got

    def _has_consideration(self, u: _Unit) -> bool:
        c = self.comp
        if c.consideration is None:
            return False
        if c.no_consideration is not None and c.no_consideration.search(u.norm):
            return False
        if c.consideration.search(u.norm):
            return True
        art = self.article_text.get(u.article, "")
        return bool(c.consideration.search(art)) and not (
            c.no_consideration is not None and c.no_consideration.search(art))

    def negated(self, u: _Unit, a: int, b: int) -> bool:
        c = self.comp
        if c.neg_after is not None:
            tail = u.norm[b:b + 32]
            cut = tail.find("。")
            if cut >= 0:
                tail = tail[:cut]
            if c.neg_after.match(tail):
                return True
        if c.neg_before is not None:
            head = u.norm[max(0, a - 50):a]
            cut = max(head.rfind("."), head.rfind(";"))
            if cut >= 0:
                head = head[cut + 1:]
            if c.neg_before.search(head):
                return True
        return False


def _applies(ctx: _Ctx, applies_to: list[str]) -> bool:
    if "ALL" in applies_to or not ctx.types:
        return True
    return bool(ctx.types & set(applies_to))


def _severity(ctx: _Ctx, cr: _Compiled, u: _Unit | None, base: str | None = None) -> str:
    sev = _SEV.index(base or cr.rule.severity)
    adj = cr.rule.adjust
    if set(adj.get("lower_in_types") or ()) & ctx.types:
        sev = max(sev - 1, 0)
    if adj.get("raise_if_sme_discloser") and ctx.sme_discloser:
        sev = min(sev + 1, 2)
    # the catalogue's "(HIGH if …)" notes: photography allowed, residuals, formulations
    if cr.raise_near is not None and (cr.raise_near.search(u.norm) if u is not None
                                      else ctx.doc_has(cr.raise_near)):
        sev = min(sev + 1, 2)
    if adj.get("lower_if_consideration") and u is not None and ctx.has_consideration(u):
        sev = max(sev - 1, 0)
    return _SEV[sev]


_LONG_UNIT = 4000  # characters; beyond this a "clause" is a segmentation failure
_LOCAL = 1500  # …and NEAR looks this far either side of the trigger instead


def _scope(ctx: _Ctx, cr: _Compiled, u: _Unit, a: int, b: int) -> tuple[str, bool]:
    """Text that counts as "the same clause" for near/not_near, and whether it is the
    same for every trigger position in the unit (so the check can be cached)."""
    if cr.rule.detection.get("window") == "article":
        art = ctx.article_text.get(u.article, u.norm)
        if len(art) <= 2 * _LONG_UNIT:
            return art, True
    if len(u.norm) <= _LONG_UNIT:
        return u.norm, True
    # an unsegmented block (a table of contents, an exhibit pasted as one paragraph)
    return u.norm[max(0, a - _LOCAL):b + _LOCAL], False


def _static_ok(ctx: _Ctx, cr: _Compiled, u: _Unit, scope: str) -> bool:
    """The position-independent part of the clause filters."""
    for g in cr.near:
        if not g.search(scope):
            return False
    if cr.not_near is not None and cr.not_near.search(scope):
        return False
    if cr.rule.detection.get("requires_no") == "consideration" and ctx.has_consideration(u):
        return False
    return True


def _unit_ok(ctx: _Ctx, cr: _Compiled, u: _Unit, pos: int = 0, end: int | None = None,
             cache: dict | None = None) -> bool:
    # A carve-out or exception often sits in the next paragraph of the same article
    # (「前項の規定は…適用しない」, "Section 6.1 does not apply …"), hence window: article.
    scope, fixed = _scope(ctx, cr, u, pos, pos if end is None else end)
    if fixed and cache is not None:
        ok = cache.get(u.idx)
        if ok is None:
            ok = cache[u.idx] = _static_ok(ctx, cr, u, scope)
    else:
        ok = _static_ok(ctx, cr, u, scope)
    if not ok:
        return False
    subj = cr.rule.detection.get("subject")
    if subj is not None and ctx.subject_at(u, pos) not in subj:
        return False
    return True


def _doc_ok(ctx: _Ctx, cr: _Compiled, fired: set[str]) -> bool:
    d = cr.rule.detection
    if d.get("sme_discloser_only") and not ctx.sme_discloser:
        return False
    if not _applies(ctx, d.get("types") or cr.rule.applies_to):
        return False
    if cr.requires_doc is not None and not ctx.doc_has(cr.requires_doc):
        return False
    if d["requires_doc"] and cr.requires_doc is None:
        return False  # precondition written only for the other language
    if cr.absent is not None and ctx.doc_has(cr.absent):
        return False
    if d["requires_rules"] and not (set(d["requires_rules"]) & fired):
        return False
    if d["unless_rules"] and set(d["unless_rules"]) & fired:
        return False
    return True


def _finding(ctx: _Ctx, cr: _Compiled, u: _Unit | None, span: tuple[int, int] | None,
             base: str | None = None) -> Finding:
    r, lang = cr.rule, ctx.lang
    text = ctx.doc.text[span[0]:span[1]] if span else None
    return Finding(rule_id=r.id, severity=_severity(ctx, cr, u, base), title=r.title[lang],
                   reason=r.reason[lang], basis=list(r.basis), balanced=r.balanced[lang],
                   question=r.question[lang], clause=u.ref if u else None, span=span, text=text)


def _overlaps(fired: list[tuple[int, int]], seg: Segment) -> bool:
    """True when seg contains or sits inside the last segment that fired.

    A paragraph and its items are both units (the paragraph so that NEAR sees the
    lead-in sentence with the list); this keeps one finding per rule per clause.
    Units arrive in text order and a paragraph precedes its items, so comparing with
    the last finding is enough.
    """
    if not fired:
        return False
    a, b = fired[-1]
    return (a <= seg.start and seg.end <= b) or (seg.start <= a and b <= seg.end)


def _run_rule(ctx: _Ctx, cr: _Compiled, fired: set[str]) -> list[Finding]:
    d = cr.rule.detection
    if not _doc_ok(ctx, cr, fired):
        return []
    if d["scope"] == "document":
        if cr.trigger is not None and not ctx.doc_has(cr.trigger):
            return []
        if cr.trigger is None and cr.rule.patterns:
            return []  # the trigger exists only for the other language
        if cr.trigger is None and not cr.absent and not d["requires_rules"]:
            return []
        if cr.absent is None and d["absent"]:
            return []  # the absence test exists only for the other language
        return [_finding(ctx, cr, None, None)]
    out: list[Finding] = []
    if cr.trigger is not None:
        seen: set[object] = set()
        spans: list[tuple[int, int]] = []
        static: dict[int, bool] = {}
        for u, a, b in ctx.unit_matches(cr.trigger):
            if b == a:
                continue
            if b > len(u.norm):
                continue  # crossed into the next unit
            key = u.ref if u.ref is not None else ("#", u.idx)
            if key in seen or _overlaps(spans, u.seg):
                continue
            if d.get("negation") and ctx.negated(u, a, b):
                continue
            if not _unit_ok(ctx, cr, u, a, b, static):
                continue
            seen.add(key)
            spans.append((u.seg.start, u.seg.end))
            out.append(_finding(ctx, cr, u, _orig_span(ctx.doc, u.seg, a, b)))
    # or_absent: a protection missing from the whole text is itself the finding
    # (e.g. no survival clause at all), reported once at document level.
    if not out and cr.or_absent is not None and not ctx.doc_has(cr.or_absent):
        out.append(_finding(ctx, cr, None, None, d.get("or_absent_severity")))
    return out


def _order(rules: list[_Compiled]) -> list[_Compiled]:
    """Rules that depend on others' results run after them."""
    plain = [c for c in rules if not (c.rule.detection["requires_rules"] or c.rule.detection["unless_rules"])]
    dep = [c for c in rules if c not in plain]
    ordered = plain[:]
    remaining = dep[:]
    for _ in range(len(dep) + 1):
        done = {c.rule.id for c in ordered}
        nxt = [c for c in remaining
               if set(c.rule.detection["requires_rules"] + c.rule.detection["unless_rules"])
               <= done | {x.rule.id for x in plain}
               or not (set(c.rule.detection["requires_rules"] + c.rule.detection["unless_rules"])
                       & {x.rule.id for x in remaining})]
        if not nxt:
            break
        ordered += nxt
        remaining = [c for c in remaining if c not in nxt]
    return ordered + remaining


def _checklist(ctx: _Ctx, fired: dict[str, Finding]) -> list[ChecklistResult]:
    out: list[ChecklistResult] = []
    for cc in ctx.comp.checks:
        it = cc.item
        if not ctx.types or not (ctx.types & set(it.applies_to)) and "ALL" not in it.applies_to:
            continue
        text = it.text[ctx.lang]
        m = ctx.doc_search(cc.present)
        if m is None:
            out.append(ChecklistResult(id=it.id, item=text, status="missing"))
            continue
        u = ctx.unit_at(m.start())
        clause = u.ref if u else None
        wm = ctx.doc_search(cc.weak)
        weak_rule = next((fired[r] for r in it.weak_if_rules if r in fired), None)
        if wm is not None or weak_rule is not None:
            if wm is not None:
                wu = ctx.unit_at(wm.start())
                clause = wu.ref if wu else clause
            elif weak_rule is not None and weak_rule.clause:
                clause = weak_rule.clause
            out.append(ChecklistResult(id=it.id, item=text, status="weak", clause=clause))
        else:
            out.append(ChecklistResult(id=it.id, item=text, status="present", clause=clause))
    return out


def evaluate(doc: Document) -> tuple[list[Finding], list[ChecklistResult]]:
    """All rule, ambiguous-expression and checklist results for one document."""
    ctx = _Ctx(doc)
    findings: list[Finding] = []
    fired: dict[str, Finding] = {}
    for cr in _order(ctx.comp.rules):
        if not _applies(ctx, cr.rule.detection.get("types") or cr.rule.applies_to):
            continue
        got = _run_rule(ctx, cr, set(fired))
        if got:
            fired.setdefault(cr.rule.id, got[0])
            findings.extend(got)
    # raise_with: a weakness that only matters in combination (IPR-03 with an assignment)
    by_id = {c.rule.id: c.rule for c in ctx.comp.rules}
    for f in findings:
        rw = by_id[f.rule_id].adjust.get("raise_with") or []
        if rw and set(rw) & set(fired):
            f.severity = _SEV[min(_SEV.index(f.severity) + 1, 2)]
    findings.sort(key=lambda f: (f.span is None, f.span[0] if f.span else 0,
                                 -_SEV.index(f.severity), f.rule_id))
    return findings, _checklist(ctx, fired)
