import csv
import io
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from chizai.advisers import prioritisation, priority, services
from chizai.advisers.models import WeightsPublication
from chizai.core.models import AuditEvent
from chizai.core.services import ChizaiError

from .conftest import engage, make_client

KEYS = ["a", "b", "c", "d"]
weight = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
value = st.fractions(min_value=0, max_value=1, max_denominator=100)


@given(
    st.fixed_dictionaries({k: weight for k in KEYS}),
    st.fixed_dictionaries({k: value for k in KEYS}),
    st.sampled_from(KEYS),
    value,
)
def test_score_is_monotone_in_each_criterion(weights, values, key, other):
    low, high = sorted([values[key], other])
    score_low, _ = priority.compute(weights, {**values, key: low})
    score_high, _ = priority.compute(weights, {**values, key: high})
    assert score_low <= score_high
    if weights[key] > 0 and high > low:
        assert score_low < score_high


@given(st.fixed_dictionaries({k: weight for k in KEYS}), st.fixed_dictionaries({k: value for k in KEYS}))
def test_weights_are_applied_exactly_as_published(weights, values):
    score, contributions = priority.compute(weights, values)
    total = sum(Fraction(w) for w in weights.values())
    for c in contributions:
        assert c.weight == Fraction(weights[c.key])
        expected = Fraction(100) * Fraction(weights[c.key]) * values[c.key] / total if total else 0
        assert c.points == expected
    assert score == sum(c.points for c in contributions)
    assert 0 <= score <= 100


def test_negative_weights_are_refused():
    with pytest.raises(ValueError):
        priority.compute({"a": -1}, {"a": 1})


def test_region_counts_outside_the_metropolitan_prefectures():
    assert priority.region_value("岐阜県") == 1 and priority.region_value("東京都") == 0


@pytest.fixture
def published(coordinator, support):
    prioritisation.seed_criteria(coordinator, support)
    return support


def test_weight_changes_are_audited_with_before_and_after(coordinator, published):
    prioritisation.publish_weights(coordinator, published, {"region": "5"}, note="地方重視")
    event = (
        AuditEvent.objects.filter(organization=published, action="advisers.weights.publish").order_by("-seq").first()
    )
    assert event.changes["before"]["region"] == "1.00" and event.changes["after"]["region"] == "5.00"
    assert WeightsPublication.objects.filter(organization=published).first().weights["region"] == "5.00"


def test_only_publishers_change_weights(adviser, coordinator, published):
    with pytest.raises(PermissionDenied):
        prioritisation.publish_weights(adviser, published, {"region": "5"})
    with pytest.raises(ChizaiError):
        prioritisation.publish_weights(coordinator, published, {"region": "-1"})


def test_candidate_scores_use_the_published_weights_and_the_ratings(adviser, coordinator, published, client_org):
    city, city_owner = make_client("city-co", prefecture="東京都")
    engage(city, city_owner, adviser, published)
    prioritisation.rate_client(adviser, published, client_org, {"rd_intensity": 4, "own_technology": 2})
    rows = {r["client"].slug: r for r in prioritisation.candidates(coordinator, published)}
    weights = prioritisation.published_weights(published)
    total = sum(weights.values())
    gifu = {c.key: c for c in rows["client-a"]["contributions"]}
    assert gifu["rd_intensity"].points == Fraction(100) * Fraction(weights["rd_intensity"]) / Fraction(total)
    assert gifu["own_technology"].value == Fraction(1, 2)
    assert gifu["region"].value == 1 and {c.key: c for c in rows["city-co"]["contributions"]}["region"].value == 0
    assert rows["client-a"]["score"] > rows["city-co"]["score"]
    # the weights used are the latest published set, exactly
    prioritisation.publish_weights(coordinator, published, {"rd_intensity": "7.25", "region": "0"}, note="見直し")
    latest = WeightsPublication.objects.filter(organization=published).first().weights
    for row in prioritisation.candidates(coordinator, published):
        assert {
            c.key: f"{Decimal(c.weight.numerator) / Decimal(c.weight.denominator):.2f}" for c in row["contributions"]
        } == latest
        region = {c.key: c for c in row["contributions"]}["region"]
        assert region.points == 0


def test_rating_captures_figures_and_audits_the_read_in_the_client(adviser, published, client_org):
    prioritisation.rate_client(adviser, published, client_org, {})
    assert AuditEvent.objects.filter(
        organization=client_org, action=services.READ, summary__contains="prioritisation"
    ).exists()


def test_rating_a_client_without_engagement_is_refused(adviser, published, stranger_org):
    with pytest.raises(Http404):
        prioritisation.rate_client(adviser, published, stranger_org, {"rd_intensity": 4})


def test_csv_export_lists_every_candidate_with_its_computation(adviser, coordinator, published, client_org):
    web = Client()
    web.force_login(adviser)
    response = web.get(f"/o/{published.slug}/advisers/priorities.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, first = rows[0], rows[1]
    assert header[:5] == ["rank", "client", "prefecture", "industry", "score"]
    assert first[1] == "client-a" and "region points" in header
    points = sum(Decimal(first[header.index(f"{k} points")]) for k in prioritisation.published_weights(published))
    assert abs(points - Decimal(first[4])) < Decimal("0.05")
    assert AuditEvent.objects.filter(organization=published, action="advisers.candidates.export").exists()


def test_priorities_page_shows_the_computation(adviser, published, client_org):
    web = Client()
    web.force_login(adviser)
    body = web.get(f"/o/{published.slug}/advisers/priorities/").content.decode()
    assert 'data-client="client-a"' in body and "地域 (大都市圏外): 1.00 × 1.00" in body
