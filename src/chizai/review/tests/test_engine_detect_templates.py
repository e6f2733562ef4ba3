"""Detection on the shapes of real public templates (bench/data/review-public): an instructions
page before the title, parties named only by the roles of a one-way NDA, a design-partner programme."""

from __future__ import annotations

import pytest

from chizai.review.engine.detect import detect_contract_types, detect_contract_types_detailed, find_parties
from chizai.review.engine.parties import find_parties_detailed
from chizai.review.engine.pipeline import load_document

INSTRUCTIONS = (
    "Interpreting help text\n[Yellow highlighted text in brackets] indicates a field.\n"
    "How to set up an agreement\n1. Review the agreement.\n2. Send to your counterparty for review and signature.\n"
)


def test_the_title_after_a_templates_instructions_page():
    text = INSTRUCTIONS + "Independent Contractor Agreement\nStatement of Work\nContractor | {name}\nCompany | {name}\n"
    text += "Contractor will keep the Confidential Information of the Recipient secret. " * 10
    found = detect_contract_types_detailed(text)
    assert found.title == "Independent Contractor Agreement"
    assert found.types[0] == "DEV"


def test_an_instruction_line_is_never_the_title():
    found = detect_contract_types_detailed(
        INSTRUCTIONS + "Mutual Non-Disclosure Agreement\nEach party shall keep it secret."
    )
    assert found.types[0] == "NDA"
    assert not found.title.startswith("How to")


def test_design_partner_is_an_evaluation_with_commissioned_work():
    found = detect_contract_types_detailed("Design Partner Agreement\nPartner will give Feedback on the Product.")
    assert found.types[:2] == ["PROTO", "DEV"]


ONE_WAY = (
    "One-Way NDA\n1. This NDA allows the Discloser to disclose information to the Recipient.\n"
    "2. Recipient shall use Confidential Information solely for the Purpose. Recipient shall not disclose it.\n"
    "3. Recipient will protect it. Discloser may terminate this NDA on notice. The Discloser retains its rights.\n"
    "4. Discloser will not be liable for errors. Recipient may disclose it if required by law.\n"
)


def test_a_one_way_nda_names_its_parties_by_role():
    labels = [p.label for p in find_parties_detailed(ONE_WAY, "en")]
    assert labels[:2] == ["Discloser", "Recipient"] or set(labels[:2]) == {"Discloser", "Recipient"}
    doc = load_document(ONE_WAY, "one-way.txt")
    assert doc.sme_label in ("Discloser", "Recipient")


def test_in_a_mutual_text_the_roles_rotate_and_are_not_parties():
    mutual = ONE_WAY.replace("This NDA allows the Discloser", 'This NDA allows each party ("Discloser")')
    assert not [p for p in find_parties_detailed(mutual, "en") if p.label in ("Discloser", "Recipient")]


ORDER_TERMS = (
    "GENERAL CONDITIONS OF PURCHASE\n"
    '1.1 "Castell" means Hydra Foods Corporation. "Northfield" means {role_description}. '
    '"Goods" means the parts described in an Order.\n'
    "1.2 Northfield shall deliver the Goods to Castell. Castell shall pay Northfield within 60 days.\n"
    "1.3 Northfield shall keep Castell's drawings confidential.\n"
)


def test_a_party_defined_by_the_role_it_plays_is_a_party():
    for description in (
        "the supplier to which an Order is addressed",
        "the person, firm or company who accepts the Order",
        "the entity identified in the Order",
    ):
        found = find_parties_detailed(ORDER_TERMS.format(role_description=description), "en")
        assert {p.label for p in found} == {"Castell", "Northfield"}, description


def test_a_defined_term_that_describes_no_party_is_not_one():
    for description in ("any supplier engaged by Castell", "the drawings that Castell supplies"):
        found = find_parties_detailed(ORDER_TERMS.format(role_description=description), "en")
        assert "Northfield" not in {p.label for p in found}, description


def test_a_nordic_company_form_names_the_party_its_label_stands_for():
    text = (
        'SUPPLY AGREEMENT\nThis Agreement is entered into by Norrholm Appliances AB, Sweden ("Castell"), and '
        'Fujisaki Spring Manufacturing Co., Ltd., Japan ("Northfield").\n'
        "1. Northfield shall supply the Products to Castell. Castell shall pay Northfield.\n"
    )
    found = {p.label: p.name for p in find_parties_detailed(text, "en")}
    assert found == {"Castell": "Norrholm Appliances AB", "Northfield": "Fujisaki Spring Manufacturing Co., Ltd."}


