"""What the rule engine knows about one document while it evaluates the catalogue: the clause
units with party labels masked, the literal index that keeps patterns off clauses they cannot
match, and the per-document readings asked once (what each clause does, who it binds, whether
it is paid for, which articles survive the term).

Pure library (no Django); ``rules.evaluate`` builds one per review.
"""

from __future__ import annotations

import bisect
import re

from . import clauses, commission, concepts, crossref, ja_grammar, rules_subject, supplied, survival
from .document import Document
from .rules_compile import blank_heading, compile_catalogue, label_masker, party_labels
from .rules_patterns import PatSet, compile_alt
from .rules_units import Unit, article_contexts, clause_units, split_oversized

_SME_DISCLOSER_TYPES = {"NDA", "PROTO", "JRD"}
_SPANS_CLAUSES = "[\\s\\S]"  # in a pattern's source: "anything, line breaks included"
_COMMON = 12  # units holding a literal, after which the literal index tests unit by unit


# a sentence whose predicate denies the duty («受注者は、原価明細、…その他の原価情報の提出を義務付けられない»):
# every item of the list before it is denied, however long the list
_NO_DUTY_JA = re.compile(
    r"[^。]{0,120}?(?:を|の)(?:提出|提供|開示|報告|交付|引渡し?)(?:を)?"
    r"(?:義務付けられない|義務づけられない|求められない|要しない|する義務を負わない|の義務を負わない|義務を負わない|する必要はない)(?:ものとする)?。"
)


# the opening of a proviso that qualifies the sentence before it
_PROVISO = {
    "ja": re.compile(r"\s*(?:ただし|但し)"),
    "en": re.compile(r"\s*(?:provided(?:,?\s+however,?)?\s+that|however,)", re.I),
}
# a table row ends its statement: «｜支給品｜…（無償支給）｜» says nothing of the next row's «初品サンプル»
_TABLE_ROW_END = re.compile(r"(?<=[｜|])\n(?=[｜|])")
_ROW_END = {"ja": "。", "en": ";"}


# what a defined term may hold that one side hands to the other
_MATERIAL = frozenset({"information", "knowhow", "data", "drawings"})


