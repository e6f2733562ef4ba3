"""R8 in the adviser workspace: a posted id that is not a number answers 404, never a 500;
text fields refuse control characters and keep within the model's limits."""

from django.test import Client

from chizai.advisers import diagnostic as diag
from chizai.advisers import prioritisation, services
from chizai.advisers.models import ActionItem


def _web(adviser):
    web = Client(HTTP_ACCEPT_LANGUAGE="en")
    web.force_login(adviser)
    return web


def test_action_status_with_a_non_numeric_item_answers_404(adviser, client_org):
    web = _web(adviser)
    base = f"/o/{client_org.slug}/advisers/workspace/"
    for item in ("abc", "1.5", "99999999999999999999999", ""):
        assert web.post(base + "actions/status/", {"item": item, "status": "done"}).status_code == 404, item


def test_action_title_with_a_control_character_or_too_long_is_refused(adviser, client_org):
    web = _web(adviser)
    base = f"/o/{client_org.slug}/advisers/workspace/"
    for title in ("棚卸し\x08表", "x" * 301):
        page = web.post(base + "actions/", {"title": title, "side": "client"}, follow=True)
        assert page.status_code == 200
    assert not ActionItem.objects.exists()
    page = web.post(base + "actions/", {"title": "棚卸し\x08表", "side": "client"}, follow=True)
    assert "control character" in page.content.decode()


def test_rating_that_is_not_a_number_gets_a_message(adviser, coordinator, support, client_org):
    prioritisation.seed_criteria(coordinator, support)
    web = _web(adviser)
    page = web.post(
        f"/o/{support.slug}/advisers/priorities/rate/",
        {"client": client_org.slug, "r-rd_intensity": "abc"},
        follow=True,
    )
    assert page.status_code == 200 and "Enter whole numbers for the ratings." in page.content.decode()


def test_diagnostic_evidence_with_a_control_character_is_refused(adviser, client_org):
    item = services.start_diagnostic(adviser, client_org)
    before = dict(item.answers)
    qid = next(iter(diag.questions()))
    web = _web(adviser)
    page = web.post(
        f"/o/{client_org.slug}/advisers/diagnostics/{item.pk}/save/",
        {f"q-{qid}": "2", f"e-{qid}": "証拠\x00", "notes": "メモ"},
        follow=True,
    )
    assert page.status_code == 200 and "control character" in page.content.decode()
    item.refresh_from_db()
    assert item.notes == "" and item.answers == before