def test_guidance_that_licenses_the_know_how_is_a_licence_too():
    text = (
        "技術指導契約書\n\n株式会社タカミ熱処理（以下「指導者」という。）と三栄機工株式会社（以下「依頼者」という。）は、"
        "技術指導について次のとおり契約を締結する。\n第３条（技術指導）\n指導者は、依頼者の工場で技術指導を行い、依頼者は指導料を支払う。\n"
        "第５条（使用の許諾）\n１　指導者は、依頼者に対し、指導技術を使用する権利を許諾する。\n"
        "２　依頼者は、その子会社に前項の権利を再許諾することができる。\n３　指導者は、この許諾を取り消すことができない。\n"
    )
    found = detect_contract_types_detailed(text)
    assert found.types[0] == "DEV" and "LIC" in found.types
    plain = text.split("第５条")[0]
    assert "LIC" not in detect_contract_types_detailed(plain).types


def test_a_key_terms_row_names_a_party_that_no_role_list_knows():
    # «| Moulder | Hartwell Moulding Ltd |»: the label acts as a party throughout the body
    body = "The Moulder shall manufacture the Products. The Moulder shall keep the Tools insured. The Moulder may reject an Order. "
    text = (
        "SUPPLY AGREEMENT\n\nKEY DETAILS\n\n| Customer | Celandine Beauty Group Limited |\n"
        "| Moulder | Hartwell Moulding Ltd |\n\nTHIS AGREEMENT is made between the Customer and the Moulder.\n\n"
        "1. Orders\n1.1 " + body + "The Customer shall pay each invoice within sixty days.\n"
    )
    labels = {p.label for p in find_parties_detailed(text, "en")}
    assert {"Customer", "Moulder"} <= labels
    # a table row whose label never acts as a party is not one
    other = (
        text.replace("| Moulder |", "| Delivery |")
        .replace("the Moulder", "the Supplier")
        .replace("The Moulder", "The Supplier")
    )
    assert "Delivery" not in {p.label for p in find_parties_detailed(other, "en")}


def test_an_oem_and_a_societas_europaea_are_parties():
    text = (
        'This Agreement is made between Valtrion Automotive SE ("OEM") and Harlow Thermal Components Ltd ("Supplier").\n'
        "1.1 OEM shall order the Products. Supplier shall deliver them.\n"
    )
    found = {p.label: p.name for p in find_parties_detailed(text, "en")}
    assert found == {"OEM": "Valtrion Automotive SE", "Supplier": "Harlow Thermal Components Ltd"}


def test_a_design_commission_is_development_work():
    from chizai.review.engine.detect import detect_contract_types

    body = "第1条（目的）\n乙は、甲の治具を設計し、設計図面を成果物として納入する。\n" * 3
    assert detect_contract_types("治具・取付具設計業務委託契約書\n\n" + body)[0] == "DEV"
    assert (
        detect_contract_types("Jig Design Services Agreement\n\n1. The Designer shall design the jigs.\n")[0] == "DEV"
    )


@pytest.mark.parametrize(
    "text",
    [
        "RESEARCH AND OPTION AGREEMENT\n\n1. The Company shall carry out the Research Programme and grant the Partner an option.\n",
        "RESEARCH AND EVALUATION AGREEMENT\n\nThis Agreement is made between A and B.\n",
    ],
)
def test_research_and_option_or_evaluation_agreements_are_joint_research(text):
    assert detect_contract_types(text)[0] == "JRD"


def test_a_numbered_list_of_consortium_parties_is_read_item_by_item():
    text = (
        "CONSORTIUM AGREEMENT\n\nfor the project HYDRACOAT\n\n"
        "THIS CONSORTIUM AGREEMENT is entered into by and between:\n\n"
        '1. VOLTARIS ENERGY SE, Berlin, Germany, the coordinator of the Project ("Voltaris" or the "Coordinator");\n'
        '2. TECHNISCHE UNIVERSITAT RHEINAU, Rheinau, Germany ("TUR");\n'
        '3. NORDFELT COATINGS OY, Tampere, Finland ("Nordfelt"),\n\n'
        'each a "Party".\n\n1. Definitions\n1.1 "Results" means any output of the Project.\n'
    )
    found = {p.label for p in find_parties(text, "en")}
    assert {"TUR", "Nordfelt"} <= found and ({"Voltaris", "Coordinator"} & found)
    assert detect_contract_types(text)[0] == "JRD"


def test_a_drafting_note_before_the_preamble_does_not_hide_the_parties():
    text = (
        "取引基本契約書（冷間圧造部品）\n\n"
        "（注）本契約書は、一般社団法人日本冷間圧造部品工業会「部品取引基本契約書モデル」を基礎とし、発注者の取引条件に合わせて改めたものである。\n\n"
        "株式会社東亜シャシー工業（以下「発注者」という。）と株式会社吉川鋲螺製作所（以下「受注者」という。）は、次のとおり基本契約を締結する。\n\n"
        "第１条（目的）\n本契約は、本製品の取引に適用される。\n"
    )
    doc = load_document(text, "mfg.txt")
    assert {p.label for p in doc.parties} >= {"発注者", "受注者"} and doc.sme_label == "受注者"
