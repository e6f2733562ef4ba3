"""Demo: a joint development with a tier-1 supplier, in the middle of the negotiation.

Two drafts from the counterparty (the second drops the over-broad purpose), points taken
from the findings with positions and fallbacks, the people on both sides with the
prior consultation half done, a contribution ledger with failed runs, and a worksheet
that prices the prototypes apart from the processing conditions and data. Idempotent:
nothing is added when the deal already exists.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from chizai.deals import ledger, services
from chizai.deals.models import Deal
from chizai.disclosure.models import Partner
from chizai.register.models import Asset

DATA = Path(__file__).with_name("data")
TITLE = "軽量ブラケット精密加工 共同開発"
PARTNER = "大手輸送機器株式会社"


def load_demo(company, people) -> None:
    if Deal.objects.filter(organization=company, title=TITLE).exists():
        return
    manager, owner = people["manager"], people["owner"]
    partner, _created = Partner.objects.get_or_create(
        organization=company,
        name_ja=PARTNER,
        defaults={"name_en": "Major Transport Equipment Co., Ltd.", "kind": Partner.Kind.TIER1, "created_by": owner},
    )
    today = date.today()
    deal = services.create_deal(
        manager,
        company,
        partner=partner,
        title=TITLE,
        kind=Deal.Kind.JOINT_RD,
        stage=Deal.Stage.NEGOTIATING,
        next_meeting=today + timedelta(days=10),
        summary="軽量ブラケットの薄肉加工を共同で開発する。成果の帰属と加工条件の扱いが争点。",
    )
    first = services.add_draft(
        manager,
        deal,
        text=(DATA / "demo_jrd_v1.txt").read_text(encoding="utf-8"),
        filename="共同開発契約書_v1.txt",
        note="先方の初回案",
    )
    services.add_draft(
        manager,
        deal,
        text=(DATA / "demo_jrd_v2.txt").read_text(encoding="utf-8"),
        filename="共同開発契約書_v2.txt",
        note="目的条項を修正した先方の第2案",
    )
    assets = list(
        Asset.objects.filter(
            organization=company,
            title_ja__in=[
                "共同開発 軽量ブラケット 疲労試験データ (不合格)",
                "共同開発 樹脂金型の流動解析",
                "5軸加工の治具段取りノウハウ",
                "薄肉部品の歪み取り手順",
            ],
        )
    )
    deal.assets.add(*assets)
    by_title = {a.title_ja: a for a in assets}
    # whatever the disclosure demo recorded for this partner belongs to the deal as well
    from chizai.disclosure.models import Disclosure

    deal.disclosures.add(*Disclosure.objects.filter(organization=company, partner=partner))

    # the first two high findings get a worked fallback; the rest are left for the user to prepare
    fallbacks = [
        ("対象を本開発の成果に限定し、既存技術は別紙で特定して除外する", "試験データの閲覧を開発期間中に限り認める"),
        ("利用目的を本開発の評価に限り、期間は契約終了後 2 年まで", "評価結果の共有と次回試作の優先見積"),
    ]
    for index, finding in enumerate(first.review.findings if first.review.status == "done" else []):
        point, _new = services.point_from_finding(manager, deal, first.review, index)
        if finding["severity"] == "HIGH" and fallbacks:
            fallback, give = fallbacks.pop(0)
            services.update_point(manager, point, fallback=fallback, give_in_return=give)
    services.add_point(
        manager,
        deal,
        title="成果の帰属（改良を含め全部が先方帰属）",
        clause="第5条",
        our_position="must",
        our_ask="共同成果は貢献度に応じた共有。乙の既存加工条件とその改良は乙に帰属",
        fallback="共有とし、乙の実施は無償。先方単独帰属なら加工条件の対価を別途支払い",
        give_in_return="量産時の優先供給と、先方製品への実施許諾（非独占）",
        counterparty_position="改良を含め一切の成果は当社に帰属させたい",
    )
    acceptance = services.add_point(
        manager,
        deal,
        title="検収基準",
        clause="第6条",
        our_position="preferred",
        our_ask="測定できる合否基準と検収期限",
        fallback="検収期限を 15 営業日とし、期限後はみなし合格",
        counterparty_position="色味の差が目立たないこと。検収は当社の定める基準による",
    )
    services.set_status(
        manager,
        acceptance,
        "agreed",
        agreed_wording="基準色見本に対し ΔE*ab ≦ 1.5。納入後 10 営業日以内に検収し、通知なき場合は合格とみなす",
    )
    payment = services.add_point(
        manager,
        deal,
        title="試作費の負担",
        clause="第3条",
        our_position="tradeable",
        our_ask="試作費は甲の負担",
        counterparty_position="各自負担",
    )
    services.set_status(manager, payment, "parked")

    president = services.add_stakeholder(
        manager, deal, side="ours", name="山田 太郎", role="代表取締役", stance="champion", influence="high"
    )
    services.add_stakeholder(
        manager, deal, side="ours", name="佐藤 花子", role="技術部長（交渉窓口）", stance="supportive", influence="high"
    )
    buyer = services.add_stakeholder(
        manager,
        deal,
        side="theirs",
        name="井上 部長",
        role="調達部 部長",
        stance="sceptical",
        influence="high",
        consult_before_meeting=True,
    )
    developer = services.add_stakeholder(
        manager,
        deal,
        side="theirs",
        name="森 課長",
        role="開発部 課長",
        stance="champion",
        influence="medium",
        consult_before_meeting=True,
    )
    services.add_stakeholder(
        manager,
        deal,
        side="theirs",
        name="石田 主任",
        role="知的財産部 担当",
        stance="neutral",
        influence="medium",
        consult_before_meeting=True,
    )
    visit = services.log_contact(
        manager,
        deal,
        kind="visit",
        held_on=today - timedelta(days=12),
        stakeholders=[developer, president],
        said="森課長が工場見学。加工条件は開示しない前提で試作を進めることに理解を得た。帰属は調達部と要相談とのこと。",
        consulted=True,
        followups=[
            {"text": "試験データの開示範囲（概要のみ）を書面で送る", "owner": "佐藤"},
            {"text": "貢献度の重み案を作って森課長に事前共有", "owner": "佐藤", "due_on": today + timedelta(days=5)},
        ],
    )
    services.set_followup_done(manager, visit.followups.order_by("pk")[0])
    services.log_contact(
        manager,
        deal,
        kind="call",
        held_on=today - timedelta(days=3),
        stakeholders=[buyer],
        said="井上部長：成果は全部当社帰属が社内ルール。例外には知財部の了解が要る。",
        followups=[{"text": "知財部 石田主任への事前説明を設定", "owner": "山田", "due_on": today + timedelta(days=7)}],
    )

    entries = [
        ("ours", "hours", 60, "試作・条件出し 320 時間", 1_920_000, "320 h × ¥6,000（社内標準賃率）", False, None),
        (
            "ours",
            "experiments",
            40,
            "疲労試験 3 回（2 回不合格）",
            850_000,
            "試験片・外注試験費の実費",
            True,
            "共同開発 軽量ブラケット 疲労試験データ (不合格)",
        ),
        (
            "ours",
            "background_ip",
            90,
            "5 軸加工の治具段取り（既存ノウハウ）",
            3_000_000,
            "社内評価額",
            False,
            "5軸加工の治具段取りノウハウ",
        ),
        ("ours", "ideas", 30, "一体成形治具の着想", 1_000_000, "双方の技術者の合意による評価", False, None),
        ("theirs", "money", 75, "開発費の支払", 4_000_000, "契約金額", False, None),
        ("theirs", "equipment", 50, "疲労試験機の貸与", 1_200_000, "貸与期間の償却相当額", False, None),
        ("theirs", "materials", 45, "材料（アルミ合金板）の支給", 300_000, "支給材料の購入価格", False, None),
    ]
    for party, kind, days_ago, description, value, basis, failed, asset_title in entries:
        ledger.add_contribution(
            manager,
            deal,
            party=party,
            kind=kind,
            made_on=today - timedelta(days=days_ago),
            description=description,
            value=value,
            valuation_basis=basis,
            failed_run=failed,
            evidence_asset=by_title.get(asset_title) if asset_title else None,
        )
    ledger.set_weights(manager, deal, {"ideas": "1.5", "background_ip": "1.2"}, agreed=False)

    items = [
        dict(
            category="goods",
            item_kind="product",
            title="試作品（軽量ブラケット）",
            method="price",
            quantity=Decimal(20),
            unit_price=Decimal(38_500),
            assumptions="材料支給、検査成績書付き",
        ),
        dict(
            category="goods",
            item_kind="product",
            title="専用治具",
            method="lump_sum",
            amount_yen=Decimal(450_000),
            assumptions="治具の所有権は乙に残る",
        ),
        dict(
            category="knowledge",
            item_kind="licence",
            title="薄肉加工条件の実施許諾（非独占）",
            method="royalty",
            rate_percent=Decimal("2.5"),
            base_yen=Decimal(120_000_000),
            rate_basis="特許庁・実施料率調査の機械分野の中央値（約 3 %）を参考に、非独占のため 2.5 %",
            assumptions="基準額は量産 5 年間の対象部品売上見込み。条件そのものは開示せず、乙の加工で実施",
        ),
        dict(
            category="knowledge",
            item_kind="data",
            title="疲労試験データ一式（不合格データを含む）",
            method="cost",
            cost_yen=Decimal(2_400_000),
            margin_percent=Decimal(20),
            assumptions="試験の実費に管理費 20 %",
        ),
        dict(
            category="knowledge",
            item_kind="know_how",
            title="量産立ち上げの工程設計助言",
            method="savings",
            savings_yen=Decimal(8_000_000),
            share_percent=Decimal(30),
            assumptions="先方の量産準備費削減見込みの 30 %",
        ),
        dict(
            category="knowledge",
            item_kind="right",
            title="既存特許（クランプ機構）の譲渡",
            method="none",
            included=False,
            assumptions="本取引には含まない",
        ),
    ]
    for item in items:
        services.add_item(manager, deal, **item)
