"""What the public list pages share: a whitelisted `sort` parameter, pagination, the filter form.

Used by the incident list (incidents/views.py) and the case list (cases/views.py). Rows come
from the shared FilterSets; this module only orders, pages and dresses the form.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tracker.dataversion import current_version_with

PAGE_SIZE = 50
# Rows per batch of a CSV download: each batch costs one query per many-valued column.
CSV_BATCH = 1000


@dataclass(frozen=True)
class SortChoice:
    """One accepted value of `?sort=`: its label and the database ordering it stands for."""

    label: str
    order_by: tuple


@dataclass(frozen=True)
class Sorting:
    key: str
    label: str
    error: str = ""


def apply_sort(
    queryset: QuerySet, request: HttpRequest, choices: dict[str, SortChoice], default: str
) -> tuple[QuerySet, Sorting]:
    """Order `queryset` by the `sort` parameter if it is one of `choices`.

    An unknown value is not an error page: the default order is used and `Sorting.error`
    says so, so a mistyped link still shows the data.
    """
    requested = request.GET.get("sort", "").strip()
    error = ""
    if requested and requested not in choices:
        error = _('Unknown sort order "%(requested)s": showing %(default)s instead.') % {
            "requested": requested[:40],
            "default": str(choices[default].label).lower(),
        }
    key = requested if requested in choices else default
    return queryset.order_by(*choices[key].order_by), Sorting(key=key, label=choices[key].label, error=error)


class _CountedPaginator(Paginator):
    """A paginator told how many rows there are (the caller counted them already): no COUNT query."""

    def __init__(self, object_list, per_page: int, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def paginate(
    request: HttpRequest,
    queryset: QuerySet,
    per_page: int = PAGE_SIZE,
    count: int | None = None,
    ids: list | None = None,
    for_page: Callable[[QuerySet, Any], QuerySet] | None = None,
) -> Page:
    """The requested page (`?page=`) of an ordered queryset; a bad or out-of-range number gives the
    first or last page. `page.object_list` is a list of model instances. ``ids``, when given, are the
    queryset's primary keys already in the order to show (an order the database cannot make).
    ``for_page(queryset, page_ids)``, when given, adds to the rows' query what is worked out for the
    page's rows only (``page_ids``: the list of their primary keys, read first with one query more),
    e.g. an annotation whose subqueries would otherwise read every row of a large table.

    The page's rows are fetched by the primary keys of the page, cut in a subquery from the ordered
    primary keys alone (with the queryset's select_related and prefetch_related): on a large table,
    sorting narrow rows is several times faster than sorting whole ones, and the subquery keeps it
    one round trip to the database. The count, the rows and the prefetches, whatever the size; no
    count when ``count``, the number of rows in the queryset, is given.
    """
    ids_in_order = ids if ids is not None else queryset.prefetch_related(None).values_list("pk", flat=True)
    paginator = Paginator(ids_in_order, per_page) if count is None else _CountedPaginator(ids_in_order, per_page, count)
    page = paginator.get_page(request.GET.get("page"))
    if not paginator.count:
        page.object_list = []
    elif ids is None and for_page is None:
        page.object_list = list(queryset.filter(pk__in=page.object_list))
    elif ids is None:  # the page's ids first, for for_page
        page_ids = list(page.object_list)
        page.object_list = list(for_page(queryset, page_ids).filter(pk__in=page_ids))
    else:  # the database cannot order by these ids: the page's rows are put in their order here
        page_ids = list(page.object_list)
        rows = for_page(queryset, page_ids) if for_page else queryset
        by_pk = {row.pk: row for row in rows.filter(pk__in=page_ids).order_by()}
        page.object_list = [by_pk[pk] for pk in page_ids]
    return page


def page_links(page: Page) -> list:
    """Page numbers to link to around the current page, with Paginator.ELLIPSIS for gaps."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


# Django's select markup without an include per option (core/templates/core/widgets/select.html).
SELECT_TEMPLATE = "core/widgets/select.html"


class FetchedChoices(ModelChoiceIterator):
    """A ModelChoiceField's choices from one plain fetch of its queryset, kept for the form's life.

    Django iterates model choices with ``queryset.iterator()``, which on PostgreSQL opens a
    server-side cursor (DECLARE … WITH HOLD, FETCH, CLOSE: several round trips, and a cursor
    PostgreSQL materialises) for a table of a few dozen rows, once per rendering of the field.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if getattr(self.field, "null_label", None) is not None:  # django-filter's "none of these" choice
            yield (self.field.null_value, self.field.null_label)
        for obj in self.queryset:  # the field's own queryset: fetched once, then its cache
            yield self.choice(obj)


def dress_filter_form(form: forms.Form) -> forms.Form:
    """Date inputs as native date pickers; errors and help texts tied to their fields for screen readers;
    select menus rendered without a template include per option, their model choices fetched once.

    The ids match templates/includes/_filter_form.html.
    """
    errors = form.errors if form.is_bound else {}
    for name, field in form.fields.items():
        if isinstance(field, forms.ModelChoiceField):
            field.widget.choices = FetchedChoices(field)
        if type(field.widget) is forms.Select:
            field.widget.template_name = SELECT_TEMPLATE
        if isinstance(field.widget, forms.DateInput):
            field.widget.input_type = "date"
            field.widget.format = "%Y-%m-%d"  # what <input type=date> reads, whatever the locale
        described_by = [f"id_{name}_error"] if name in errors else []
        if field.help_text:
            described_by.append(f"id_{name}_help")
        if described_by:
            field.widget.attrs["aria-describedby"] = " ".join(described_by)
        if name in errors:
            field.widget.attrs["aria-invalid"] = "true"
    return form


FILTER_FORM_TEMPLATE = "includes/_filter_form.html"


def rendered_filter_form(request: HttpRequest, context: dict, template_name: str = FILTER_FORM_TEMPLATE) -> SafeString:
    """A list's filter form as HTML (``template_name``, the lists' ``FILTER_FORM_TEMPLATE`` unless
    another page's form is named, with the page's context), from the shared cache when the same form
    was rendered for the same data version and language.

    Beyond its rows, the form is most of a list's cost: every select menu's choices (the cities,
    communities, organisations, courts) read and rendered as options on every request, though they
    change only with the data. Kept as (version, html) under a key without the version, so that the
    version and the form come in one round trip to the cache, for ``FILTER_FORM_CACHE_SECONDS`` at
    most (0 = off); a committed change to the data retires it. A form with errors is rendered each
    time (rare, and not worth keeping).
    """
    seconds = settings.FILTER_FORM_CACHE_SECONDS
    form = context["filter"].form
    # The page's context processors are not run again: the form needs only the request.
    form_context = {**context, "request": request}
    if not seconds or form.errors:
        return render_to_string(template_name, form_context)
    key = filter_form_key(request, form, template_name)
    version, entry = current_version_with(key)
    if version is not None and entry is not None and entry[0] == version:
        return mark_safe(entry[1])  # noqa: S308  (the template's own output, stored by this function)
    html = render_to_string(template_name, form_context)
    if version is not None:
        cache.set(key, (version, str(html)), seconds)
    return html


def filter_form_key(request: HttpRequest, form: forms.Form, template_name: str = FILTER_FORM_TEMPLATE) -> str:
    """What the rendered form depends on: the template, the language, the path (the list, and its
    "Clear" link) and the values given for the form's fields and the sort order; other parameters
    (``page``) are not."""
    names = [*form.fields, "sort"]
    values = urlencode(sorted((name, value) for name in names for value in request.GET.getlist(name)))
    digest = hashlib.sha256(f"{template_name}:{request.path}?{values}".encode()).hexdigest()
    return f"filter-form:{translation.get_language()}:{digest}"


def batched(rows: Iterable, size: int = CSV_BATCH) -> Iterator[list]:
    """Lists of up to `size` consecutive rows (itertools.batched arrives in Python 3.12)."""
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def joined_by_key(pairs: Iterable[tuple], separator: str = "; ") -> dict:
    """`{key: "a; b"}` from (key, value) pairs, keeping the pairs' order."""
    grouped: dict = defaultdict(list)
    for key, value in pairs:
        grouped[key].append(str(value))
    return {key: separator.join(values) for key, values in grouped.items()}
