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
import re
from typing import Literal

from . import clauses, commission, rules_subject, survival
from .document import ChecklistResult, Document, Finding, Segment
from .rules_compile import CompiledRule, blank_heading, compile_catalogue, label_masker, party_labels
from .rules_patterns import PatSet, compile_alt
from .rules_units import LOCAL, LONG_UNIT, Unit, article_contexts, clause_units, orig_span, split_oversized

_SEV: tuple[Literal["LOW", "MEDIUM", "HIGH"], ...] = ("LOW", "MEDIUM", "HIGH")
_SME_DISCLOSER_TYPES = {"NDA", "PROTO", "JRD"}


_SPANS_CLAUSES = "[\\s\\S]"  # in a pattern's source: "anything, line breaks included"
_COMMON = 12  # units holding a literal, after which the literal index tests unit by unit


# --------------------------------------------------------------------------- evaluation


def clause_views(doc: Document) -> list[tuple[Segment, clauses.ClauseView]]:
    """What the engine reads in each clause unit of ``doc``: the representation the rules'
    frames are conditions over (benchmarks of the reader, explanations)."""
    ctx = _Ctx(doc)
    return [(u.seg, ctx.view(u)) for u in ctx.units]


def concept_in_text(doc: Document, concept: str, section: str = "limits") -> bool:
    """Whether a concept of the lexicon (``concepts.yaml``, e.g. ``limits.non_use``) is stated
    anywhere in ``doc``, read as the rules read it (normalised, parties masked)."""
    ctx = _Ctx(doc)
    return getattr(clauses.lexicon(ctx.lang), section)[concept].search(ctx.joined) is not None


