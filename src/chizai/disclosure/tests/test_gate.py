"""The gate as a pure function: each condition fails alone, says why in ja and en, and what fixes it."""

from dataclasses import replace
from datetime import date

import pytest

from chizai.disclosure.gate import AgreementFacts, AssetFacts, GateRequest, check

TODAY = date(2026, 11, 22)
NDA = AgreementFacts(
    id=1,
    type="NDA",
    partner_id=7,
    partner_name="X社",
    status="signed",
    direction="mutual",
    effective_on=date(2026, 1, 1),
    expires_on=date(2027, 12, 31),
    purpose_stages=("quotation", "prototype"),
    categories=(),
)
DRAWING = AssetFacts(id=10, title="図面A", classification="confidential", kind="drawing", strategy="keep_secret")


def req(**kw):
    base = dict(partner_id=7, partner_name="X社", stage="quotation", today=TODAY, assets=(DRAWING,), agreements=(NDA,))
    base.update(kw)
    return GateRequest(**base)


def codes(result):
    return [f.code for f in result.failures]


def test_everything_in_order_passes_and_names_the_agreement():
    result = check(req())
    assert result.allowed and result.agreement_id == 1 and result.failures == []


@pytest.mark.parametrize("classification", ["public", "internal"])
def test_public_and_internal_material_needs_no_agreement(classification):
    result = check(req(assets=(replace(DRAWING, classification=classification),), agreements=()))
    assert result.allowed and not result.gated


def test_no_agreement_with_the_partner():
    result = check(req(agreements=(replace(NDA, partner_id=8, partner_name="Y社"),)))
    assert codes(result) == ["agreement_missing"]
    assert "X社" in result.failures[0].ja and "NDA" in result.failures[0].fix_en


@pytest.mark.parametrize("status", ["draft", "negotiating"])
def test_unsigned_agreement_is_refused(status):
    result = check(req(agreements=(replace(NDA, status=status),)))
    assert codes(result) == ["agreement_not_signed"]
    assert "not signed" in result.failures[0].en and "締結" in result.failures[0].ja


def test_expired_agreement_names_the_date():
    result = check(req(agreements=(replace(NDA, expires_on=date(2026, 9, 30)),)))
    assert codes(result) == ["agreement_expired"]
    assert result.failures[0].en.startswith("The NDA with X社 expired on 2026-09-30")
    assert "2026-09-30に期間満了" in result.failures[0].ja
    assert result.failures[0].fix_en and result.failures[0].fix_ja


def test_status_expired_and_terminated_are_refused():
    assert "agreement_expired" in codes(check(req(agreements=(replace(NDA, status="expired"),))))
    assert "agreement_terminated" in codes(check(req(agreements=(replace(NDA, status="terminated"),))))


def test_not_yet_effective():
    result = check(req(agreements=(replace(NDA, effective_on=date(2027, 1, 1)),)))
    assert codes(result) == ["agreement_not_effective"] and "2027-01-01" in result.failures[0].en


def test_inbound_only_agreement_does_not_cover_our_disclosure():
    result = check(req(agreements=(replace(NDA, direction="inbound"),)))
    assert codes(result) == ["direction"]
    assert check(req(agreements=(replace(NDA, direction="outbound"),))).allowed


def test_purpose_must_cover_the_stage():
    result = check(req(stage="mass_production"))
    assert codes(result) == ["purpose"]
    assert "mass production" in result.failures[0].en and "量産" in result.failures[0].ja


def test_category_must_cover_the_asset_kind():
    result = check(req(agreements=(replace(NDA, categories=("test_data",)),)))
    assert codes(result) == ["category"] and result.failures[0].asset_id == 10
    assert check(req(agreements=(replace(NDA, categories=("drawing", "test_data")),))).allowed


def test_unfiled_patent_strategy_blocks_and_filed_one_passes():
    assert codes(check(req(assets=(replace(DRAWING, strategy="patent"),)))) == ["strategy_patent_unfiled"]
    assert check(req(assets=(replace(DRAWING, strategy="patent", right_filed=True),))).allowed


def test_undecided_strategy_blocks_secret_only():
    secret = replace(DRAWING, classification="secret", strategy="undecided")
    assert "strategy_undecided" in codes(
        check(req(assets=(secret,), owner_approved=True, second_person_confirmed=True))
    )
    assert check(req(assets=(replace(DRAWING, strategy="undecided"),))).allowed


def test_secret_needs_owner_and_second_person():
    secret = replace(DRAWING, classification="secret")
    assert codes(check(req(assets=(secret,)))) == ["owner_approval", "second_person"]
    assert codes(check(req(assets=(secret,), owner_approved=True))) == ["second_person"]
    assert check(req(assets=(secret,), owner_approved=True, second_person_confirmed=True)).allowed


def test_owner_override_waives_agreement_conditions_with_reason():
    expired = replace(NDA, expires_on=date(2026, 9, 30))
    result = check(
        req(agreements=(expired,), override_reason="renewal signed on paper, scan follows", override_by_owner=True)
    )
    assert result.allowed and result.overridden and [f.code for f in result.waived] == ["agreement_expired"]
    assert not check(req(agreements=(expired,), override_reason="x", override_by_owner=False)).allowed
    assert not check(req(agreements=(expired,), override_reason="  ", override_by_owner=True)).allowed


def test_override_never_waives_the_two_person_rule():
    secret = replace(DRAWING, classification="secret")
    result = check(req(assets=(secret,), agreements=(), override_reason="urgent", override_by_owner=True))
    assert not result.allowed and codes(result) == ["owner_approval", "second_person"]


def test_best_agreement_is_chosen_among_several():
    old = replace(NDA, id=2, expires_on=date(2025, 1, 1))
    result = check(req(agreements=(old, NDA)))
    assert result.allowed and result.agreement_id == 1


def test_chosen_agreement_is_the_one_checked():
    other = replace(NDA, id=3, status="negotiating")
    result = check(req(agreements=(NDA, other), agreement_id=3))
    assert codes(result) == ["agreement_not_signed"] and result.agreement_id == 3


def test_message_in_both_languages():
    result = check(req(agreements=(replace(NDA, expires_on=date(2026, 9, 30)),)))
    assert "expired on 2026-09-30" in result.message("en") and "期間満了" in result.message("ja")
