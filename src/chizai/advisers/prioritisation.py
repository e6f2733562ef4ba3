"""Transparent prioritisation: criteria and weights that the support organisation publishes,
each client's rating, and the candidate list with every criterion's contribution shown.
The score itself is the pure function in ``priority.py``."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from chizai.advisers import figures, priority
from chizai.advisers.models import (
    PriorityCriterion,
    PriorityRating,
    WeightsPublication,
)
from chizai.core import audit, exports
from chizai.core.models import AdvisoryEngagement, Organization
from chizai.core.services import ChizaiError
from chizai.advisers.services import engagements_of, record_read, require_support


# --- transparent prioritisation ----------------------------------------------------------------


def criteria(support: Organization) -> list[PriorityCriterion]:
    return list(PriorityCriterion.objects.filter(organization=support))


def published_weights(support: Organization) -> dict[str, Decimal]:
    return {c.key: c.weight for c in criteria(support)}


@transaction.atomic
def seed_criteria(actor, support: Organization) -> list[PriorityCriterion]:
    """Create the default criteria once, so a new support organisation starts from a documented set."""
    require_support(actor, support, "publish")
    if not PriorityCriterion.objects.filter(organization=support).exists():
        for position, (key, label_ja, label_en, source, weight) in enumerate(priority.DEFAULT_CRITERIA):
            PriorityCriterion.objects.create(
                organization=support,
                key=key,
                label_ja=label_ja,
                label_en=label_en,
                source=source,
                weight=weight,
                position=position,
            )
        publish_weights(
            actor, support, {k: w for k, _ja, _en, _s, w in priority.DEFAULT_CRITERIA}, note="default criteria"
        )
    return criteria(support)


@transaction.atomic
def publish_weights(actor, support: Organization, weights: dict, note: str = "") -> WeightsPublication:
    """Change the weights; the old and new set are in the audit chain and kept as a publication."""
    require_support(actor, support, "publish")
    current = {c.key: c for c in PriorityCriterion.objects.select_for_update().filter(organization=support)}
    unknown = set(weights) - set(current)
    if unknown:
        raise ChizaiError(_("Unknown criteria: %(keys)s") % {"keys": ", ".join(sorted(unknown))})
    new = {}
    for key, value in weights.items():
        value = Decimal(str(value)).quantize(Decimal("0.01"))
        if value < 0:
            raise ChizaiError(_("A weight cannot be negative."))
        new[key] = value
    before = {key: str(c.weight) for key, c in current.items()}
    for key, value in new.items():
        current[key].weight = value
        current[key].save(update_fields=["weight"])
    after = {key: str(c.weight) for key, c in current.items()}
    publication = WeightsPublication.objects.create(
        organization=support, weights=after, published_by=actor, note=note[:300]
    )
    audit.record(
        actor,
        support,
        "advisers.weights.publish",
        obj=publication,
        summary="prioritisation weights published",
        data={},
        changes={"before": before, "after": after},
    )
    return publication


def client_values(support: Organization, client: Organization, rating: PriorityRating | None) -> dict:
    """Each criterion's value 0..1 for one client, from the rating, the region or a captured figure."""
    stored = rating.values if rating else {}
    values: dict[str, object] = {}
    for criterion in criteria(support):
        if criterion.source == "region":
            values[criterion.key] = priority.region_value(client.prefecture)
        elif criterion.source.startswith("figure:"):
            values[criterion.key] = priority.figure_value(stored.get(criterion.key))
        else:
            values[criterion.key] = priority.rating_value(stored.get(criterion.key, 0))
    return values


@transaction.atomic
def rate_client(actor, support: Organization, client: Organization, ratings: dict) -> PriorityRating:
    """The adviser rates a client 0..4 per rating criterion; figure criteria are captured now.

    Capturing a figure reads client data, so it needs an active engagement and is audited
    in the client's chain; the rating itself is the support organisation's record.
    """
    require_support(actor, support, "work")
    if client not in [e.organization for e in engagements_of(actor, support)]:
        raise Http404
    values: dict[str, object] = {}
    for criterion in criteria(support):
        if criterion.source == "rating":
            values[criterion.key] = max(0, min(priority.RATING_MAX, int(ratings.get(criterion.key, 0) or 0)))
        elif criterion.source.startswith("figure:"):
            spec = figures.BY_KEY.get(criterion.source.split(":", 1)[1])
            values[criterion.key] = spec.func(client) if spec else None
    read = [c.source for c in criteria(support) if c.source.startswith("figure:")]
    record_read(
        actor,
        client,
        "figures for prioritisation (" + ", ".join(read) + ")",
        data={"variant": "prioritisation", "n": len(read)},
    )
    rating, _created = PriorityRating.objects.get_or_create(organization=support, client=client)
    before = rating.values
    rating.values, rating.rated_by = values, actor
    rating.save()
    audit.record(
        actor,
        support,
        "advisers.rating.save",
        obj=rating,
        summary=f"rating of {client.slug}",
        data={"slug": client.slug},
        changes={"before": before, "after": values},
    )
    return rating


def candidate_clients(support: Organization):
    """Clients that engaged this support organisation (active now) — the candidates for priority."""
    ids = (
        AdvisoryEngagement.objects.active()
        .filter(adviser_organization=support)
        .values_list("organization_id", flat=True)
    )
    return Organization.objects.filter(pk__in=ids, is_active=True, kind=Organization.Kind.COMPANY)


def candidates(actor, support: Organization) -> list[dict]:
    """Every candidate with its score and per-criterion contributions, highest score first.

    Uses only the support organisation's own ratings and the client's public profile
    (prefecture), so members without an engagement can see the published ranking.
    """
    require_support(actor, support, "work", "view")
    weights = published_weights(support)
    ratings = {r.client_id: r for r in PriorityRating.objects.filter(organization=support)}
    all_criteria = criteria(support)
    labels = {c.key: str(c) for c in all_criteria}
    rows = []
    for client in candidate_clients(support):
        rating = ratings.get(client.pk)
        values = client_values(support, client, rating)
        total, contributions = priority.compute(weights, values)
        rows.append(
            {
                "client": client,
                "score": total,
                "contributions": contributions,
                "rating": rating,
                "parts": [(labels[c.key], c) for c in contributions],
                "rating_fields": [
                    (c, int((rating.values if rating else {}).get(c.key) or 0))
                    for c in all_criteria
                    if c.source == "rating"
                ],
            }
        )
    rows.sort(key=lambda r: (-r["score"], r["client"].slug))
    return rows


def candidates_csv(actor, support: Organization) -> str:
    import io

    rows = candidates(actor, support)
    keys = [c.key for c in criteria(support)]
    out = io.StringIO()
    writer = exports.csv_writer(out)
    writer.writerow(
        ["rank", "client", "prefecture", "industry", "score"]
        + [f"{k} value" for k in keys]
        + [f"{k} weight" for k in keys]
        + [f"{k} points" for k in keys]
    )
    for rank, row in enumerate(rows, 1):
        by_key = {c.key: c for c in row["contributions"]}
        writer.writerow(
            [rank, row["client"].slug, row["client"].prefecture, row["client"].industry, f"{float(row['score']):.2f}"]
            + [f"{float(by_key[k].value):.4f}" for k in keys]
            + [str(by_key[k].weight) for k in keys]
            + [f"{float(by_key[k].points):.2f}" for k in keys]
        )
    audit.record(
        actor,
        support,
        "advisers.candidates.export",
        object_type="advisers.priorityrating",
        summary=f"candidate list exported as CSV ({len(rows)} candidates)",
        data={"n": len(rows)},
    )
    return "\ufeff" + out.getvalue()
