import factory

from chizai.core.tests.factories import OrganizationFactory
from chizai.register.models import Asset, Holder


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    organization = factory.SubFactory(OrganizationFactory)
    title_ja = factory.Sequence(lambda n: f"切削条件ノウハウ{n}")
    title_en = factory.Sequence(lambda n: f"Cutting know-how {n}")
    kind = Asset.Kind.KNOW_HOW
    classification = Asset.Classification.INTERNAL
    description = "チタン合金の高速切削における工具摩耗対策"


class HolderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Holder

    asset = factory.SubFactory(AssetFactory)
    organization = factory.SelfAttribute("asset.organization")
    name = factory.Sequence(lambda n: f"職人{n}")
