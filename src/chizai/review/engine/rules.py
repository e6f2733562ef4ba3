"""Rule engine of the contract reviewer: catalogue data in, findings and checklist out.

Pure library (no Django). ``evaluate`` is called by ``pipeline.review_document``; the
per-document state it reads through (units, literal index, clause readings) is
``rules_context.RuleContext``.

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

import re
from typing import Literal

from . import clauses, concepts, ja_grammar
from .document import ChecklistResult, Document, Finding, Segment
from .parties import ROLE_WORDS
from .rules_compile import CompiledRule
from .rules_context import RuleContext
from .rules_patterns import PatSet
from .rules_units import LOCAL, LONG_UNIT, Unit, orig_span

_SEV: tuple[Literal["LOW", "MEDIUM", "HIGH"], ...] = ("LOW", "MEDIUM", "HIGH")


# --------------------------------------------------------------------------- evaluation


def clause_views(doc: Document) -> list[tuple[Segment, clauses.ClauseView]]:
    """What the engine reads in each clause unit of ``doc``: the representation the rules'
    frames are conditions over (benchmarks of the reader, explanations)."""
    ctx = RuleContext(doc)
    return [(u.seg, ctx.view(u)) for u in ctx.units]


def concept_in_text(doc: Document, concept: str, section: str = "limits") -> bool:
    """Whether a concept of the lexicon (``concepts.yaml``, e.g. ``limits.non_use``) is stated
    anywhere in ``doc``, read as the rules read it (normalised, parties masked)."""
    ctx = RuleContext(doc)
    return getattr(concepts.lexicon(ctx.lang), section)[concept].search(ctx.joined) is not None


def _applies(ctx: RuleContext, applies_to: list[str]) -> bool:
    if "ALL" in applies_to or not ctx.types:
        return True
    return bool(ctx.types & set(applies_to))


def _severity(
    ctx: RuleContext, cr: CompiledRule, u: Unit | None, base: str | None = None, near: str | None = None
) -> Literal["LOW", "MEDIUM", "HIGH"]:
    sev = _SEV.index(base or cr.rule.severity)
    adj = cr.rule.adjust
    if set(adj.get("lower_in_types") or ()) & ctx.types:
        sev = max(sev - 1, 0)
    if adj.get("raise_if_sme_discloser") and ctx.sme_discloser:
        sev = min(sev + 1, 2)
    # the catalogue's "(HIGH if …)" notes: photography allowed, residuals, formulations
    # (a document-level finding raised by a trigger is judged by the clauses the trigger sits in: a
    # coating sample, not the word "material" anywhere in the contract)
    where = u.norm if u is not None else near
    if cr.raise_near is not None and (cr.raise_near.search(where) if where is not None else ctx.doc_has(cr.raise_near)):
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


def _scope(ctx: RuleContext, cr: CompiledRule, u: Unit, a: int, b: int) -> tuple[str, bool]:
    """Text that counts as "the same clause" for near/not_near, and whether it is the
    same for every trigger position in the unit (so the check can be cached)."""
    if cr.rule.detection.get("window") == "article":
        art = ctx.article_text[u.idx]
        if len(art) <= 2 * LONG_UNIT:
            return art, True
    if cr.rule.detection.get("window") == "item":
        # the article without the other items of its list: «(b) … as shown by its written records»
        # qualifies item (b) only, not «(d) is developed by the receiving party» or «(e) residuals»
        art = _item_context(ctx, u)
        if len(art) <= 2 * LONG_UNIT:
            return _without_other_items(art, u.norm[a:b]), False
    if cr.rule.detection.get("window") == "sentence":
        # a paragraph that lists the standard exclusions and then, in its own sentence, takes
        # the SME's submissions out of protection: each sentence is judged on its own
        s0, s1 = concepts.sentence_bounds(ctx.lang, u.norm, a)
        return u.norm[s0 : max(s1, b)], False
    if len(u.norm) <= LONG_UNIT:
        return u.norm, True
    # an unsegmented block (a table of contents, an exhibit pasted as one paragraph)
    return u.norm[max(0, a - LOCAL) : b + LOCAL], False


# a list item's number at the end of a reference: "Section 3.2(d)", 「第２条第２項第１号」
_ITEM_REF = re.compile(r"(?:\([^()]{1,6}\)|第[0-9０-９一二三四五六七八九十]{1,3}号)$")


def _item_context(ctx: RuleContext, u: Unit) -> str:
    """The article as far as it can qualify a list item in ``u``: the item's own paragraph
    and the paragraphs that hold no list of their own. Another paragraph's list comes with
    its own lead-in («3.1 … that the recipient can show by written records: (a) … (c)»), which
    qualifies that list, not the further exclusions of 3.2 («In addition, … (d) … (e)»)."""
    if u.ref is None:
        return ctx.article_text[u.idx]
    own = _ITEM_REF.sub("", u.ref)
    group = [v for v in ctx.units if v.article == u.article]
    with_lists = {_ITEM_REF.sub("", v.ref) for v in group if v.ref and _ITEM_REF.search(v.ref)}
    kept = [
        v.norm
        for v in group
        if v.ref is None
        or (p := _ITEM_REF.sub("", v.ref)) == own
        or (p not in with_lists and not _INLINE_LIST.search(v.norm))
    ]
    return " " + " ".join(kept)


# a paragraph that carries its own list inline («3.1 … by written records (a) … ; (b) …»): its lead-in
# qualifies that list, not the next paragraph's residuals
_INLINE_LIST = re.compile(r"\(a\)(?:[^\n]){0,600}?\(b\)|[(（][1１一][)）][^\n]{0,600}?[(（][2２二][)）]")


def _static_ok(ctx: RuleContext, cr: CompiledRule, u: Unit, scope: str) -> bool:
    """The position-independent part of the clause filters."""
    negation = cr.rule.detection.get("negation")
    for g in cr.near:
        # under ``negation`` a verb that is denied (「開示する義務を負わない」) is not there
        if not any(not (negation and _denied(ctx, scope, m.start(), m.end())) for m in g.finditer(scope)):
            return False
    if cr.not_near is not None and _safeguard_in(ctx, cr.not_near, scope):
        return False
    if cr.not_near is not None and cr.rule.detection.get("not_near_in_terms"):
        # the safeguard sits in the definition of a term the clause uses ("Representatives" means
        # … who need to know …)
        said = ctx.definitions_of_terms_in(scope)
        if said and _safeguard_in(ctx, cr.not_near, said):
            return False
    if cr.safeguards_needed and sum(1 for g in cr.safeguards if g.search(scope)) >= cr.safeguards_needed:
        return False
    return not (cr.rule.detection.get("requires_no") == "consideration" and ctx.has_consideration(u))


def _safeguard_in(ctx: RuleContext, pat: PatSet, text: str) -> bool:
    """A carve-out or safeguard of ``pat`` in ``text`` that is not waived in the same breath:
    「承諾を得ることなく開示することができる」 and "may disclose without Miyabi's consent"
    name the safeguard only to do without it."""
    return any(not _waived(ctx.lang, text, m.start(), m.end()) for m in pat.finditer(text))


def _waived(lang: str, text: str, a: int, b: int) -> bool:
    """Set aside by a permission, not required by a ban: «承諾なく開示してはならない» and
    "shall not disclose … without consent" keep the consent."""
    if lang == "ja":
        m = _JA_WAIVED.match(text, b)
        if m is None:
            return False
        rest = text[m.end() : m.end() + 80]
        return _JA_BANNED.search(rest[: rest.find("。") + 1 or None]) is None
    head = text[max(0, a - 200) : a]
    head = head[max(head.rfind("."), head.rfind(";")) + 1 :]
    if _EN_NONE.search(head):
        return True  # "no separate payment shall be due" names the safeguard to deny it
    m = _EN_WAIVED.search(head, max(0, len(head) - 50))
    if m is None:
        return False
    # the clause the waiver word closes: "shall not disclose … without consent" is a ban, ", irrespective of …" is not
    before = head[: m.start()]
    return _EN_BANNED.search(before[before.rfind(",") + 1 :]) is None


_JA_WAIVED = re.compile(
    r"(?:を)?(?:得る|得|要する)?(?:こと)?(?:なく|なしに|なしで|ずに|ず、|を要(?:せず|しない))"
    # «…に起因するか否かを問わず»: the carve-out named only to be set aside
    r"|(?:する|した|による|によるもの)?(?:か否か|かどうか)?(?:を|に)(?:問わず|かかわらず|関係なく)"
    # «…に起因する場合を含め», «…に起因する場合であっても»
    r"|(?:する|した)?(?:場合|とき)(?:を含め|を含む|であっても|でも)"
)
# "without Miyabi's consent", "irrespective of whether the claim arises from the Specification",
# ", including where the claim arises from the Instructions"
_EN_WAIVED = re.compile(
    r"\b(?:without|irrespective\s+of|regardless\s+of|including\s+(?:where|when|if)|even\s+(?:where|when|if))\b[^.;,()]{0,40}$",
    re.I,
)
_EN_NONE = re.compile(r"\b(?:no|not\s+any|nor\s+any|without\s+any)\s+$", re.I)
_JA_BANNED = re.compile(r"(?:てはならない|てはいけない|しない|せず|ないものとする|禁止|ことはできない|ことができない)")
_EN_BANNED = re.compile(r"\b(?:not|no|never|neither|nor)\b", re.I)

# a sentence that opens as an exception escapes the limits of the sentences before it
# («… need to know. In addition, Aurelius may disclose … to its contract manufacturers»)
_EXCEPTION_OPENING = {
    "ja": re.compile(r"\s*(?:ただし|但し|もっとも|(?:前項|前各項|前[0-9２-９二三四五]項|同項)(?:の規定)?にかかわらず)"),
    "en": re.compile(r"\s*(?:\(?[a-z0-9]{1,3}[.)]\s*)?(?:in\s+addition|additionally|notwithstanding|however)\b", re.I),
}


def _denied(ctx: RuleContext, text: str, a: int, b: int) -> bool:
    if ctx.lang == "ja":
        return ja_grammar.negated_tail(text[b : b + 40])
    head = text[max(0, a - 60) : a]
    head = head[max(head.rfind("."), head.rfind(";")) + 1 :]
    return bool(_EN_DENIED.search(head))


# "… is not obliged to disclose", "need not provide", "no obligation to submit"
_EN_DENIED = re.compile(
    r"\b(?:not|no|never)\b(?:\s+\w+){0,4}\s*$|\bno\s+(?:obligation|duty)\s+to\s*$|\bneed\s+not\s*$", re.I
)


def _unit_ok(
    ctx: RuleContext, cr: CompiledRule, u: Unit, pos: int = 0, end: int | None = None, cache: dict | None = None
) -> bool:
    # A carve-out or exception often sits in the next paragraph of the same article
    # (「前項の規定は…適用しない」, "Section 6.1 does not apply …"), hence window: article.
    scope, fixed = _scope(ctx, cr, u, pos, pos if end is None else end)
    if fixed and scope is u.norm and cr.not_near is not None:
        s0 = concepts.sentence_bounds(ctx.lang, u.norm, pos)[0]
        if s0 > 0 and _EXCEPTION_OPENING[ctx.lang].match(u.norm, s0):
            scope, fixed = u.norm[s0:], False
    if fixed and cache is not None:
        ok = cache.get(u.idx)
        if ok is None:
            ok = cache[u.idx] = _static_ok(ctx, cr, u, scope)
    else:
        ok = _static_ok(ctx, cr, u, scope)
    if not ok:
        return False
    if cr.not_in_sentence is not None:
        s0, s1 = concepts.sentence_bounds(ctx.lang, u.norm, pos)
        if cr.not_in_sentence.search(u.norm[s0:s1]):
            return False
    if cr.not_near_in_unit is not None and _safeguard_in(ctx, cr.not_near_in_unit, u.norm):
        return False
    subj = cr.rule.detection.get("subject")
    return not (subj is not None and ctx.subject_at(u, pos) not in subj)


def _doc_ok(ctx: RuleContext, cr: CompiledRule, fired: set[str]) -> bool:
    d = cr.rule.detection
    if d.get("sme_discloser_only") and not ctx.sme_discloser:
        return False
    # a rule about the SME in one role (RSK-04: the licensor's warranty) says nothing when the SME
    # is named by the other role ("Licensee", 「実施権者」)
    if d.get("sme_not_role") and ROLE_WORDS.get(ctx.doc.sme_label or "") in d["sme_not_role"]:
        return False
    if not _applies(ctx, d.get("types") or cr.rule.applies_to):
        return False
    if cr.requires_doc is not None and not ctx.doc_has(cr.requires_doc):
        return False
    if d["requires_doc"] and cr.requires_doc is None:
        return False  # precondition written only for the other language
    # (a background protection whose only defined term is an empty list is not there, and a clause keeping
    # "background" keeps nothing when every defined background is an empty or hollowed list: absent_unless_hollow)
    hollow = bool(d.get("absent_unless_hollow")) and ctx.background_hollow()
    if cr.absent is not None and cr.absent_not_in_terms is not None:
        if next(ctx.matches_outside(cr.absent, cr.absent_not_in, cr.absent_not_in_terms), None) is not None:
            return False
    elif cr.absent is not None and ctx.doc_has(cr.absent, outside=cr.absent_not_in) and not hollow:
        return False
    if cr.rule.unless_frames and not hollow and next(ctx.frame_hits(cr.rule.unless_frames), None) is not None:
        return False
    if d["requires_rules"] and not (set(d["requires_rules"]) & fired):
        # …unless the rule's own reading finds it (TS-01: the SME's know-how published or passed on unprotected)
        found_by = cr.rule.frames + cr.rule.also_frames
        if not (found_by and next(ctx.frame_hits(found_by), None) is not None):
            return False
    if d.get("not_in_paid_commission") and ctx.paid_commission():
        return False
    return not (d["unless_rules"] and set(d["unless_rules"]) & fired)


def _finding(
    ctx: RuleContext,
    cr: CompiledRule,
    u: Unit | None,
    span: tuple[int, int] | None,
    base: str | None = None,
    why: dict | None = None,
    near: str | None = None,
) -> Finding:
    r, lang = cr.rule, ctx.lang
    text = ctx.doc.text[span[0] : span[1]] if span else None
    return Finding(
        rule_id=r.id,
        severity=_severity(ctx, cr, u, base, near),
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


def _contradicted(ctx: RuleContext, cr: CompiledRule, u: Unit, a: int, b: int) -> bool:
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
    s0, s1 = concepts.sentence_bounds(ctx.lang, u.norm, a)
    acts = [x for x in view.acts if x.kind in kinds and (x.start < b + 40 and a - 40 < x.end or s0 <= x.start < s1)]
    return bool(acts) and not any(
        clauses.frame_matches(view, f, acts, ignore_objects=True, unread_terms_ok=True) for f in cr.rule.frames
    )


def _frame_findings(ctx: RuleContext, cr: CompiledRule, seen: set, spans: list[tuple[int, int]]) -> list[Finding]:
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


def _run_rule(ctx: RuleContext, cr: CompiledRule, fired: set[str]) -> list[Finding]:
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
        # the sentences the trigger sits in (a definitions list is one long unit: its other terms are not near)
        near = (
            " ".join(
                u.norm[s0:s1]
                for u, a, _b in ctx.unit_matches(cr.trigger)
                for s0, s1 in (concepts.sentence_bounds(ctx.lang, u.norm, a),)
            )
            if cr.trigger is not None and cr.raise_near is not None
            else None
        )
        return [_finding(ctx, cr, None, None, near=near)]
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
            if _in_defined_name(u.norm, a, b):
                continue  # «"Alternative Supplier": any third party …» names a term; it does nothing
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
    if not out and cr.absent is not None and cr.absent_not_in_terms is not None:
        # the protection is there in words only: «各当事者は、秘密情報を…» over a term defined as
        # what the other side discloses to the SME binds the SME alone
        for u, a, b in ctx.unit_matches(cr.absent):
            s0, s1 = concepts.sentence_bounds(ctx.lang, u.norm, a)
            if ctx.terms_only_of(u.norm[s0:s1], cr.absent_not_in_terms):
                out.append(_finding(ctx, cr, u, orig_span(ctx.doc, u.seg, a, b)))
                break
    # or_absent: a protection missing from the whole text is itself the finding
    # (e.g. no survival clause at all), reported once at document level.
    if not out and cr.or_absent is not None and not ctx.doc_has(cr.or_absent):
        out.append(_finding(ctx, cr, None, None, d.get("or_absent_severity")))
    return out


# the name being defined: «"Alternative Supplier": …», «"X" means …», 「「代替業者」とは、…」
_DEFINED_NAME = re.compile(
    r"[\"“「](?P<name>[^\"”「」\n]{1,50})[\"”」][ \t]*(?:[:：]|means\b|shall\s+mean\b|refers\s+to\b|とは|をいう)"
)


def _in_defined_name(text: str, a: int, b: int) -> bool:
    """Whether text[a:b] lies inside the quoted name of a term being defined."""
    for m in _DEFINED_NAME.finditer(text, max(0, a - 52), min(len(text), b + 60)):
        if m.start("name") <= a and b <= m.end("name"):
            return True
    return False


def _term_use(ctx: RuleContext, cr: CompiledRule, u: Unit, a: int, b: int) -> tuple[str, str] | None:
    """(term, clause) when the hit lies in the definition of a term that another clause
    uses in a way the rule's clause filters accept (the term's position standing for the hit)."""
    for term, s0, s1 in concepts.definition_spans(concepts.lexicon(ctx.lang), u.norm):
        if not s0 <= a < s1:
            continue
        for other in ctx.units:
            if other.idx == u.idx:
                continue
            i = other.norm.find(term)
            if i < 0 or any(
                t0 <= i < t1 for _, t0, t1 in concepts.definition_spans(concepts.lexicon(ctx.lang), other.norm)
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


def _checklist(ctx: RuleContext, fired: dict[str, Finding]) -> list[ChecklistResult]:
    out: list[ChecklistResult] = []
    by_id = {cr.rule.id: cr for cr in ctx.comp.rules}
    for cc in ctx.comp.checks:
        it = cc.item
        if not ctx.types or not (ctx.types & set(it.applies_to)) and "ALL" not in it.applies_to:
            continue
        if it.requires_doc and (cc.requires_doc is None or not ctx.doc_has(cc.requires_doc)):
            continue
        text = it.text[ctx.lang]
        m = ctx.doc_search(cc.present)
        if m is None and it.present_as_related:
            # what a related rule counts as the protection being there counts here too
            # (NDA-11's «does not give … any license» is the no-licence clause of CL-NDA-13)
            m = next(
                (
                    x
                    for r in it.related
                    if (cr := by_id.get(r)) is not None
                    for x in (ctx.doc_search(cr.or_absent),)
                    if x
                ),
                None,
            )
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
    ctx = RuleContext(doc)
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
