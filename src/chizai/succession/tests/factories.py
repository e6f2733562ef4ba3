import factory

from chizai.core.tests.factories import OrganizationFactory
from chizai.register.tests.factories import AssetFactory
from chizai.succession.models import Person, Skill, SkillLevel


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"作業者{n}")


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill

    asset = factory.SubFactory(AssetFactory)
    organization = factory.SelfAttribute("asset.organization")


class SkillLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SkillLevel

    skill = factory.SubFactory(SkillFactory)
    organization = factory.SelfAttribute("skill.organization")
    person = factory.SubFactory(PersonFactory, organization=factory.SelfAttribute("..organization"))
    level = 2
