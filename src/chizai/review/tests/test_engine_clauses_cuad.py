"""The clause reader on the wording families of real filed contracts (CUAD, EDGAR).

Each case is a short paraphrase, in our own words, of a family of wordings the reader
missed on the training split of ``bench/review_act_coverage.py``: covenants with a
pronoun ("X covenants that it will not …"), gaps that pass parentheses and section
numbers, exclusive appointments, joint ownership said in the verb, franchise "you"/"us".
Look-alikes that must stay unread sit beside them.
"""

from __future__ import annotations

import pytest

from chizai.review.engine import clauses
from chizai.review.engine.rules_compile import LARGE_CH, SME_CH

S, L = SME_CH * 7, LARGE_CH * 5


def acts(text: str) -> list[clauses.Act]:
    return clauses.read_clause("en", text, "", {}).acts


def has(text: str, kind: str, to: str | None = None, negated: bool = False) -> bool:
    return any(a.kind == kind and (to is None or a.to == to) and a.negated == negated for a in acts(text))


# ---------------------------------------------------------------- restrictions (non-compete)


@pytest.mark.parametrize(
    "text, to",
    [
        # a pronoun after the covenant
        (
            f"{S} covenants that, during the term, it will not design or sell any product competing with the Goods.",
            "SME",
        ),
        (
            f"{S} hereby agrees with {L} that for two years after termination it shall not, directly or indirectly, "
            "engage in any business similar to the Business.",
            "SME",
        ),
        # "shall not (and shall cause its Affiliates not to)": the gap passes a parenthesis and a section number
        (
            f"{S} shall not (and shall procure that its Affiliates do not), except as allowed by Section 4.2, "
            "commercialize any Competing Product in the Territory.",
            "SME",
        ),
        # "agrees not to …" with an adverb and a longer list
        (f"{L} agrees not to actively seek to promote or resell the Licensed Products outside the Territory.", "LARGE"),
        # "neither X nor its Affiliates shall …" with the verb after a long parenthetical list
        (
            f"Neither {S} nor any of its affiliates shall, whether as owner, partner or consultant, participate "
            "in any venture selling similar goods.",
            "SME",
        ),
        # "at no time during … shall X …"
        (f"At no time during the term shall {L} operate a competing store within the Area.", "LARGE"),
        # both sides at once
        ("Neither party shall, during the term, solicit the other party's customers for competing services.", "MUTUAL"),
    ],
)
def test_non_compete_wordings_are_restrictions(text, to):
    assert has(text, "restrict", to), acts(text)


@pytest.mark.parametrize(
    "text",
    [
        # franchise documents name the franchisee "you"; the party detection may not know it
        "You shall not, directly or indirectly, own or operate any competing restaurant within ten miles.",
        "You covenant that, for two years after expiry, you will not engage in any competing business.",
        "Neither you nor your owners will, during the term, hold any interest in a competing business.",
    ],
)
def test_franchise_you_is_restricted_even_when_unnamed(text):
    assert has(text, "restrict"), acts(text)


@pytest.mark.parametrize(
    "text",
    [
        # no duty, only a statement that one need not act
        f"{S} shall not be obliged to supply more than the forecast quantities.",
        f"{L} shall not be liable for any loss arising from the sale of the Goods.",
        f"{L} shall not unreasonably withhold its consent to {S}'s request to sell to a new customer.",
        # a right, not a ban
        f"{S} may sell the Goods to any customer in the Territory.",
    ],
)
def test_statements_that_are_not_restrictions(text):
    assert not has(text, "restrict"), acts(text)


# ---------------------------------------------------------------- exclusivity


@pytest.mark.parametrize(
    "text, to",
    [
        # the appointer may not appoint anyone else
        (f"{L} hereby appoints {S} as its sole and exclusive distributor of the Products in the Territory.", "LARGE"),
        # "Y shall be the exclusive supplier": the other side may not buy elsewhere
        (f"{S} shall be the exclusive supplier of the Components to {L} during the term.", "LARGE"),
        # all of one's requirements
        (f"{L} shall purchase from {S} one hundred percent of its requirements of the Components.", "LARGE"),
        # only for the other side
        (f"{S} shall manufacture the Devices exclusively for {L} in the Territory.", "SME"),
    ],
)
def test_exclusive_dealing_wordings_are_restrictions(text, to):
    assert has(text, "restrict", to), acts(text)


def test_a_right_promised_to_nobody_else_is_a_restriction():
    assert has("The endorsement will not be granted to anyone other than the Company during the term.", "restrict")


@pytest.mark.parametrize(
    "text",
    [
        # a non-exclusive appointment restricts nobody
        f"{L} appoints {S} as a non-exclusive distributor of the Products.",
        f"{S} shall be a supplier of the Components to {L}.",
        # the exclusive right belongs to the owner, not a promise to deal only with one side
        f"{S} shall be the sole owner of its background know-how.",
    ],
)
def test_non_exclusive_appointments_restrict_nobody(text):
    assert not has(text, "restrict"), acts(text)