class _Ctx:
    def __init__(self, doc: Document):
        self.doc = doc
        self.lang = doc.language if doc.language in ("ja", "en") else "en"
        self.comp = compile_catalogue(self.lang)
        masker = label_masker(self.lang, *party_labels(doc))
        segs = split_oversized(doc, clause_units(doc))
        self.units: list[Unit] = []
        parts: list[str] = []
        pos = 0
        for i, s in enumerate(segs):
            norm = masker(blank_heading(s.norm, self.lang).replace("\n", " "))
            self.units.append(
                Unit(idx=i, seg=s, norm=norm, low=norm.lower(), ref=s.ref, article=s.article or s.ref, start=pos)
            )
            parts.append(norm)
            pos += len(norm) + 1
        self.joined = "\n".join(parts)
        self.starts = [u.start for u in self.units]
        self.article_text = article_contexts(self.units)
        types = set(doc.contract_types)
        self.types = types
        self.sme_discloser = bool(types & _SME_DISCLOSER_TYPES)
        self._doc_hits: dict[object, bool] = {}
        self._sel: dict[int, re.Pattern | None] = {}
        self._lit_units: dict[str, set[int]] = {}
        self._present: dict[str, bool] = {}
        self._consideration: dict[int, bool] = {}
        # anchors are lower-case; matching itself is case-insensitive
        self.hay = self.joined.lower()
        self._views: dict[int, clauses.ClauseView] = {}
        self._terms: dict[str, frozenset[str]] | None = None
        # a commission whose fee pays for the work (commission.fees_for_the_work), asked once
        self.commission_paid: bool | None = None
        self.royalties: bool | None = None
        # article numbers a survival clause names (survival.py), read once
        self.surviving: set[str] | None = None

    def fee_for_work(self) -> bool:
        """A development commission whose other side pays the SME a fee for the work."""
        if self.commission_paid is None:
            self.commission_paid = "DEV" in self.types and commission.fees_for_the_work(self.lang, self.joined)
        return self.commission_paid

    def royalty_bearing(self) -> bool:
        """The other side pays the SME a running royalty somewhere in the contract."""
        if self.royalties is None:
            self.royalties = commission.royalties_paid(self.lang, self.joined)
        return self.royalties

    def paid_commission(self) -> bool:
        """…and everything whose ownership moves to the other side is paid for by that fee."""
        return self.fee_for_work() and commission.all_transfers_paid(a for u in self.units for a in self.view(u).acts)

    def view(self, u: Unit) -> clauses.ClauseView:
        """What the clause does (clauses.py), read once per unit and only when asked."""
        got = self._views.get(u.idx)
        if got is None:
            if self._terms is None:
                self._terms = clauses.defined_terms(clauses.lexicon(self.lang), self.joined)
            got = clauses.read_clause(self.lang, u.norm, self.article_text[u.idx], self._terms)
            if self.fee_for_work():
                got = commission.paid_by_the_fee(got)
            if self.royalty_bearing():
                got = commission.licence_paid_by_royalties(got)
            if self.surviving is None:
                self.surviving = survival.surviving_articles(self.lang, (x.norm for x in self.units))
            if self.surviving and survival.article_number(u.article) in self.surviving:
                got = survival.outlives_the_term(self.lang, u.norm, got)
            self._views[u.idx] = got
        return got

    def frame_hits(self, frames: list[dict]):
        """(unit, act, view) for every unit whose representation satisfies one of ``frames``."""
        for u in self.units:
            v = self.view(u)
            if not v.acts:
                continue
            for frame in frames:
                act = clauses.frame_matches(v, frame)
                if act is not None:
                    yield u, act, v
                    break

    def unit_at(self, pos: int) -> Unit | None:
        if not self.units:
            return None
        i = bisect.bisect_right(self.starts, pos) - 1
        return self.units[i] if i >= 0 else None

    def sel(self, pat: PatSet | None) -> re.Pattern | None:
        """The part of ``pat`` that can match this document at all (see PatSet)."""
        if pat is None:
            return None
        key = id(pat)
        if key not in self._sel:
            self._sel[key] = pat.select(self.hay)
        return self._sel[key]

    def doc_has(self, pat: PatSet | None, outside: PatSet | None = None) -> bool:
        """True when ``pat`` occurs in the text; with ``outside``, only a match whose sentence
        does not also match ``outside`` counts («Submissions shall not be deemed Confidential
        Information, whether or not marked» does not protect unmarked information)."""
        if pat is None:
            return False
        if outside is not None:
            return self._doc_has_outside(pat, outside)
        key = id(pat)
        if key not in self._doc_hits:
            # clause by clause through the literal index: a regex that starts with an
            # alternation is tried at every position of a whole-document string
            # alternatives written to span clauses ("[\s\S]") still read the whole text
            alts = pat.select_alts(self.hay, self._present)
            spanning = tuple(p for p, _, _ in alts if _SPANS_CLAUSES in p)
            self._doc_hits[key] = (
                next(iter(self._matches(tuple(x for x in alts if _SPANS_CLAUSES not in x[0]))), None) is not None
                or bool(spanning)
                and compile_alt(spanning).search(self.joined) is not None
            )
        return self._doc_hits[key]

    def _doc_has_outside(self, pat: PatSet, outside: PatSet) -> bool:
        key = (id(pat), id(outside))
        if key not in self._doc_hits:
            self._doc_hits[key] = any(
                outside.search(u.norm[s0:s1]) is None
                for u, a, _b in self.unit_matches(pat)
                for s0, s1 in (clauses.sentence_bounds(self.lang, u.norm, a),)
            )
        return self._doc_hits[key]

    def unit_matches(self, pat: PatSet):
        """(unit, match) for every match of ``pat``, scanning only units that contain
        one of its literal anchors (most rules touch a handful of clauses)."""
        return self._matches(pat.select_alts(self.hay, self._present))

    def _matches(self, alts: tuple[tuple[str, tuple, tuple[str, ...]], ...]):
        if not alts:
            return
        found: list[tuple[int, int, int]] = []
        # alternatives without a literal anchor scan the whole text; each of the others runs
        # only on the units that hold its own literals (a unit with "only" in it need not
        # meet every alternative of the rule)
        anchorless = tuple(p for p, a, _ in alts if not a)
        if anchorless:
            for m in compile_alt(anchorless).finditer(self.joined):
                u = self.unit_at(m.start())
                if u is not None:
                    found.append((u.idx, m.start() - u.start, m.end() - u.start))
        per_unit: dict[int, list[str]] = {}
        for p, a, _ in alts:
            if a:
                for i in self.units_passing(a):
                    per_unit.setdefault(i, []).append(p)
        for i, chosen in per_unit.items():
            found.extend((i, m.start(), m.end()) for m in compile_alt(tuple(chosen)).finditer(self.units[i].norm))
        # callers keep one finding per clause and expect text order
        for i, start, end in sorted(found):
            yield self.units[i], start, end

    def units_passing(self, sets: tuple[tuple[str, ...], ...]) -> set[int]:
        """Indexes of the units that hold one literal of every set (rules_patterns.passes),
        from the literal index rather than by searching each unit's text."""
        got: set[int] | None = None
        for c in sorted(sets, key=len):
            hit: set[int] = set()
            for lit in c:
                hit |= self.units_with(lit)
            got = hit if got is None else got & hit
            if not got:
                break
        return got or set()

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
                if len(hit) == _COMMON:
                    # a common word: testing each remaining unit is cheaper than hopping
                    units = self.units
                    hit.update(k for k in range(i + 1, n) if lit in units[k].low)
                    break
                nxt = starts[i + 1] if i + 1 < n else len(hay)
                pos = hay.find(lit, max(nxt, pos + 1))
            self._lit_units[lit] = hit
        return hit

    def doc_search(self, pat: PatSet | None):
        rx = self.sel(pat)
        return rx.search(self.joined) if rx is not None else None

    def subject(self, u: Unit) -> str:
        if u._subject is None:
            u._subject = rules_subject.clause_subject(self.comp.subject, self.lang, u.norm)
        return u._subject

    def subject_at(self, u: Unit, pos: int) -> str:
        """Who is bound by the sentence holding ``pos`` (``rules_subject``), else the clause's subject."""
        return rules_subject.bound_at(self.comp.subject, self.lang, u.norm, pos) or self.subject(u)

    def has_consideration(self, u: Unit) -> bool:
        got = self._consideration.get(u.idx)
        if got is None:
            got = self._consideration[u.idx] = self._has_consideration(u)
        return got

    def _has_consideration(self, u: Unit) -> bool:
        c = self.comp
        if c.consideration is None:
            return False
        if any(a.consideration == "paid" for a in self.view(u).acts):
            return True  # the reader found the payment (e.g. the fee for commissioned work)
        if c.no_consideration is not None and c.no_consideration.search(u.norm):
            return False
        if c.consideration.search(u.norm):
            return True
        art = self.article_text[u.idx]
        return bool(c.consideration.search(art)) and not (
            c.no_consideration is not None and c.no_consideration.search(art)
        )

    def negated(self, u: Unit, a: int, b: int) -> bool:
        c = self.comp
        if self.lang == "ja" and clauses.negated_tail(u.norm[b : b + 40]):
            return True
        if c.neg_after is not None:
            tail = u.norm[b : b + 32]
            cut = tail.find("。")
            if cut >= 0:
                tail = tail[:cut]
            if c.neg_after.match(tail):
                return True
        if c.neg_before is not None:
            head = u.norm[max(0, a - 50) : a]
            cut = max(head.rfind("."), head.rfind(";"))
            if cut >= 0:
                head = head[cut + 1 :]
            if c.neg_before.search(head):
                return True
        return False