class RuleContext:
    def __init__(self, doc: Document):
        self.doc = doc
        self.lang = doc.language if doc.language in ("ja", "en") else "en"
        self.comp = compile_catalogue(self.lang)
        masker = self._mask = label_masker(self.lang, *party_labels(doc))
        segs = split_oversized(doc, clause_units(doc))
        self.units: list[Unit] = []
        parts: list[str] = []
        pos = 0
        for i, s in enumerate(segs):
            norm = masker(_TABLE_ROW_END.sub(_ROW_END[self.lang], blank_heading(s.norm, self.lang)).replace("\n", " "))
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
        self._definitions: dict[str, str] | None = None
        self._sme_material: set[str] | None = None  # defined terms for material the SME hands over
        # a commission whose fee pays for the work (commission.fees_for_the_work), asked once
        self.commission_paid: bool | None = None
        self.royalties: bool | None = None
        self.work_fee: bool | None = None
        # article numbers a survival clause names (survival.py), read once
        self.surviving: set[str] | None = None
        # article numbers whose hand-overs another clause says the price pays for (commission.py)
        self.priced: set[str] | None = None
        # article numbers whose duties another clause pays for on their own ("In consideration of Section 7.1, … shall pay")
        self.paid_for: set[str] = set()
        # defined terms (of the SME's knowledge) another clause says the price pays for
        self.priced_terms: set[str] | None = None
        # names of what the other side itself supplies to the SME (supplied.py), read once
        self.supplied: set[str] | None = None

    def fee_for_work(self) -> bool:
        """A development commission whose other side pays the SME a fee for the work."""
        if self.commission_paid is None:
            self.commission_paid = "DEV" in self.types and commission.fees_for_the_work(self.lang, self.joined)
        return self.commission_paid

    def work_fee_paid(self) -> bool:
        """The other side pays the SME a fee for the work, whatever the contract type."""
        if self.work_fee is None:
            self.work_fee = commission.fees_for_the_work(self.lang, self.joined)
        return self.work_fee

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
                self._terms = concepts.defined_terms(concepts.lexicon(self.lang), self.joined)
            got = clauses.read_clause(self.lang, u.norm, self.article_text[u.idx], self._terms)
            self._views[u.idx] = got  # a clause that names itself reads its own first view

            def grants_in(number: tuple[str, ...]) -> list[clauses.Act]:
                return self._grants_in(number, u)

            got = crossref.with_extended_grants(got, crossref.named_grants(self.lang, u.norm, grants_in))
            if self.fee_for_work():
                got = commission.paid_by_the_fee(got)
            if self.work_fee_paid():
                got = commission.work_paid_by_the_fee(got)
            if self.royalty_bearing():
                got = commission.licence_paid_by_royalties(got)
            if self.surviving is None:
                self.surviving = survival.surviving_articles(self.lang, (x.norm for x in self.units))
            if self.surviving and survival.article_number(u.article) in self.surviving:
                got = survival.outlives_the_term(self.lang, u.norm, got)
            if self.priced is None:
                self.priced = commission.articles_priced_in(self.lang, (x.norm for x in self.units))
                self.paid_for = commission.articles_paid_for(self.lang, (x.norm for x in self.units))
            if self.paid_for and survival.article_number(u.article) in self.paid_for:
                got = commission.paid_separately(got)
            if self.supplied is None:
                self.supplied = supplied.supplied_names(self.lang, (x.norm for x in self.units))
            got = supplied.returned_to_owner(got, u.norm, self.supplied)
            if self.priced_terms is None:
                self.priced_terms = commission.terms_priced_in(self.lang, (x.norm for x in self.units), self._terms)
            if (
                self.priced
                and survival.article_number(u.article) in self.priced
                or self.priced_terms
                and self.priced_terms & set(got.terms)
            ):
                got = commission.folded_into_the_price(got)
            self._views[u.idx] = got
        return got

    def background_hollow(self) -> bool:
        """Every defined term for the parties' earlier technology is empty (a list still to be drawn up,
        "None listed at signature") or hollowed out: naming background protects nothing."""
        if self._terms is None:
            self._terms = concepts.defined_terms(concepts.lexicon(self.lang), self.joined)
        background = [tags for tags in self._terms.values() if "background" in tags]
        return bool(background) and all("limit:hollowed" in tags for tags in background)

    def definitions_of_terms_in(self, text: str) -> str:
        """What the contract's definitions say of the defined terms ``text`` uses."""
        return " ".join(self._term_definitions(text))

    def _term_definitions(self, text: str) -> list[str]:
        return [d for t, d in self._definitions_by_term().items() if t in text]

    def _definitions_by_term(self) -> dict[str, str]:
        if self._definitions is None:
            self._definitions = {}
            for term, a, b in concepts.definition_spans(concepts.lexicon(self.lang), self.joined):
                self._definitions[term] = self._definitions.get(term, "") + " " + self.joined[a:b]
        return self._definitions

    def terms_only_of(self, text: str, pat: PatSet) -> bool:
        """The defined terms ``text`` uses name only what ``pat`` says (the other side's disclosures):
        a term for the SME's own material beside them («仕様書等及び工程資料», the second defined as
        what the SME submits) keeps the sentence about both sides' information."""
        if self._sme_material is None:
            lex = concepts.lexicon(self.lang)
            self._sme_material = {
                t
                for t, d in self._definitions_by_term().items()
                if concepts.tags(lex, d) & _MATERIAL and concepts.origin_of(lex, d) == "SME"
            }
        used = [t for t in self._definitions_by_term() if t in text]
        said = self._definitions_by_term()
        return any(pat.search(said[t]) for t in used) and not any(t in self._sme_material for t in used)

    def _grants_in(self, number: tuple[str, ...], asking: Unit) -> list[clauses.Act]:
        """The licence acts, with a receiver, of the clause numbered ``number`` (crossref.py)."""
        return [
            a
            for x in self.units
            if x.idx != asking.idx and crossref.named(self.lang, number, x.ref)
            for a in self.view(x).acts
            if a.kind == "license" and a.to != "NONE" and not a.negated
        ]

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
            self._doc_hits[key] = next(self.matches_outside(pat, outside), None) is not None
        return self._doc_hits[key]

    def matches_outside(self, pat: PatSet, outside: PatSet | None, in_terms: PatSet | None = None):
        """(unit, start, end) of each match of ``pat`` whose sentence, read with the sentence
        before it in the same clause, does not match ``outside``: «（１）丸菱がヤマセに開示する…
        一切の情報。開示の方法及び秘密である旨の表示の有無を問わない。» is about 丸菱's information
        only. Nor may the definitions of the terms the sentence uses match ``in_terms``
        («各当事者は、秘密情報を…» where «「秘密情報」とは、発注者が受注者に開示した…情報をいう»)."""
        for u, a, b in self.unit_matches(pat):
            s0, s1 = concepts.sentence_bounds(self.lang, u.norm, a)
            p0 = concepts.sentence_bounds(self.lang, u.norm, s0 - 1)[0] if s0 > 0 else 0
            # a proviso that follows («…使用してはならない。ただし、受領者が自ら行う…研究…のために利用する場合は、この限りでない。»)
            # belongs to the sentence it qualifies
            n1 = s1
            if s1 < len(u.norm) and _PROVISO[self.lang].match(u.norm, s1):
                n1 = concepts.sentence_bounds(self.lang, u.norm, min(len(u.norm) - 1, s1 + 1))[1]
            if outside is not None and outside.search(u.norm[p0:n1]) is not None:
                continue
            if in_terms is not None and self.terms_only_of(u.norm[s0:s1], in_terms):
                continue
            yield u, a, b

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
            if u._subject == "NONE" and u.seg.kind == "item":
                # an item («（３）…株主に変更が生じたとき») is bound by its lead-in
                # («各当事者は、相手方が次の各号のいずれかに該当したときは…»)
                u._subject = rules_subject.clause_subject(self.comp.subject, self.lang, self._lead_in(u.seg))
        return u._subject

    def _lead_in(self, seg) -> str:
        """The masked text of an item's parent before its first item ('' when there is none)."""
        segs = self.doc.segments
        if seg.parent is None or not 0 <= seg.parent < len(segs):
            return ""
        parent = segs[seg.parent]
        first = next((s for s in segs if s.parent == seg.parent and s.kind == "item"), seg)
        cut = parent.norm.find(first.norm[:20])
        lead = parent.norm[:cut] if cut > 0 else ""
        return self._mask(blank_heading(lead, self.lang).replace("\n", " "))

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
        if self.lang == "ja" and ja_grammar.negated_tail(u.norm[b : b + 40]):
            return True
        if self.lang == "ja" and _NO_DUTY_JA.match(u.norm, b):
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
