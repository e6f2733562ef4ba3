"""The demo register: idempotent, with the retiring veteran and the failed joint test."""

from datetime import date

from chizai.core.tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from chizai.register import demo, risk
from chizai.register.models import Asset, FileVersion


def test_demo_register_is_idempotent_and_tells_its_story(db):
    company = OrganizationFactory(slug="sample-seiko")
    owner = MembershipFactory(organization=company, role="owner", user=UserFactory(username="owner")).user
    engineer = MembershipFactory(organization=company, role="engineer", user=UserFactory(username="engineer")).user
    people = {"owner": owner, "engineer": engineer}
    demo.load_demo(company, people)
    count, files = Asset.objects.count(), FileVersion.objects.count()
    demo.load_demo(company, people)
    assert (Asset.objects.count(), FileVersion.objects.count()) == (count, files)
    assert 35 <= count <= 45 and files >= 5

    veteran_only = [
        a
        for a in Asset.objects.prefetch_related("holders")
        if [h.name for h in a.holders.all()] == [demo.VETERAN] and a.business_value == "high"
    ]
    assert len(veteran_only) == 3
    assert all(risk.succession_risk(a).level == "high" for a in veteran_only)
    assert all(h.leaves_on.year == date.today().year + 1 for a in veteran_only for h in a.holders.all())
    failed = Asset.objects.get(failed_result=True)
    assert failed.origin == "joint" and failed.partner_name and failed.files.exists()