def _applies(ctx: _Ctx, applies_to: list[str]) -> bool:
    if "ALL" in applies_to or not ctx.types:
        return True
    return bool(ctx.types & set(applies_to))


def _severity(ctx: _Ctx, cr: CompiledRule, u: Unit | None, base: str | None = None) -> Literal["LOW", "MEDIUM", "HIGH"]:
    sev = _SEV.index(base or cr.rule.severity)
    adj = cr.rule.adjust
    if set(adj.get("lower_in_types") or ()) & ctx.types:
        sev = max(sev - 1, 0)
    if adj.get("raise_if_sme_discloser") and ctx.sme_discloser:
        sev = min(sev + 1, 2)
    # the catalogue's "(HIGH if …)" notes: photography allowed, residuals, formulations
    if cr.raise_near is not None and (cr.raise_near.search(u.norm) if u is not None else ctx.doc_has(cr.raise_near)):
        sev = min(sev + 1, 2)
    if adj.get("lower_if_consideration") and u is not None and ctx.has_consideration(u):
        sev = max(sev - 1, 0)
    return _SEV[sev]


# where an item of a list starts, inline or on its own line: (a) / (iv) / （１） / 一
_LIST_ITEM = re.compile(
    r"(?:^|(?<=[\s:;：；、]))(?:\(\s*[a-zA-Z0-9]{1,4}\s*\)|[（(][0-9０-９一二三四五六七八九十]{1,3}[）)]|[一二三四五六七八九十]{1,3}[\s\u3000])",
    re.M,
)


