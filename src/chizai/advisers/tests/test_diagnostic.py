import io
from datetime import date

import pytest
from django.utils import translation
from django.test import Client
from pypdf import PdfReader

from chizai.advisers import diagnostic as diag
from chizai.advisers import services
from chizai.advisers.models import Diagnostic
from chizai.core.services import ChizaiError


def test_catalogue_covers_the_ten_areas_with_bilingual_questions():
    ids = [a["id"] for a in diag.areas()]
    assert ids == [
        "inventory",
        "classification",
        "secrecy",
        "nda",
        "contracts",
        "strategy",
        "evidence",
        "succession",
        "financing",
        "overseas",
    ]
    for area in diag.areas():
        assert area["ja"] and area["en"] and len(area["questions"]) >= 3
        for q in area["questions"]:
            assert q["ja"] and q["en"]
            assert q.get("prefill") in (None, *diag.PREFILLS)


def test_area_score_is_mean_level_scaled_and_unanswered_areas_stay_empty():
    answers = {"inventory.listed": {"value": 4}, "inventory.owner": {"value": 2}, "secrecy.access": {"value": 1}}
    scores, overall = diag.score(diag.clean_answers(answers))
    assert scores["inventory"] == 75  # (4 + 2) / (2 × 4)
    assert scores["secrecy"] == 25
    assert scores["overseas"] is None
    assert overall == 50  # mean of the two scored areas


def test_levels_outside_the_scale_are_refused_and_unknown_questions_dropped():
    with pytest.raises(ValueError):
        diag.clean_answers({"inventory.listed": {"value": 5}})
    assert diag.clean_answers({"no.such": {"value": 2}, "inventory.owner": {"value": ""}}) == {}


def test_prefill_is_empty_without_data_and_uses_reviews_when_there_are_some(client_org):
    assert "contracts.read" not in diag.prefill(client_org)
    from chizai.review.models import ContractReview

    for i in range(3):
        ContractReview.objects.create(
            organization=client_org,
            title=f"NDA {i}",
            filename="a.txt",
            content_sha256=str(i),
            status="done",
            high_count=1,
            medium_count=1,
        )
    with translation.override("en"):
        proposal = diag.prefill(client_org)["contracts.read"]
    assert proposal["prefilled"] and proposal["value"] == 2
    assert "3 contracts reviewed" in proposal["evidence"] and "6 high/medium" in proposal["evidence"]
    # the proposed evidence is written in the adviser's language, like the rest of the page
    with translation.override("ja"):
        proposal = diag.prefill(client_org)["contracts.read"]
    assert "3 件をレビュー済み" in proposal["evidence"] and "reviewed" not in proposal["evidence"]


def test_saving_scores_the_answers_and_a_final_diagnostic_cannot_change(adviser, client_org):
    item = services.start_diagnostic(adviser, client_org)
    answers = {qid: {"value": 2, "evidence": "聞き取り"} for qid in diag.questions()}
    services.save_diagnostic(adviser, client_org, item, answers=answers, final=True)
    item.refresh_from_db()
    assert item.status == "final" and item.overall == 50 and set(item.scores.values()) == {50}
    with pytest.raises(ChizaiError):
        services.save_diagnostic(adviser, client_org, item, answers=answers)


def test_radar_svg_escapes_labels_and_draws_both_runs():
    svg = diag.radar_svg({"inventory": 100}, {"inventory": 50}, lang="en")
    assert svg.startswith("<svg") and 'class="current"' in svg and 'class="previous"' in svg
    assert "Inventory of know-how and IP" in svg
    points = diag.radar_points([100, 0, 0, 0], 100, 100, 50)
    assert points[0] == (100.0, 50.0)  # first axis points straight up, full length


def _finals(adviser, client_org, first_level, second_level):
    first = services.start_diagnostic(adviser, client_org)
    services.save_diagnostic(
        adviser,
        client_org,
        first,
        conducted_on=date(2026, 1, 15),
        final=True,
        answers={q: {"value": first_level} for q in diag.questions()},
    )
    second = services.start_diagnostic(adviser, client_org)
    services.save_diagnostic(
        adviser,
        client_org,
        second,
        conducted_on=date(2026, 7, 15),
        final=True,
        notes="改善が進んだ / clear progress",
        answers={q: {"value": second_level, "evidence": "規程を確認"} for q in diag.questions()},
    )
    return first, second


def test_repeated_diagnostic_shows_the_previous_one(adviser, client_org):
    first, second = _finals(adviser, client_org, 1, 3)
    item, previous = services.read_diagnostic(adviser, client_org, second.pk)
    assert previous == first
    web = Client()
    web.force_login(adviser)
    body = web.get(
        f"/o/{client_org.slug}/advisers/diagnostics/{second.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert 'id="overall">75<' in body and "2026-01-15: 25" in body


def test_pdf_report_is_bilingual_with_the_japanese_font_embedded(adviser, client_org):
    _first, second = _finals(adviser, client_org, 1, 3)
    data = services.export_diagnostic_pdf(adviser, client_org, second.pk)
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "IP management diagnostic report" in text and "知財経営診断" in text
    assert "Secrecy measures" in text and "秘密管理措置" in text
    assert "規程を確認" in text
    fonts = {str(f) for page in reader.pages for f in (page["/Resources"].get("/Font") or {}).values()}
    assert reader.pages[0]["/Resources"]["/Font"]
    assert b"IPAexGothic" in data, fonts


def test_web_flow_start_answer_finalise(adviser, client_org):
    web = Client()
    web.force_login(adviser)
    response = web.post(f"/o/{client_org.slug}/advisers/diagnostics/new/")
    item = Diagnostic.objects.get(organization=client_org)
    assert response.status_code == 302 and response["Location"].endswith(f"/diagnostics/{item.pk}/")
    web.post(
        f"/o/{client_org.slug}/advisers/diagnostics/{item.pk}/save/",
        {"q-inventory.listed": "4", "e-inventory.listed": "台帳あり", "final": "1"},
    )
    item.refresh_from_db()
    assert item.status == "final" and item.scores["inventory"] == 100
    assert item.answers["inventory.listed"]["evidence"] == "台帳あり"
