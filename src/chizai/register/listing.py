"""The register table's sorting, paging and active-filter chips.

Only the keys of ``SORTS`` can be sorted on (the ``sort`` parameter is never passed to the
database as given). Every ordering ends with the primary key, so rows with equal values keep
one order from page to page. Links keep the filters and the sort: changing the sort goes back
to page 1, paging keeps everything else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from chizai.register.models import Asset

PAGE_SIZE = 50

# How secret, in order (an alphabetical sort of the codes would put 極秘 before 公開).
_LEVEL = Case(
    *(When(classification=code, then=Value(rank)) for rank, code in enumerate(Asset.Classification.values)),
    default=Value(len(Asset.Classification.values)),
    output_field=IntegerField(),
)

#: sort key → (column label, the fields it orders by)
SORTS = {
    "title": (_("Title"), ("title_ja",)),
    "kind": (_("Kind"), ("kind",)),
    "classification": (_("Classification"), ("level",)),
    "origin": (_("Origin"), ("origin",)),
    "next_review": (_("Next review"), ("next_review",)),
    "updated": (_("Last changed"), ("updated_at",)),
}


def parse_sort(value: str | None) -> tuple[str, bool]:
    """(key, descending) from ``title`` / ``-title``; anything else is no sort."""
    value = (value or "").strip()
    descending = value.startswith("-")
    key = value.lstrip("-")
    return (key, descending) if key in SORTS else ("", False)


def apply_sort(assets: QuerySet, value: str | None) -> QuerySet:
    key, descending = parse_sort(value)
    if not key:
        return assets.order_by("-updated_at", "-pk")  # the model's own order, stated here for stable pages
    fields = SORTS[key][1]
    if "level" in fields:
        assets = assets.alias(level=_LEVEL)
    ordering = [F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True) for name in fields]
    return assets.order_by(*ordering, "-pk" if descending else "pk")


def _query(params: QueryDict, **changes) -> str:
    query = params.copy()
    for name, value in changes.items():
        if value in (None, ""):
            query.pop(name, None)
        else:
            query[name] = value
    return query.urlencode()


@dataclass
class Column:
    key: str
    label: str
    url: str
    state: str  # "ascending", "descending" or "none" (aria-sort)


def columns(params: QueryDict) -> dict[str, Column]:
    """Each sortable column's header link: a click sorts by it, a second click reverses."""
    current, descending = parse_sort(params.get("sort"))
    out = {}
    for key, (label, _fields) in SORTS.items():
        if key == current:
            state = "descending" if descending else "ascending"
            target = key if descending else f"-{key}"
        else:
            state, target = "none", key
        out[key] = Column(key, str(label), "?" + _query(params, sort=target, page=None), state)
    return out


def page_links(page, params: QueryDict) -> list[tuple[str, str]]:
    """(label, url) for each page number shown, with an ellipsis (url "") where pages are left out."""
    links = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if number == page.paginator.ELLIPSIS:
            links.append((str(number), ""))
        else:
            links.append((str(number), "?" + _query(params, page=number)))
    return links


def page_url(params: QueryDict, number: int) -> str:
    return "?" + _query(params, page=number)


def active_filters(form, params: QueryDict) -> list[tuple[str, str, str]]:
    """(label, value shown, url without this filter) for each filter in use."""
    if not form.is_bound or not form.is_valid():
        return []
    chips = []
    for name, value in form.cleaned_data.items():
        if value in (None, "", False) or name == "sort":
            continue
        field = form.fields[name]
        shown = dict(getattr(field, "choices", []) or []).get(value, value)
        if value is True:
            shown = _("yes")
        chips.append((str(field.label), str(shown), "?" + _query(params, **{name: None, "page": None})))
    return chips