def _without_other_items(text: str, hit: str) -> str:
    """``text`` without the items of its list that do not hold ``hit``: the lead-in and the
    hit's own item stay."""
    starts = [m.start() for m in _LIST_ITEM.finditer(text)]
    if not starts:
        return text
    pieces = [text[: starts[0]]] + [text[x:y] for x, y in zip(starts, starts[1:] + [len(text)], strict=True)]
    return " ".join([pieces[0]] + [p for p in pieces[1:] if hit in p])


def _scope(ctx: _Ctx, cr: CompiledRule, u: Unit, a: int, b: int) -> tuple[str, bool]:
    """Text that counts as "the same clause" for near/not_near, and whether it is the
    same for every trigger position in the unit (so the check can be cached)."""
    if cr.rule.detection.get("window") == "article":
        art = ctx.article_text[u.idx]
        if len(art) <= 2 * LONG_UNIT:
            return art, True
    if cr.rule.detection.get("window") == "item":
        # the article without the other items of its list: «(b) … as shown by its written records»
        # qualifies item (b) only, not «(d) is developed by the receiving party» or «(e) residuals»
        art = ctx.article_text[u.idx]
        if len(art) <= 2 * LONG_UNIT:
            return _without_other_items(art, u.norm[a:b]), False
    if cr.rule.detection.get("window") == "sentence":
        # a paragraph that lists the standard exclusions and then, in its own sentence, takes
        # the SME's submissions out of protection: each sentence is judged on its own
        s0, s1 = clauses.sentence_bounds(ctx.lang, u.norm, a)
        return u.norm[s0 : max(s1, b)], False
    if len(u.norm) <= LONG_UNIT:
        return u.norm, True
    # an unsegmented block (a table of contents, an exhibit pasted as one paragraph)
    return u.norm[max(0, a - LOCAL) : b + LOCAL], False


def _static_ok(ctx: _Ctx, cr: CompiledRule, u: Unit, scope: str) -> bool:
    """The position-independent part of the clause filters."""
    negation = cr.rule.detection.get("negation")
    for g in cr.near:
        # under ``negation`` a verb that is denied (「開示する義務を負わない」) is not there
        if not any(not (negation and _denied(ctx, scope, m.start(), m.end())) for m in g.finditer(scope)):
            return False
    if cr.not_near is not None and cr.not_near.search(scope):
        return False
    if cr.safeguards_needed and sum(1 for g in cr.safeguards if g.search(scope)) >= cr.safeguards_needed:
        return False
    return not (cr.rule.detection.get("requires_no") == "consideration" and ctx.has_consideration(u))


def _denied(ctx: _Ctx, text: str, a: int, b: int) -> bool:
    if ctx.lang == "ja":
        return clauses.negated_tail(text[b : b + 40])
    head = text[max(0, a - 60) : a]
    head = head[max(head.rfind("."), head.rfind(";")) + 1 :]
    return bool(_EN_DENIED.search(head))


