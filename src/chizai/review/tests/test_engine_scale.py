"""Long and badly segmented contracts: the engine reads them clause by clause, and the
pattern machinery that keeps that fast does not change what matches."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chizai.review.engine.pipeline import load_document, review_document
from chizai.review.engine.rules import clause_views, evaluate
from chizai.review.engine.rules_patterns import compile_alt, split_alternatives
from chizai.review.engine.rules_testing import make_document

_FILLER = " ".join(
    f"The parties shall meet at location {i} to review the schedule of deliveries and the status of open items."
    for i in range(250)
)


@pytest.mark.parametrize(
    ("rule", "types", "sme", "sentence"),
    [
        (
            "IPR-01",
            ["DEV"],
            "Contractor",
            "The Contractor hereby assigns to the Company all right, title and interest in the Deliverables.",
        ),
        (
            "NDA-15",
            ["MFG"],
            "Supplier",
            "Buyer may at any time audit Supplier's facilities and take photographs of production lines.",
        ),
        (
            "RSK-04",
            ["LIC"],
            "Licensor",
            "The Licensor represents and warrants that the Licensed Patent is valid and enforceable.",
        ),
    ],
)
def test_a_clause_inside_an_unsegmented_block_is_found_and_quoted_alone(rule, types, sme, sentence):
    # 50,000 characters with no numbering and no blank line: one "clause" to the segmenter
    text = f"{_FILLER} {sentence} {_FILLER}"
    doc = make_document(text, "en", types, sme)
    units = clause_views(doc)
    assert len(units) > 20
    assert all(len(seg.norm) <= 4000 and doc.text[seg.start : seg.end] == seg.text for seg, _ in units)
    found = [f for f in evaluate(doc)[0] if f.rule_id == rule]
    assert found, rule
    start = text.index(sentence)
    assert start <= found[0].span[0] < found[0].span[1] <= start + len(sentence) + 1
    assert len(found[0].text) < 4000


def test_a_carve_out_pages_away_does_not_count_for_a_clause_in_an_unsegmented_block():
    grant = "Supplier grants Buyer a royalty-free, perpetual and irrevocable licence to its patents."
    limit = "The licence may be used solely to perform the Project."
    near = make_document(f"{_FILLER} {grant} {limit} {_FILLER}", "en", ["MFG"], "Supplier")
    far = make_document(f"{grant} {_FILLER} {limit}", "en", ["MFG"], "Supplier")
    assert "IPR-02" not in {f.rule_id for f in evaluate(near)[0]}
    assert "IPR-02" in {f.rule_id for f in evaluate(far)[0]}


@pytest.mark.parametrize(
    ("src", "parts"),
    [
        (r"(?:(?:a|b)c)|(?:d)", [r"(?:(?:a|b)c)", r"(?:d)"]),
        (r"(?:x|y)z", [r"(?:x|y)z"]),
        (r"[|(]a|b", [r"[|(]a", "b"]),
        (r"(?:(?:use\b)|(?:only))", [r"(?:use\b)", r"(?:only)"]),
        (r"a\|b|c", [r"a\|b", "c"]),
        (r"(a)|\1", [r"(a)|\1"]),
        (r"(?P<to>x)|y", [r"(?P<to>x)|y"]),
        (r"[]|]|q", [r"[]|]", "q"]),
    ],
)
def test_split_alternatives(src, parts):
    assert split_alternatives(src) == parts


_ATOMS = st.sampled_from(["use", "only", r"\bsolely", r"for\s+the", r"[a-c]+", r"\d{1,3}", r"(?:x|yz)", r"\.", r"[|]"])


@st.composite
def _pattern(draw, depth=2):
    def part(d):
        if d == 0 or draw(st.booleans()):
            return "".join(draw(st.lists(_ATOMS, min_size=1, max_size=3)))
        inner = "|".join(part(d - 1) for _ in range(draw(st.integers(1, 3))))
        return f"(?:{inner})" + draw(st.sampled_from(["", "?", r"\s*", "x"]))

    return "|".join(part(depth) for _ in range(draw(st.integers(1, 4))))


@settings(max_examples=200, deadline=None)
@given(_pattern(), st.text(alphabet="useonlyabcx|. 0123\nforthe", max_size=60))
def test_split_alternatives_match_what_the_whole_pattern_matches(src, text):
    whole = re.compile(src, re.I)
    split = compile_alt(tuple(split_alternatives(src)))
    assert [m.span() for m in whole.finditer(text)] == [m.span() for m in split.finditer(text)]


# What text pulled out of a PDF often looks like: the line breaks before clause numbers lost
_FLATTENED = (
    "SUPPLY AGREEMENT\n"
    'This Supply Agreement is made between Acme Corporation ("Buyer") and Tiny Works Ltd ("Supplier").   '
    '1. DEFINITIONS "Products" means the parts listed in Schedule A. "Specifications" means the '
    "drawings issued by Buyer, as amended under Section 4.2 of this Agreement.   2. Orders   Buyer may "
    "place orders in writing. 2.1 Acceptance Supplier shall accept each order within five days. "
    "2.2 Changes Buyer may change an order before shipment.   3. PRICE AND PAYMENT Prices are fixed for "
    "one year. 3.1 Invoices Supplier shall invoice on shipment.   4. INTELLECTUAL PROPERTY 4.1 Ownership "
    "Supplier hereby assigns to Buyer all right, title and interest in the Process Data. 4.2 Drawings "
    "Buyer may amend the Specifications at any time."
)


def _refs(text, lang="en"):
    doc = load_document(text, "flat.txt")
    return [s.ref for s in doc.segments if s.kind in ("article", "paragraph")], doc


def test_clause_numbers_run_together_on_one_line_are_found():
    refs, doc = _refs(_FLATTENED)
    assert {
        "Section 1",
        "Section 2",
        "Section 2.1",
        "Section 2.2",
        "Section 3",
        "Section 3.1",
        "Section 4",
        "Section 4.1",
        "Section 4.2",
    } <= set(refs)
    # "under Section 4.2 of this Agreement" inside a sentence is a reference, not a heading
    assert refs.count("Section 4.2") == 1
    assert all(doc.text[s.start : s.end] == s.text for s in doc.segments)
    found = [f for f in review_document(doc).findings if f.rule_id == "IPR-01"]
    assert found and found[0].clause == "Section 4.1"


def test_numbers_out_of_order_are_not_taken_for_headings():
    text = (
        "SERVICES AGREEMENT\n"
        + "The Contractor shall deliver the reports. " * 8
        + "The fee is USD 40. 12. Items ORDERED are listed. "
        + "The Company shall pay the fee. " * 8
    )
    refs, _ = _refs(text)
    assert "Section 12" not in refs


def test_a_top_level_section_numbered_n_point_zero():
    text = (
        'OUTSOURCING AGREEMENT\nThis Agreement is made between Big Co ("Big") and Small Co ("Small").\n\n'
        'SECTION 1.0 DEFINITIONS\n\n1.1 "Products" means the parts.\n\n1.2 "Days" means business days.\n\n'
        "SECTION 2.0 TERM\n\nThis Agreement runs for two years.\n\n"
        "SECTION 3.0 PROPERTY\n\n3.1 Small hereby assigns to Big all right, title and interest in the tooling designs.\n"
    )
    refs, doc = _refs(text)
    assert {"Section 1.0", "Section 1.1", "Section 1.2", "Section 2.0", "Section 3.0", "Section 3.1"} <= set(refs)
    assert not any(s.kind == "preamble" and len(s.text) > 200 for s in doc.segments)
