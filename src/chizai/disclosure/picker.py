"""What the new-disclosure form may offer to hand over, and its type-to-search endpoint.

The form's checkbox lists and the picker's JSON answers come from the same two querysets, both
through the access helper (``restrict``): file versions the user may download, assets the user
may view. So the picker never names an asset the user could not disclose, and without
JavaScript the form offers exactly what the picker would.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404, JsonResponse

from chizai.core.scoping import org_view
from chizai.register.models import Asset, FileVersion

LIMIT = 20  # answers per query: enough to pick from, small enough to read


def versions(user, organization) -> QuerySet:
    return (
        FileVersion.objects.restrict(user, "download")
        .filter(organization=organization)
        .select_related("file__asset")
        .order_by("file__asset__title_ja", "-number", "pk")
    )


def assets(user, organization) -> QuerySet:
    return Asset.objects.restrict(user, "view").filter(organization=organization).order_by("title_ja", "pk")


def version_label(version) -> str:
    asset = version.file.asset
    return f"{asset.title_ja} — {version.original_name} v{version.number} ({asset.get_classification_display()})"


def asset_label(asset) -> str:
    return f"{asset.title_ja} ({asset.get_classification_display()})"


def search(user, organization, kind: str, query: str) -> list[dict]:
    words = query.split()
    if kind == "versions":
        rows = versions(user, organization)
        for word in words:
            rows = rows.filter(
                Q(file__asset__title_ja__icontains=word)
                | Q(file__asset__title_en__icontains=word)
                | Q(original_name__icontains=word)
            )
        return [{"id": v.pk, "label": version_label(v)} for v in rows[:LIMIT]]
    if kind == "assets":
        rows = assets(user, organization)
        for word in words:
            rows = rows.filter(Q(title_ja__icontains=word) | Q(title_en__icontains=word))
        return [{"id": a.pk, "label": asset_label(a)} for a in rows[:LIMIT]]
    raise Http404("No such list.")


@org_view("disclosure", "add")
def picker(request, kind: str):
    query = request.GET.get("q", "")[:100]
    return JsonResponse({"results": search(request.user, request.organization, kind, query)})
