"""R5: the suggestions the reviewer pre-fills on an agreement (they quote the contract) are
sealed in the database, and still read back in the services, pages and API; migration 0004
seals old rows."""

from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from chizai.core import services as core_services
from chizai.core.services import ChizaiError
from chizai.disclosure import services
from chizai.disclosure.models import Agreement
from chizai.register import atrest
from chizai.register.tests.test_at_rest import leaked

# JSON columns store Japanese as \u escapes, so the ASCII part is what a plaintext copy would show.
ASCII = "ZqxSuggestedPurpose"
MARKER = "鱈試作条件" + ASCII
NDA_TEXT = (
    (Path(__file__).parent / "nda_ja.txt")
    .read_text("utf-8")
    .replace("見積及び試作の検討", "見積及び試作の検討" + MARKER)
)


@pytest.fixture
def marked(org, owner, partner):
    agreement, _ = services.create_agreement(
        owner, org, partner.pk, title="NDA draft", type="NDA", status="negotiating"
    )
    agreement = services.attach_file(owner, org, agreement.pk, filename="nda.txt", data=NDA_TEXT.encode("utf-8"))
    assert MARKER in agreement.suggestions["purpose"]["value"]
    return agreement


def test_suggestions_are_not_in_the_database(marked):
    assert MARKER in Agreement.objects.get(pk=marked.pk).suggestions["purpose"]["value"]
    assert leaked([MARKER, ASCII]) == []


def test_sealed_suggestions_read_back_in_pages_and_api(client, org, owner, marked):
    client.force_login(owner)
    page = client.get(f"/o/{org.slug}/disclosure/agreements/{marked.pk}/").content.decode()
    assert MARKER in page
    _token, secret = core_services.create_api_token(owner, name="t")
    body = client.get(
        f"/api/orgs/{org.slug}/disclosure/agreements/{marked.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}"
    ).json()
    assert MARKER in body["suggestions"]["purpose"]["value"]
    listed = client.get(f"/api/orgs/{org.slug}/disclosure/agreements", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert MARKER in [a for a in listed if a["id"] == marked.pk][0]["suggestions"]["purpose"]["value"]


def test_suggestions_filled_later_are_sealed_and_empty_reads_as_a_dict(org, owner, partner, monkeypatch):
    import chizai.review.services as review_services
    from chizai.core import jobs

    monkeypatch.setattr(review_services, "INLINE_LIMIT_CHARS", 10)  # the review runs in the background
    agreement, _ = services.create_agreement(owner, org, partner.pk, title="NDA long", type="NDA")
    assert Agreement.objects.get(pk=agreement.pk).suggestions == {}
    agreement = services.attach_file(owner, org, agreement.pk, filename="nda.txt", data=NDA_TEXT.encode("utf-8"))
    assert agreement.suggestions == {}
    jobs.execute(agreement.review.job_id)
    services.refresh_suggestions(owner, org, agreement.pk)
    assert MARKER in Agreement.objects.get(pk=agreement.pk).suggestions["purpose"]["value"]
    assert leaked([MARKER, ASCII]) == []


def test_suggestions_sealed_for_another_place_do_not_open(org, marked):
    Agreement.objects.filter(pk=marked.pk).update(suggestions_sealed=marked.review.report_sealed)
    with pytest.raises(ChizaiError):
        _ = Agreement.objects.get(pk=marked.pk).suggestions
    Agreement.objects.filter(pk=marked.pk).update(**atrest.sealed_columns(Agreement, org, suggestions={"a": 1}))
    assert Agreement.objects.get(pk=marked.pk).suggestions == {"a": 1}


BEFORE = ("disclosure", "0003_item_requested_classification")


@pytest.mark.django_db(transaction=True)
def test_migration_seals_existing_suggestions(org, owner, partner):
    latest = [("disclosure", MigrationExecutor(connection).loader.graph.leaf_nodes("disclosure")[0][1])]
    agreement, _ = services.create_agreement(owner, org, partner.pk, title="旧契約", type="NDA")
    bare, _ = services.create_agreement(owner, org, partner.pk, title="空", type="NDA")
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([BEFORE])
        old = executor.loader.project_state([BEFORE]).apps.get_model("disclosure", "Agreement")
        old.objects.filter(pk=agreement.pk).update(suggestions={"purpose": {"value": MARKER, "source": "第1条"}})
        assert leaked([MARKER, ASCII])  # the old column held it in plaintext
    finally:
        MigrationExecutor(connection).migrate(latest)
    assert Agreement.objects.get(pk=agreement.pk).suggestions == {"purpose": {"value": MARKER, "source": "第1条"}}
    assert Agreement.objects.get(pk=bare.pk).suggestions == {}
    assert leaked([MARKER, ASCII]) == []  # 0005 purged the freed pages too