# "… is not obliged to disclose", "need not provide", "no obligation to submit"
_EN_DENIED = re.compile(
    r"\b(?:not|no|never)\b(?:\s+\w+){0,4}\s*$|\bno\s+(?:obligation|duty)\s+to\s*$|\bneed\s+not\s*$", re.I
)


def _unit_ok(
    ctx: _Ctx, cr: CompiledRule, u: Unit, pos: int = 0, end: int | None = None, cache: dict | None = None
) -> bool:
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
    return not (subj is not None and ctx.subject_at(u, pos) not in subj)


def _doc_ok(ctx: _Ctx, cr: CompiledRule, fired: set[str]) -> bool:
    d = cr.rule.detection
    if d.get("sme_discloser_only") and not ctx.sme_discloser:
        return False
    if not _applies(ctx, d.get("types") or cr.rule.applies_to):
        return False
    if cr.requires_doc is not None and not ctx.doc_has(cr.requires_doc):
        return False
    if d["requires_doc"] and cr.requires_doc is None:
        return False  # precondition written only for the other language
    if cr.absent is not None and ctx.doc_has(cr.absent, outside=cr.absent_not_in):
        return False
    if cr.rule.unless_frames and next(ctx.frame_hits(cr.rule.unless_frames), None) is not None:
        return False
    if d["requires_rules"] and not (set(d["requires_rules"]) & fired):
        return False
    if d.get("not_in_paid_commission") and ctx.paid_commission():
        return False
    return not (d["unless_rules"] and set(d["unless_rules"]) & fired)


def _finding(
    ctx: _Ctx,
    cr: CompiledRule,
    u: Unit | None,
    span: tuple[int, int] | None,
    base: str | None = None,
    why: dict | None = None,
) -> Finding:
    r, lang = cr.rule, ctx.lang
    text = ctx.doc.text[span[0] : span[1]] if span else None
    return Finding(
        rule_id=r.id,
        severity=_severity(ctx, cr, u, base),
        title=r.title[lang],
        reason=r.reason[lang],
        basis=list(r.basis),
        balanced=r.balanced[lang],
        question=r.question[lang],
        clause=u.ref if u else None,
        span=span,
        text=text,
        why=why,
    )


def _contradicted(ctx: _Ctx, cr: CompiledRule, u: Unit, a: int, b: int) -> bool:
    """A pattern hit that the clause representation reads otherwise: the act it sits on
    goes to the other party, is negated, moves the object back to its own maker
    (「甲が作成した本デザインは甲に帰属する」), is read as paid for, or lacks what makes it a problem
    (a restriction limited to the term). Objects are not judged here: the patterns may
    know a name the lexicon does not. The frames say what the rule is about; the patterns
    only find it."""
    kinds = {k for f in cr.rule.frames for k in f.get("act", [])}
    view = ctx.view(u)
    # the act the hit belongs to: near it, or in its sentence ("Licensor grants Licensee a
    # licence under …, irrevocable except …": the word sits far from the verb)
    s0, s1 = clauses.sentence_bounds(ctx.lang, u.norm, a)
    acts = [x for x in view.acts if x.kind in kinds and (x.start < b + 40 and a - 40 < x.end or s0 <= x.start < s1)]
    return bool(acts) and not any(
        clauses.frame_matches(view, f, acts, ignore_objects=True, unread_terms_ok=True) for f in cr.rule.frames
    )


def _frame_findings(ctx: _Ctx, cr: CompiledRule, seen: set, spans: list[tuple[int, int]]) -> list[Finding]:
    """Findings from the rule's conditions over the clause representation: the same
    problem in words the patterns do not know."""
    out = []
    for u, act, view in ctx.frame_hits(cr.rule.frames + cr.rule.also_frames):
        key = u.ref if u.ref is not None else ("#", u.idx)
        if key in seen or any(
            a <= u.seg.start and u.seg.end <= b or u.seg.start <= a and b <= u.seg.end for a, b in spans
        ):
            continue
        # the act itself is read: another paragraph of the article (a licence-back beside an
        # assignment) does not undo it, so only the act's own clause is searched
        if cr.not_near is not None and cr.not_near.search(
            u.norm if len(u.norm) <= LONG_UNIT else _scope(ctx, cr, u, act.start, act.end)[0]
        ):
            continue
        seen.add(key)
        spans.append((u.seg.start, u.seg.end))
        out.append(_finding(ctx, cr, u, orig_span(ctx.doc, u.seg, act.start, act.end), why=view.explain(act)))
    return out


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


