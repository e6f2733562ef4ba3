"""The gate before every hand-over: a pure function over plain data (no Django).

``check(request)`` answers whether the material may go to the partner now, and when not,
every condition that failed with what would fix it, in Japanese and English, so the
person at the screen, the audit chain and the API all read the same reasons.

Rules (issue 5): public and internal material passes. Confidential (秘密) or secret (極秘)
material needs a signed, effective, unexpired agreement with that partner that covers
our disclosing (mutual or we-disclose), the disclosure's purpose (stage) and each asset's
category; each asset's protection strategy must allow disclosure (a patent not yet filed
would lose novelty; an undecided secret asset needs a decision first). Secret material
also needs the owner's approval and a second person (two-person rule). An owner may
override the agreement and strategy conditions with a reason; the two-person rule stays.

Each asset is judged at the stricter of its classification now and the one recorded when
the disclosure was requested: lowering an asset after a refusal (公開可 instead of 秘密)
must not open the gate by itself. Such a disclosure fails ``reclassified_after_request``
until an owner overrides it with a reason (issue 11, R7).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date

GATED = ("confidential", "secret")
RANK = {"public": 0, "internal": 1, "confidential": 2, "secret": 3}
CLASSIFICATION_LABELS = {
    "public": ("公開可", "public"),
    "internal": ("社内限り", "internal"),
    "confidential": ("秘密", "confidential"),
    "secret": ("極秘", "secret"),
}
OUTBOUND_DIRECTIONS = ("mutual", "outbound")

STAGE_LABELS = {
    "inquiry": ("引き合い", "inquiry"),
    "quotation": ("見積", "quotation"),
    "prototype": ("試作", "prototype"),
    "joint_study": ("共同研究・開発", "joint study"),
    "mass_production": ("量産", "mass production"),
    "after_sales": ("アフターサービス", "after-sales"),
}
STATUS_LABELS = {
    "draft": ("下書き", "a draft"),
    "negotiating": ("交渉中", "under negotiation"),
    "signed": ("締結済み", "signed"),
    "expired": ("期間満了", "expired"),
    "terminated": ("解除済み", "terminated"),
}


@dataclass(frozen=True)
class AgreementFacts:
    id: int
    type: str
    partner_id: int
    partner_name: str
    status: str
    direction: str
    effective_on: date | None = None
    expires_on: date | None = None
    purpose_stages: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class AssetFacts:
    id: int | None
    title: str
    classification: str
    kind: str = "other"
    strategy: str = "undecided"
    right_filed: bool = False
    # The classification recorded when the disclosure was requested ("" = not known).
    requested_classification: str = ""

    @property
    def lowered(self) -> bool:
        return RANK.get(self.requested_classification, -1) > RANK.get(self.classification, -1)


@dataclass(frozen=True)
class GateRequest:
    partner_id: int
    partner_name: str
    stage: str
    today: date
    assets: tuple[AssetFacts, ...]
    agreements: tuple[AgreementFacts, ...] = ()
    agreement_id: int | None = None  # the agreement the person chose, else the best one
    owner_approved: bool = False
    second_person_confirmed: bool = False
    override_reason: str = ""
    override_by_owner: bool = False


@dataclass
class Failure:
    code: str
    ja: str
    en: str
    fix_ja: str
    fix_en: str
    asset_id: int | None = None
    overridable: bool = True
    # What the sentence is made of (codes, names as entered, dates), so that a page renders
    # it in its reader's language through gettext (disclosure/gate_text.py) with the names
    # marked as entered; ``ja``/``en`` stay for the audit chain, reminders and the API.
    params: dict = field(default_factory=dict)


@dataclass
class GateResult:
    allowed: bool
    gated: bool  # whether any material needed an agreement at all
    agreement_id: int | None
    failures: list[Failure] = field(default_factory=list)
    overridden: bool = False
    waived: list[Failure] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    def message(self, lang: str = "ja") -> str:
        parts = []
        for f in self.failures:
            text, fix = (f.ja, f.fix_ja) if lang == "ja" else (f.en, f.fix_en)
            parts.append(f"{text} — {fix}")
        return "\n".join(parts)


def _d(day: date | None) -> str:
    return day.isoformat() if day else "?"


def _agreement_failures(a: AgreementFacts, req: GateRequest, gated_assets: list[AssetFacts]) -> list[Failure]:
    who = f"{a.type} with {a.partner_name}"
    who_ja = f"{a.partner_name}との{a.type}"
    agreement = {"type": a.type, "partner": a.partner_name}
    out: list[Failure] = []
    if a.partner_id != req.partner_id:
        out.append(
            Failure(
                "agreement_other_partner",
                f"{who_ja}は別の相手先との契約です。",
                f"The {who} is with another partner.",
                f"{req.partner_name}との契約を選んでください。",
                f"Choose an agreement with {req.partner_name}.",
                params={**agreement, "wanted": req.partner_name},
            )
        )
        return out
    if a.status in ("draft", "negotiating"):
        ja_s, en_s = STATUS_LABELS[a.status]
        out.append(
            Failure(
                "agreement_not_signed",
                f"{who_ja}はまだ{ja_s}で、締結されていません。",
                f"The {who} is still {en_s}, not signed.",
                "締結して署名済みの契約書を登録してください。",
                "Sign it and record the signed copy.",
                params={**agreement, "status": a.status},
            )
        )
    elif a.status == "terminated":
        out.append(
            Failure(
                "agreement_terminated",
                f"{who_ja}は解除されています。",
                f"The {who} was terminated.",
                "新しい契約を締結してください。",
                "Sign a new agreement.",
                params=agreement,
            )
        )
    if a.status == "expired" or (a.expires_on is not None and a.expires_on < req.today):
        out.append(
            Failure(
                "agreement_expired",
                f"{who_ja}は{_d(a.expires_on)}に期間満了しています。",
                f"The {who} expired on {_d(a.expires_on)}.",
                "契約を更新するか、新しい契約を締結してください。",
                "Renew it or sign a new agreement.",
                params={**agreement, "date": _d(a.expires_on)},
            )
        )
    if a.effective_on is not None and a.effective_on > req.today:
        out.append(
            Failure(
                "agreement_not_effective",
                f"{who_ja}の効力発生日は{_d(a.effective_on)}で、まだ有効ではありません。",
                f"The {who} takes effect only on {_d(a.effective_on)}.",
                f"{_d(a.effective_on)}以降に開示してください。",
                f"Disclose on or after {_d(a.effective_on)}.",
                params={**agreement, "date": _d(a.effective_on)},
            )
        )
    if a.direction not in OUTBOUND_DIRECTIONS:
        out.append(
            Failure(
                "direction",
                f"{who_ja}は当社が情報を受け取る片務契約で、当社からの開示を保護しません。",
                f"The {who} only covers information we receive, not what we disclose.",
                "双方開示または当社開示の契約を締結してください。",
                "Sign a mutual or we-disclose agreement.",
                params=agreement,
            )
        )
    stage_ja, stage_en = STAGE_LABELS.get(req.stage, (req.stage, req.stage))
    if req.stage not in a.purpose_stages:
        covered_ja = "・".join(STAGE_LABELS.get(s, (s, s))[0] for s in a.purpose_stages) or "未確認"
        covered_en = ", ".join(STAGE_LABELS.get(s, (s, s))[1] for s in a.purpose_stages) or "not confirmed"
        out.append(
            Failure(
                "purpose",
                f"{who_ja}の目的（{covered_ja}）に「{stage_ja}」は含まれていません。",
                f"The purpose of the {who} ({covered_en}) does not cover {stage_en}.",
                "目的を広げる覚書を結ぶか、目的に合う契約を選んでください。",
                "Amend the purpose clause or choose an agreement whose purpose matches.",
                params={**agreement, "stage": req.stage, "covered": list(a.purpose_stages)},
            )
        )
    if a.categories:
        for asset in gated_assets:
            if asset.kind not in a.categories:
                out.append(
                    Failure(
                        "category",
                        f"{who_ja}の対象情報に「{asset.title}」の種類（{asset.kind}）は含まれていません。",
                        f"The {who} does not cover the category of '{asset.title}' ({asset.kind}).",
                        "対象情報の範囲を広げる覚書を結んでください。",
                        "Amend the definition of confidential information to include it.",
                        asset_id=asset.id,
                        params={**agreement, "title": asset.title, "kind": asset.kind},
                    )
                )
    return out


def _strategy_failures(asset: AssetFacts) -> list[Failure]:
    if asset.strategy == "patent" and not asset.right_filed:
        return [
            Failure(
                "strategy_patent_unfiled",
                f"「{asset.title}」は特許出願の方針ですが、まだ出願されていません。開示すると新規性を失います。",
                f"'{asset.title}' is to be patented but is not filed yet; disclosing it would destroy novelty.",
                "先に出願するか、保護方針を見直してください。",
                "File the application first, or change the strategy.",
                asset_id=asset.id,
                params={"title": asset.title},
            )
        ]
    if asset.strategy == "undecided" and asset.classification == "secret":
        return [
            Failure(
                "strategy_undecided",
                f"「{asset.title}」（極秘）の保護方針が決まっていません。",
                f"No protection strategy has been decided for '{asset.title}' (secret).",
                "開示の前に方針（秘匿・特許・公開）を決めてください。",
                "Decide the strategy (keep secret, patent, publish) before disclosing it.",
                asset_id=asset.id,
                params={"title": asset.title},
            )
        ]
    return []


def _two_person_failures(req: GateRequest, secret: list[AssetFacts]) -> list[Failure]:
    if not secret:
        return []
    titles = "、".join(a.title for a in secret)
    out = []
    if not req.owner_approved:
        out.append(
            Failure(
                "owner_approval",
                f"極秘の情報（{titles}）には代表者（オーナー）の承認が必要です。",
                f"Secret material ({', '.join(a.title for a in secret)}) needs the owner's approval.",
                "オーナーに承認を依頼してください。",
                "Ask an owner to approve it.",
                overridable=False,
                params={"titles": [a.title for a in secret]},
            )
        )
    if not req.second_person_confirmed:
        out.append(
            Failure(
                "second_person",
                "極秘の情報の開示には、承認者とは別の二人目の確認が必要です（二人ルール）。",
                "Secret material needs a second person, other than the approver, to confirm (two-person rule).",
                "別の担当者に確認を依頼してください。",
                "Ask a second person to confirm.",
                overridable=False,
            )
        )
    return out


def _reclassified_failures(lowered: list[AssetFacts]) -> list[Failure]:
    out = []
    for asset in lowered:
        was_ja, was_en = CLASSIFICATION_LABELS.get(
            asset.requested_classification, (asset.requested_classification,) * 2
        )
        now_ja, now_en = CLASSIFICATION_LABELS.get(asset.classification, (asset.classification,) * 2)
        out.append(
            Failure(
                "reclassified_after_request",
                f"「{asset.title}」は開示の申請後に{was_ja}から{now_ja}へ変更されました。この開示には申請時の{was_ja}を適用します。",
                f"'{asset.title}' was reclassified from {was_en} to {now_en} after this disclosure was requested; "
                f"the gate still applies {was_en} to it.",
                "オーナーが理由を添えて例外承認（オーバーライド）するか、新しい分類で改めて申請してください。",
                "An owner may override with a reason, or make a new request under the new classification.",
                asset_id=asset.id,
                params={"title": asset.title, "was": asset.requested_classification, "now": asset.classification},
            )
        )
    return out


def check(req: GateRequest) -> GateResult:
    lowered = [a for a in req.assets if a.lowered]
    if lowered:
        # Judge each asset as it was when requested; the new class is for new requests.
        req = replace(
            req,
            assets=tuple(replace(a, classification=a.requested_classification) if a.lowered else a for a in req.assets),
        )
    gated_assets = [a for a in req.assets if a.classification in GATED]
    secret = [a for a in req.assets if a.classification == "secret"]
    if not gated_assets:
        return GateResult(allowed=True, gated=False, agreement_id=req.agreement_id)
    candidates = [a for a in req.agreements if a.partner_id == req.partner_id]
    chosen_id = req.agreement_id
    failures: list[Failure]
    if req.agreement_id is not None:
        chosen = next((a for a in req.agreements if a.id == req.agreement_id), None)
        if chosen is None:
            failures = [
                Failure(
                    "agreement_missing",
                    "選んだ契約が見つかりません。",
                    "The chosen agreement does not exist.",
                    "相手先の契約から選び直してください。",
                    "Choose one of the partner's agreements.",
                    params={"chosen": True},
                )
            ]
        else:
            failures = _agreement_failures(chosen, req, gated_assets)
    elif not candidates:
        failures = [
            Failure(
                "agreement_missing",
                f"{req.partner_name}との秘密保持契約がありません。",
                f"There is no agreement with {req.partner_name}.",
                "秘密保持契約（NDA）を締結してから開示してください。",
                "Sign an NDA with them before disclosing.",
                params={"partner": req.partner_name},
            )
        ]
    else:
        # The agreement that fails least is the one to talk about (and to use when it passes).
        scored = sorted(
            ((len(_agreement_failures(a, req, gated_assets)), -(a.id or 0), a) for a in candidates),
            key=lambda t: (t[0], t[1]),
        )
        best = scored[0][2]
        chosen_id = best.id
        failures = _agreement_failures(best, req, gated_assets)
    for asset in gated_assets:
        failures += _strategy_failures(asset)
    if failures:
        # Only when the lowering is what would have let it through does it need the owner.
        failures += _reclassified_failures([a for a in lowered if a.requested_classification in GATED])
    hard = _two_person_failures(req, secret)
    waived: list[Failure] = []
    overridden = False
    if failures and req.override_reason.strip() and req.override_by_owner:
        waived, failures, overridden = failures, [], True
    failures += hard
    return GateResult(
        allowed=not failures,
        gated=True,
        agreement_id=chosen_id,
        failures=failures,
        overridden=overridden and not failures,
        waived=waived,
    )