# ---------------------------------------------------------------- no challenge, no suit


@pytest.mark.parametrize(
    "text, to",
    [
        (f"{S} agrees that it will not at any time attack the title of {L} in the Licensed Marks.", "SME"),
        (
            f"{S} agrees not to, and shall not permit its Affiliates to, oppose or petition to cancel any "
            f"registration of the Marks by {L}.",
            "SME",
        ),
        (f"At no time during the term or thereafter shall {S} challenge any trademark of {L}.", "SME"),
        (f"{S} admits {L}'s exclusive ownership of the trade name and the logos.", "SME"),
        (f"{S} acknowledges that {L} is the sole owner of the Marks.", "SME"),
        ("Neither party shall contest the validity of the other party's trademarks.", "MUTUAL"),
        (
            "Each party covenants that it shall not sue the other party for patent infringement under any "
            "future patent.",
            "MUTUAL",
        ),
        (f"{S} hereby irrevocably waives all moral rights in the Works.", "SME"),
    ],
)
def test_no_challenge_and_no_suit_wordings(text, to):
    assert has(text, "no_assert", to), acts(text)


def test_franchisee_you_gives_up_contesting_the_marks():
    assert has(
        "You will not, during or after the term, contest the validity or our ownership of the Marks.", "no_assert"
    )


@pytest.mark.parametrize(
    "text",
    [
        # "dispute" and "question" as nouns, not as a challenge
        f"{S} shall not sell the products in question until any dispute has been settled.",
        f"{L} shall not be liable for any claims brought by third parties.",
    ],
)
def test_nouns_are_not_a_no_challenge_covenant(text):
    assert not has(text, "no_assert"), acts(text)


# ---------------------------------------------------------------- licences


@pytest.mark.parametrize(
    "text, to",
    [
        # a parenthesis with a section number inside the adjectives
        (
            f"{S} hereby grants to {L} a nonexclusive, nontransferable (except under Section 14.1) royalty-free "
            "licence to reproduce the Software.",
            "LARGE",
        ),
        # "grants, and shall cause its Affiliates to grant, to Y …"
        (
            f"{S} hereby grants, and will cause its Affiliates to grant, to {L} a fully paid, perpetual licence "
            "to use the Shared Materials.",
            "LARGE",
        ),
        # "shall have a … right and licence"
        (
            f"{L} shall have a royalty-free, nonexclusive, nontransferable, right and license to use and modify "
            "the Source Code.",
            "LARGE",
        ),
        # "the right, as further defined in Section 2.3, to promote …"
        (
            f"{S} hereby grants {L} during the Term the non-exclusive right, as defined in Section 2.3, to promote "
            "the Tests.",
            "LARGE",
        ),
        (f"{L} is authorized to resell the Technology worldwide.", "LARGE"),
        ("Each party hereby grants to the other a non-exclusive licence to use its trademarks.", "MUTUAL"),
        ("Each party authorizes the other party to display and use its logos.", "MUTUAL"),
        (f"{L} shall have the exclusive right to distribute the Programs on demand.", "LARGE"),
    ],
)
def test_licence_wordings_with_long_adjective_lists(text, to):
    assert has(text, "license", to), acts(text)


@pytest.mark.parametrize(
    "text, wide",
    [
        (
            f"{S} hereby grants, and will cause its Affiliates to grant, to {L} a fully paid, non-exclusive, "
            "perpetual licence to use the Materials.",
            "perpetual",
        ),
        (
            f"Upon expiry, the licences granted to {L} under Section 3.1 will become fully paid up and irrevocable.",
            "irrevocable",
        ),
        (
            f"{S} hereby grants to {L} an exclusive, royalty-free, non-transferable (except as set out in Section "
            "12.3) licence under the Results.",
            "exclusive",
        ),
    ],
)
def test_licence_terms_are_read_across_the_long_grant(text, wide):
    assert any(a.kind == "license" and wide in a.wide for a in acts(text)), acts(text)


@pytest.mark.parametrize(
    "text",
    [
        # a permission to sell goods is not a licence
        f"{L} may sell the Goods to its customers.",
        # an option to negotiate is not yet a grant
        f"{L} shall have the non-exclusive option to negotiate a licence with {S}.",
    ],
)
def test_permissions_that_are_not_licences(text):
    assert not has(text, "license"), acts(text)


# ---------------------------------------------------------------- ownership