def _run_rule(ctx: _Ctx, cr: CompiledRule, fired: set[str]) -> list[Finding]:
    d = cr.rule.detection
    if not _doc_ok(ctx, cr, fired):
        return []
    if d["scope"] == "document":
        found_by = cr.rule.frames + cr.rule.also_frames
        if found_by and next(ctx.frame_hits(found_by), None) is not None:
            return [_finding(ctx, cr, None, None)]
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
    seen: set[object] = set()
    spans: list[tuple[int, int]] = []
    if cr.trigger is not None:
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
            why = None
            if not _unit_ok(ctx, cr, u, a, b, static):
                # the wording sits in a definition; the clause that uses the term is the one
                # that hands it over («"Technical Data" means …, including without limitation
                # any other data» + "Supplier shall deliver the Technical Data")
                use = _term_use(ctx, cr, u, a, b) if d.get("through_terms") else None
                if use is None:
                    continue
                why = {"acts": [], "terms": [use[0]], "used_in": use[1]}
            elif cr.rule.frames and _contradicted(ctx, cr, u, a, b):
                continue
            seen.add(key)
            spans.append((u.seg.start, u.seg.end))
            out.append(_finding(ctx, cr, u, orig_span(ctx.doc, u.seg, a, b), why=why))
    if cr.rule.frames or cr.rule.also_frames:
        out += _frame_findings(ctx, cr, seen, spans)
    # or_absent: a protection missing from the whole text is itself the finding
    # (e.g. no survival clause at all), reported once at document level.
    if not out and cr.or_absent is not None and not ctx.doc_has(cr.or_absent):
        out.append(_finding(ctx, cr, None, None, d.get("or_absent_severity")))
    return out


def _term_use(ctx: _Ctx, cr: CompiledRule, u: Unit, a: int, b: int) -> tuple[str, str] | None:
    """(term, clause) when the hit lies in the definition of a term that another clause
    uses in a way the rule's clause filters accept (the term's position standing for the hit)."""
    for term, s0, s1 in clauses.definition_spans(clauses.lexicon(ctx.lang), u.norm):
        if not s0 <= a < s1:
            continue
        for other in ctx.units:
            if other.idx == u.idx:
                continue
            i = other.norm.find(term)
            if i < 0 or any(
                t0 <= i < t1 for _, t0, t1 in clauses.definition_spans(clauses.lexicon(ctx.lang), other.norm)
            ):
                continue
            if _unit_ok(ctx, cr, other, i, i + len(term)):
                return term, other.ref or ""
    return None


def _order(rules: list[CompiledRule]) -> list[CompiledRule]:
    """Rules that depend on others' results run after them."""
    plain = [c for c in rules if not (c.rule.detection["requires_rules"] or c.rule.detection["unless_rules"])]
    dep = [c for c in rules if c not in plain]
    ordered = plain[:]
    remaining = dep[:]
    for _ in range(len(dep) + 1):
        done = {c.rule.id for c in ordered}
        nxt = [
            c
            for c in remaining
            if set(c.rule.detection["requires_rules"] + c.rule.detection["unless_rules"])
            <= done | {x.rule.id for x in plain}
            or not (
                set(c.rule.detection["requires_rules"] + c.rule.detection["unless_rules"])
                & {x.rule.id for x in remaining}
            )
        ]
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
        if it.requires_doc and (cc.requires_doc is None or not ctx.doc_has(cc.requires_doc)):
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
    findings.sort(key=lambda f: (f.span is None, f.span[0] if f.span else 0, -_SEV.index(f.severity), f.rule_id))
    return findings, _checklist(ctx, fired)
