"""Migration 0006: evidence stored in plaintext before it was sealed gets encrypted, and the
plaintext goes once the migration committed."""

from datetime import date
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from chizai.core.tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from chizai.deals import ledger, services
from chizai.deals.models import ContributionEntry
from chizai.disclosure.models import Partner

BEFORE = ("deals", "0005_evidence_sealed_fields")
MARKER = b"PLAINTEXT-EVIDENCE-4d1e load,cycles"


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_plaintext_evidence_is_sealed_and_removed(settings):
    latest = ("deals", MigrationExecutor(connection).loader.graph.leaf_nodes("deals")[0][1])
    org = OrganizationFactory(slug="legacy")
    owner = UserFactory(username="legacy-owner")
    MembershipFactory(organization=org, user=owner, role="owner")
    deal = services.create_deal(
        owner, org, partner=Partner.objects.create(organization=org, name_ja="取引先"), title="旧案件"
    )
    try:
        old = _migrate(BEFORE).get_model("deals", "ContributionEntry")
        plain = default_storage.save("deals/evidence/2026/01/run-3.csv", ContentFile(MARKER))
        common = {
            "organization_id": org.pk,
            "deal_id": deal.pk,
            "party": "ours",
            "kind": "experiments",
            "made_on": date(2026, 1, 5),
            "value": 1,
        }
        kept = old.objects.create(description="試験", evidence_file=plain, **common).pk
        lost = old.objects.create(description="紛失", evidence_file="deals/evidence/2026/01/gone.csv", **common).pk
        bare = old.objects.create(description="なし", **common).pk
    finally:
        _migrate(latest)

    files = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert not default_storage.exists(plain)
    assert files and not any(MARKER in p.read_bytes() for p in files)
    entry = ContributionEntry.objects.get(pk=kept)
    assert (entry.evidence_name, entry.evidence_size) == ("run-3.csv", len(MARKER))
    assert entry.evidence_key_id.startswith("org-")
    assert b"".join(ledger.download_evidence(owner, entry)) == MARKER
    missing = ContributionEntry.objects.get(pk=lost)
    assert not missing.has_evidence_file and "gone.csv" in missing.evidence_note
    assert not ContributionEntry.objects.get(pk=bare).has_evidence_file
