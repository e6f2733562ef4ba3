import factory
from django.contrib.auth import get_user_model

from chizai.core.models import AdvisoryEngagement, Membership, Organization


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.jp")
    password = factory.django.Password("pw-for-tests-123")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    slug = factory.Sequence(lambda n: f"org-{n}")
    name_ja = factory.Sequence(lambda n: f"テスト工業{n}株式会社")
    name_en = factory.Sequence(lambda n: f"Test Kogyo {n}")
    prefecture = "愛知県"
    industry = "machining"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = "owner"


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdvisoryEngagement

    organization = factory.SubFactory(OrganizationFactory)
    adviser = factory.SubFactory(UserFactory)
    granted_by = factory.SubFactory(UserFactory)
