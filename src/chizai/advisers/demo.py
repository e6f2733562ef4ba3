"""Demo content of the adviser workspace: the demo adviser (中村 健, chubu-ip-support) with
five client firms in three prefectures at different maturity, and one diagnostic repeated
six months later to show progress. Idempotent: a client that already has an engagement
record is left as it is.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from chizai.advisers import diagnostic as diag, prioritisation
from chizai.advisers import services
from chizai.advisers.models import EngagementRecord, SupportProgramme
from chizai.core import services as core_services
from chizai.core.demo import DEMO_PASSWORD
from chizai.core.models import AdvisoryEngagement, Organization

# slug, name ja, name en, prefecture, industry, size, owner user name, owner display name
NEW_CLIENTS = [
    (
        "ise-koki",
        "伊勢工機株式会社",
        "Ise Koki Co., Ltd.",
        "三重県",
        "産業機械 (industrial machinery)",
        "medium",
        "owner3",
        "伊藤 大輔 (代表取締役)",
    ),
    (
        "tajimi-ceramics",
        "多治見ファインセラミックス株式会社",
        "Tajimi Fine Ceramics Co., Ltd.",
        "岐阜県",
        "ファインセラミックス (fine ceramics)",
        "small",
        "owner4",
        "加藤 由美 (代表取締役)",
    ),
    (
        "toyohashi-jushi",
        "豊橋樹脂工業所",
        "Toyohashi Resin Works",
        "愛知県",
        "樹脂成形 (plastic moulding)",
        "micro",
        "owner5",
        "松本 修 (代表)",
    ),
]
#: read by core.demo.demo_organization_slugs (the demo guard)
DEMO_ORGANIZATION_SLUGS = tuple(client[0] for client in NEW_CLIENTS)

# client slug -> (maturity 0..4 now, maturity six months ago or None, ratings per criterion)
MATURITY = {
    "sample-seiko": (3, 1, {"rd_intensity": 3, "own_technology": 4, "overseas": 2, "financing": 1}),
    "kobayashi-kanagata": (1, None, {"rd_intensity": 1, "own_technology": 3, "overseas": 0, "financing": 3}),
    "ise-koki": (2, None, {"rd_intensity": 2, "own_technology": 2, "overseas": 4, "financing": 2}),
    "tajimi-ceramics": (3, None, {"rd_intensity": 4, "own_technology": 4, "overseas": 3, "financing": 4}),
    "toyohashi-jushi": (0, None, {"rd_intensity": 0, "own_technology": 1, "overseas": 0, "financing": 1}),
}


def _answers(maturity: int) -> dict:
    """Deterministic answers around a maturity level, some areas stronger than others."""
    result = {}
    for index, qid in enumerate(sorted(diag.questions())):
        level = max(0, min(diag.MAX_LEVEL, maturity + (index % 3) - 1))
        result[qid] = {"value": level, "evidence": "聞き取りと書類の確認 / interview and documents"}
    return result


def _client(people, slug, name_ja, name_en, prefecture, industry, size, owner_name, owner_display):
    User = get_user_model()
    owner, created = User.objects.get_or_create(
        username=owner_name, defaults={"first_name": owner_display, "email": f"{owner_name}@example.jp"}
    )
    if created:
        owner.set_password(DEMO_PASSWORD)
        owner.save()
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        org = core_services.create_organization(
            owner,
            slug=slug,
            name_ja=name_ja,
            name_en=name_en,
            prefecture=prefecture,
            industry=industry,
            size_class=size,
        )
    return org, owner


def _follow_up(adviser, client, maturity: int, earlier: int | None, today):
    start = today - timedelta(days=200)
    services.save_engagement_record(
        adviser,
        client,
        scope="知財経営診断と社内体制づくりの伴走 / diagnostic and coaching",
        started_on=start,
        ended_on=None,
        hours_planned=Decimal(24 + 6 * maturity),
        topics="棚卸し, 秘密管理, NDA, 契約確認",
    )
    for days_ago, summary in (
        (190, "初回訪問: 現状の聞き取り / first visit"),
        (100, "棚卸しの進み具合の確認 / inventory check"),
        (12, "診断結果の説明 / diagnostic results"),
    ):
        services.log_visit(
            adviser,
            client,
            visited_on=today - timedelta(days=days_ago),
            kind="visit",
            hours=Decimal("2.0"),
            summary=summary,
            next_contact_on=today + timedelta(days=21) if days_ago == 12 else None,
        )
    done = services.add_action(
        adviser,
        client,
        title="知的資産の一覧を作る / list the know-how",
        side="client",
        due_on=start + timedelta(days=60),
    )
    if maturity >= 1:
        services.set_action_status(adviser, client, done, "done")
    services.add_action(
        adviser,
        client,
        title="秘密区分の規程を決める / decide classification rules",
        side="client",
        due_on=today + timedelta(days=30) if maturity >= 2 else today - timedelta(days=14),
    )
    services.add_action(
        adviser,
        client,
        title="NDA雛形を用意する / prepare NDA templates",
        side="adviser",
        due_on=today + timedelta(days=10),
    )
    for index, skill in enumerate(services.SKILLS):
        first = max(0, min(2, (maturity - 2 + index % 2) if earlier is not None else 0))
        services.note_skill(adviser, client, skill=skill, level=first, noted_on=start)
        services.note_skill(
            adviser,
            client,
            skill=skill,
            level=max(first, min(2, (maturity + index % 3) // 2)),
            noted_on=today - timedelta(days=12),
        )


def load_demo(company, people) -> None:
    adviser = people["adviser"]
    support = Organization.objects.get(slug="chubu-ip-support")
    today = timezone.localdate()
    clients = {company.slug: company}
    kobayashi = Organization.objects.filter(slug="kobayashi-kanagata").first()
    if kobayashi:
        clients[kobayashi.slug] = kobayashi
    for row in NEW_CLIENTS:
        org, owner = _client(people, *row)
        clients[org.slug] = org
        if not AdvisoryEngagement.objects.active().filter(organization=org, adviser=adviser).exists():
            core_services.grant_engagement(
                owner,
                org,
                adviser,
                adviser_organization=support,
                scope="知財経営診断と伴走支援 / IP management diagnostic and coaching",
            )
    prioritisation.seed_criteria(adviser, support)
    if not SupportProgramme.objects.filter(organization=support).exists():
        services.seed_directory(adviser, support)
    timestamp = SupportProgramme.objects.get(organization=support, key="inpit-timestamp")
    consultation = SupportProgramme.objects.get(organization=support, key="inpit-consultation")
    for slug, (maturity, earlier, ratings) in MATURITY.items():
        client = clients.get(slug)
        if client is None or EngagementRecord.objects.filter(organization=client).exists():
            continue
        _follow_up(adviser, client, maturity, earlier, today)
        if earlier is not None:
            first = services.start_diagnostic(adviser, client)
            services.save_diagnostic(
                adviser,
                client,
                first,
                answers=_answers(earlier),
                final=True,
                conducted_on=today - timedelta(days=190),
                notes="初回診断 / first diagnostic",
            )
        item = services.start_diagnostic(adviser, client)
        services.save_diagnostic(
            adviser,
            client,
            item,
            answers={**_answers(maturity), **item.answers},
            final=True,
            conducted_on=today - timedelta(days=12),
            notes="秘密管理と契約確認が定着しつつある / secrecy and contract checks taking hold",
        )
        referral = services.refer(
            adviser,
            client,
            programme=timestamp if maturity >= 2 else consultation,
            reason="図面と加工条件の日付を残す / keep dates of drawings",
        )
        if maturity >= 2:
            services.set_referral_outcome(adviser, client, referral, outcome="helped", note="利用開始 / in use")
        prioritisation.rate_client(adviser, support, client, ratings)
