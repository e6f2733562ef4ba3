"""Demo disclosures for sample-seiko: four partners, agreements in every state, a refused
attempt, an owner's override, an overdue return and watermarked copies.

Idempotent: it does nothing when the demo's first agreement is already there. Uses the
register demo's assets (loaded before it in ``PART_LOADERS``).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from chizai.disclosure import copies as handover, duties, services
from chizai.disclosure.models import Agreement, Partner

PARTNERS = [
    # name_ja, name_en, kind, country, contacts
    (
        "東海オートパーツ株式会社",
        "Tokai Auto Parts Co., Ltd.",
        Partner.Kind.TIER1,
        "日本",
        [
            ("田中 一郎", "調達部", "tanaka@tokai-auto.example.jp"),
            ("伊藤 直子", "技術開発部", "ito@tokai-auto.example.jp"),
        ],
    ),
    (
        "丸栄商事株式会社",
        "Maruei Trading Co., Ltd.",
        Partner.Kind.TRADING,
        "日本",
        [("松本 誠", "機械部", "matsumoto@maruei.example.jp")],
    ),
    (
        "名古屋工科大学 精密加工研究室",
        "Nagoya Institute of Engineering, Precision Machining Lab",
        Partner.Kind.UNIVERSITY,
        "日本",
        [("森 教授", "工学研究科", "mori@nie.example.ac.jp")],
    ),
    (
        "Orion Motors GmbH",
        "Orion Motors GmbH",
        Partner.Kind.CUSTOMER,
        "ドイツ",
        [("Anna Weber", "Purchasing", "a.weber@orion.example.de")],
    ),
]
FIRST_AGREEMENT = "東海オートパーツ 相互秘密保持契約"


def _version(company, title):
    from chizai.register.models import FileVersion

    return FileVersion.objects.filter(organization=company, file__asset__title_ja=title).order_by("-number").first()


def _asset(company, title):
    from chizai.register.models import Asset

    return Asset.objects.filter(organization=company, title_ja=title).first()


def load_demo(company, people) -> None:
    if Agreement.objects.filter(organization=company, title=FIRST_AGREEMENT).exists():
        return
    owner, manager = people["owner"], people["manager"]
    today = timezone.localdate()
    partners = {}
    for name_ja, name_en, kind, country, contacts in PARTNERS:
        partner = Partner.objects.filter(organization=company, name_ja=name_ja).first() or services.create_partner(
            owner,
            company,
            name_ja=name_ja,
            name_en=name_en,
            kind=kind,
            country=country,
            is_large_company=kind != "university",
        )
        for name, department, email in contacts:
            if not partner.contacts.filter(name=name).exists():
                services.add_contact(owner, company, partner.pk, name=name, department=department, email=email)
        partners[kind] = partner
    tier1, trading, lab, oem = (
        partners[k] for k in (Partner.Kind.TIER1, Partner.Kind.TRADING, Partner.Kind.UNIVERSITY, Partner.Kind.CUSTOMER)
    )
    year_ago = today - timedelta(days=365)

    def agreement(partner, **fields):
        return services.create_agreement(owner, company, partner.pk, **fields)[0]

    agreement(
        tier1,
        title=FIRST_AGREEMENT,
        type="NDA",
        direction="mutual",
        status="signed",
        signed_on=year_ago,
        effective_on=year_ago,
        expires_on=today + timedelta(days=365),
        survival_months=36,
        purpose="新型ブラケットの見積及び試作の検討",
        purpose_stages=["inquiry", "quotation", "prototype"],
        permitted_recipients="本目的のために知る必要のある役員及び従業員",
        return_duty="return_or_destroy",
        return_days=30,
        certificate_required=True,
        return_terms="終了時又は請求時に30日以内に返還又は破棄し、証明書を提出",
    )
    agreement(
        tier1,
        title="東海オートパーツ 取引基本契約",
        type="MFG",
        direction="mutual",
        status="signed",
        signed_on=year_ago,
        effective_on=year_ago,
        expires_on=today + timedelta(days=25),
        purpose="部品の継続的な取引",
        purpose_stages=["mass_production", "after_sales"],
        return_duty="return",
    )
    expired = agreement(
        trading,
        title="丸栄商事 秘密保持契約",
        type="NDA",
        direction="outbound",
        status="expired",
        signed_on=today - timedelta(days=800),
        effective_on=today - timedelta(days=800),
        expires_on=today - timedelta(days=70),
        purpose="海外顧客向け見積",
        purpose_stages=["quotation"],
        survival_months=24,
        return_duty="destroy",
    )
    agreement(
        trading,
        title="丸栄商事 旧代理店契約",
        type="LIC",
        direction="outbound",
        status="terminated",
        signed_on=today - timedelta(days=2000),
        effective_on=today - timedelta(days=2000),
        expires_on=today - timedelta(days=900),
    )
    agreement(
        lab,
        title="名古屋工科大学 共同研究契約 (案)",
        type="JRD",
        direction="mutual",
        status="draft",
        decision_due_on=today + timedelta(days=10),
        purpose="難削材の高能率加工の共同研究",
        purpose_stages=["joint_study"],
    )
    agreement(
        oem,
        title="Orion Motors Mutual NDA",
        type="NDA",
        direction="mutual",
        status="negotiating",
        decision_due_on=today + timedelta(days=4),
        purpose="Evaluation of a possible supply of brackets",
        purpose_stages=["inquiry", "quotation"],
    )

    hardening = _version(company, "焼入れ条件表 SCM440")
    versions = [hardening.pk] if hardening else []
    described = [] if hardening else ["焼入れ条件表 SCM440 (紙)"]
    # A hand-over under the signed NDA, with a copy for each recipient.
    ok = services.create_disclosure(
        owner,
        company,
        partner_id=tier1.pk,
        stage="quotation",
        purpose="ブラケット見積の熱処理条件",
        disclosed_on=today - timedelta(days=7),
        version_ids=versions,
        descriptions=described,
        recipients=[
            {"name": "田中 一郎", "email": "tanaka@tokai-auto.example.jp"},
            {"name": "伊藤 直子", "email": "ito@tokai-auto.example.jp"},
        ],
    )
    if versions and ok.status == "disclosed":
        handover.make_copies(owner, company, ok.pk)
    # An older one whose return is overdue.
    services.create_disclosure(
        owner,
        company,
        partner_id=tier1.pk,
        stage="prototype",
        purpose="試作評価",
        disclosed_on=today - timedelta(days=90),
        version_ids=versions,
        descriptions=described,
        recipients=["伊藤 直子"],
        return_due_on=today - timedelta(days=10),
        note="試作評価後に返還予定 / to be returned after the prototype evaluation",
    )
    # Refused: the OEM's NDA is still under negotiation.
    services.create_disclosure(
        manager,
        company,
        partner_id=oem.pk,
        stage="quotation",
        purpose="Quotation for brackets",
        disclosed_on=today,
        version_ids=versions,
        descriptions=described,
        recipients=["Anna Weber"],
    )
    # Overridden by the owner: the trading company's NDA expired; renewal agreed, paper pending.
    refused = services.create_disclosure(
        manager,
        company,
        partner_id=trading.pk,
        agreement_id=expired.pk,
        stage="quotation",
        purpose="海外顧客向け見積",
        disclosed_on=today - timedelta(days=2),
        version_ids=versions,
        descriptions=described,
        recipients=["松本 誠"],
    )
    if refused.status == "refused":
        services.override(
            owner,
            company,
            refused.pk,
            "更新契約は合意済み、押印版は来週到着 / renewal agreed, signed copy arrives next week",
        )
    # A plant visit for the university: internal material only, so no agreement needed.
    sop = _asset(company, "バリ取り作業標準書")
    services.create_disclosure(
        owner,
        company,
        partner_id=lab.pk,
        stage="joint_study",
        purpose="工場見学",
        disclosed_on=today - timedelta(days=20),
        method="plant_visit",
        asset_ids=[sop.pk] if sop else [],
        descriptions=[] if sop else ["バリ取り工程の見学"],
        minutes="第2ラインのバリ取り工程を見学。加工条件の数値は示していない。",
        recipients=["森 教授"],
    )
    duties.sync_obligations(company)
