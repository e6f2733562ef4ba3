"""Demo data: a 35-person precision-machining company in Aichi and the people around it.

Idempotent: running it again changes nothing that is already there. Each part of chizai
adds its own demo content through the explicit list in ``PART_LOADERS``.
"""

from __future__ import annotations

import importlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from chizai.core import services
from chizai.core.models import AdvisoryEngagement, Membership, Organization

DEMO_PASSWORD = "chizai-demo-2026"

USERS = [
    # username, display name, role in sample-seiko
    ("owner", "山田 太郎 (代表取締役)", "owner"),
    ("manager", "佐藤 花子 (技術部長)", "manager"),
    ("engineer", "鈴木 一郎 (生産技術)", "engineer"),
    ("viewer", "高橋 美咲 (営業)", "viewer"),
    ("adviser", "中村 健 (知財経営支援専門家)", None),
    ("owner2", "小林 誠 (代表取締役)", None),
]

# "module:function" taking (company, people) — each part adds its demo content here. A part
# whose demo creates organisations of its own lists their slugs in DEMO_ORGANIZATION_SLUGS
# in that module (core reads it through this list; it never imports a part itself).
PART_LOADERS: list[str] = [
    "chizai.register.demo:load_demo",
    "chizai.register.demo_clip:load_demo",
    "chizai.disclosure.demo:load_demo",
    "chizai.advisers.demo:load_demo",
    "chizai.deals.demo:load_demo",
    "chizai.succession.demo:load_demo",
]


class DemoRefused(Exception):
    """Demo data (users with a published password) would land in a real installation."""


def demo_organization_slugs() -> set[str]:
    """The organisations the demo creates: the three here and those the parts' demos add
    (the adviser's extra clients)."""
    slugs = {"sample-seiko", "kobayashi-kanagata", "chubu-ip-support"}
    for path in PART_LOADERS:
        slugs |= set(getattr(importlib.import_module(path.split(":")[0]), "DEMO_ORGANIZATION_SLUGS", ()))
    return slugs


def demo_refusal() -> str | None:
    """Why loading the demo here would be unsafe, or None.

    The demo users all share DEMO_PASSWORD, which is printed in the README: on a production
    tier they would be open doors. A PostgreSQL database that already holds organisations
    other than the demo's is somebody's real data, whatever CHIZAI_PRODUCTION says.
    """
    if getattr(settings, "PRODUCTION", False):
        return (
            "CHIZAI_PRODUCTION=1: the demo creates users whose password is published in the README, "
            "so it is refused on a production installation. Use a separate embedded installation "
            "(CHIZAI_HOME=./demo chizai demo), or pass --force if you really mean it."
        )
    if connection.vendor == "postgresql":
        real = sorted(set(Organization.objects.values_list("slug", flat=True)) - demo_organization_slugs())
        if real:
            shown = ", ".join(real[:5]) + (" …" if len(real) > 5 else "")
            return (
                f"This PostgreSQL database already holds {len(real)} organisation(s) that are not demo data "
                f"({shown}); the demo would add users with a published password beside them. "
                "Refused; pass --force if you really mean it."
            )
    return None


def _user(username: str, display: str):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": display, "email": f"{username}@example.jp"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _org(actor, slug: str, **fields) -> Organization:
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        org = services.create_organization(actor, slug=slug, **fields)
    return org


@transaction.atomic
def load_demo(*, force: bool = False) -> list[str]:
    """Load the demo companies and people; refused where it would be unsafe (``demo_refusal``) unless forced."""
    refusal = None if force else demo_refusal()
    if refusal:
        raise DemoRefused(refusal)
    people = {username: _user(username, display) for username, display, _role in USERS}
    company = _org(
        people["owner"],
        "sample-seiko",
        name_ja="サンプル精工株式会社",
        name_en="Sample Seiko Co., Ltd.",
        industry="精密機械加工",
        size_class=Organization.SizeClass.SMALL,
        prefecture="愛知県",
        corporate_number="1180001000000",
    )
    for username, _display, role in USERS:
        if (
            role
            and role != "owner"
            and not Membership.objects.filter(user=people[username], organization=company).exists()
        ):
            services.add_member(people["owner"], company, people[username], role)

    second = _org(
        people["owner2"],
        "kobayashi-kanagata",
        name_ja="小林金型製作所",
        name_en="Kobayashi Mould Works",
        industry="金型製造",
        size_class=Organization.SizeClass.MICRO,
        prefecture="岐阜県",
    )
    support = _org(
        people["adviser"],
        "chubu-ip-support",
        name_ja="中部知財経営支援センター",
        name_en="Chubu IP Management Support Centre",
        kind=Organization.Kind.SUPPORT,
        industry="知財経営支援",
        prefecture="愛知県",
    )
    for client, owner in ((company, people["owner"]), (second, people["owner2"])):
        if not AdvisoryEngagement.objects.active().filter(organization=client, adviser=people["adviser"]).exists():
            services.grant_engagement(
                owner,
                client,
                people["adviser"],
                adviser_organization=support,
                scope="知財経営診断と契約レビューの支援 / IP management diagnostic and contract review support",
            )
    for path in PART_LOADERS:
        module_name, func_name = path.split(":")
        getattr(importlib.import_module(module_name), func_name)(company, people)
    return login_lines()


def login_lines() -> list[str]:
    """Every demo login with what it can reach, read from the database so parts' users show too."""
    from chizai.core.querysets import roles_by_org

    User = get_user_model()
    lines = []
    for user in User.objects.filter(email__endswith="@example.jp").order_by("date_joined", "pk"):
        if not user.check_password(DEMO_PASSWORD):
            continue
        roles = roles_by_org(user)
        slugs = dict(Organization.objects.filter(pk__in=roles).values_list("pk", "slug"))
        reach = ", ".join(f"{roles[pk]} of {slugs[pk]}" for pk in sorted(slugs, key=lambda k: slugs[k]))
        lines.append(f"{user.username:9s} / {DEMO_PASSWORD} / {reach or 'no organisation'}")
    return lines