@pytest.mark.parametrize(
    "text",
    [
        f"{L} shall be the exclusive and sole owner of all Trial Inventions.",
        f"{L} shall be and remain the sole and exclusive owner of the Improvements.",
        # a comma after the verb and a second giver in the gap
        f"{S} shall transfer and assign, and shall ensure that its Affiliates transfer and assign, to {L} all "
        "Product Marks.",
        f"{S} agrees, at its expense, to transfer, or cause to be transferred, to {L} all right, title and interest "
        "in the Software.",
    ],
)
def test_ownership_wordings_reach_the_receiver(text):
    assert has(text, "own", "LARGE"), acts(text)


@pytest.mark.parametrize(
    "text",
    [
        "Copyright in materials created together by the Parties shall be jointly owned.",
        "New process technologies developed in cooperation shall be jointly and equally owned.",
        "All rights in the Joint Inventions will belong jointly to both companies.",
        "Upon termination, the two companies shall jointly own all user data.",
        "Each Party, or its Affiliates, shall own an equal, undivided interest in the Joint Inventions.",
        "The party concerned may file the application in co-ownership with the other party.",
    ],
)
def test_joint_ownership_said_in_the_verb(text):
    assert any(a.kind == "own" and a.to == "MUTUAL" and not a.negated for a in acts(text)), acts(text)


@pytest.mark.parametrize(
    "text",
    [
        # a defined term, not an act
        "The party that prosecutes the Jointly Owned Patents shall bear the costs.",
        "Any jointly-owned invention shall be notified to the other party within thirty days.",
        # negated
        "The Results shall not be jointly owned.",
    ],
)
def test_joint_ownership_look_alikes(text):
    assert not any(a.kind == "own" and a.to == "MUTUAL" and not a.negated for a in acts(text)), acts(text)


@pytest.mark.parametrize(
    "text",
    [
        "All improvements you make to the System shall be our sole property.",
        "All customer data you collect is and will be owned exclusively by us.",
        "You hereby assign to us all rights you may acquire in the Customer List.",
    ],
)
def test_franchise_us_receives_ownership(text):
    assert has(text, "own"), acts(text)


def test_goods_title_passing_is_ownership_of_goods_not_of_ip():
    got = [a for a in acts(f"Title to the Goods shall pass to {L} upon delivery.") if a.kind == "own"]
    assert got and not any(a.objects & {"ip", "results", "knowhow"} for a in got), got


# ---------------------------------------------------------------- second pass over the training misses


@pytest.mark.parametrize(
    "text, kind, to",
    [
        # a list follows the ban ("shall not: (i) …"); a covenant whose subject is named again after an exception
        (
            f"During the Term, {S} and its Affiliates shall not: (i) seek approval of any Competing Product in the Territory.",
            "restrict",
            "SME",
        ),
        (
            f"In addition, {S} covenants that, except as approved in writing by {L}, {S} shall not, for two years, engage "
            "in any competing business.",
            "restrict",
            "SME",
        ),
        # advertising for a competitor
        (f"{S} shall not place advertising for the listed printing companies on the Site.", "restrict", "SME"),
        # passive appointment, "accepts appointment as", "the only distributor"
        (f"{S} is appointed as an exclusive dealer within the following territories.", "restrict", "LARGE"),
        (
            f"The maker appoints the {S} and the {S} accepts appointment as an exclusive authorised dealer.",
            "restrict",
            "LARGE",
        ),
        (f"For the first year {S} shall be the only distributor appointed by {L} in the region.", "restrict", "LARGE"),
        # "grants exclusive rights to Y" (no article, the receiver after the rights)
        (f"The {S} grants exclusive rights to {L} for a term of ten years.", "license", "LARGE"),
        # two parentheses with section numbers between the receiver and "licence", long names
        (
            f"{S * 2} hereby grants to {L * 2}, and {L * 2} hereby accepts from {S * 2}, an exclusive, non-transferable "
            "(except as set out in Section 10.7) and non-sublicensable (except as provided in Section 2.1(c)) licence to use "
            "the Marks.",
            "license",
            "LARGE",
        ),
    ],
)
def test_second_pass_families(text, kind, to):
    assert has(text, kind, to), acts(text)


def test_non_sublicensable_is_not_sublicensable():
    got = [
        a
        for a in acts(f"{S} grants {L} a perpetual, non-sublicensable licence to use the Software.")
        if a.kind == "license"
    ]
    assert got and all("sublicensable" not in a.wide for a in got), got
    got = [
        a
        for a in acts(f"{S} grants {L} a licence to use the Software, without the right to sublicense.")
        if a.kind == "license"
    ]
    assert got and all("sublicensable" not in a.wide for a in got), got


def test_a_licence_that_shall_not_survive_is_not_perpetual():
    got = [
        a
        for a in acts(
            f"The licence granted to {L} under this clause is revocable on notice and shall not survive "
            "termination of this Agreement."
        )
        if a.kind == "license"
    ]
    assert got and all(not ({"perpetual", "survival"} & (a.wide | a.limits)) for a in got), got
