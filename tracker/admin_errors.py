"""Bad input to the admin answers 400 or 404, never 500 (issue 14 item 5).

Django's admin trusts some of what it reads from the address: a date-hierarchy lookup such as
`?cognizance_date__year=9999` overflows a date (OverflowError); an id that is not a number reaches
django-simple-history's history views as `int("abc")` (ValueError); an id too large for SQLite
overflows its driver; the autocomplete view reads parameters it does not check. Each is the
caller's mistake, not the server's.

`AdminBadInputMiddleware` is scoped narrowly: only views of the admin site's URL namespace, only
those exception types, and only when the request carries something to blame (a query string, a
missing required parameter, or an id in the path: an id naming no row is a 404, as django-otp's
device pages forget to say). Regular-expression lookups (`?title__regex=(`) and NUL bytes in
parameters (PostgreSQL's DataError) are refused (400) before they reach the database. An object's page (an id in the path) answers 404, as for an id that does not
exist; a list (the changelist, autocomplete) answers 400. Anything else still fails loudly.
"""

from __future__ import annotations

import logging

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.datastructures import MultiValueDictKeyError
from django.views import defaults

logger = logging.getLogger("tracker.admin")

BAD_INPUT = (OverflowError, ValueError, ValidationError, MultiValueDictKeyError, ObjectDoesNotExist)
ID_ARGUMENTS = ("object_id", "pk", "id")
# Lookups a changelist address may not use: a bad pattern is a database error, not a filter.
REFUSED_LOOKUPS = ("__regex", "__iregex")


class AdminBadInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        """`?title__regex=(` on any changelist: refused before it reaches the database."""
        match = request.resolver_match
        if match.namespace != "admin":
            return None
        if any(name.endswith(REFUSED_LOOKUPS) for name in request.GET):
            return defaults.bad_request(request, ValueError("regular-expression lookups are not allowed"))
        if any("\x00" in value for values in request.GET.lists() for value in [values[0], *values[1]]):
            # PostgreSQL refuses a NUL in a text parameter with a DataError while the list is read.
            return defaults.bad_request(request, ValueError("a NUL byte in the address"))
        return None

    def process_exception(self, request, exception):
        match = getattr(request, "resolver_match", None)
        if match is None or match.namespace != "admin" or not isinstance(exception, BAD_INPUT):
            return None
        has_id = bool(match.args) or any(name in match.kwargs for name in ID_ARGUMENTS)
        if isinstance(exception, ObjectDoesNotExist) and not has_id:
            return None  # a missing row the address did not name: a real error
        if not has_id and not request.META.get("QUERY_STRING") and not isinstance(exception, MultiValueDictKeyError):
            return None  # nothing the caller sent can be to blame: a real error
        logger.info("admin bad input %s %s: %s", request.method, request.path, type(exception).__name__)
        if has_id:
            return defaults.page_not_found(request, exception)
        return defaults.bad_request(request, exception)


class ValidChoicesAutocompleteMixin:
    """Autocomplete widgets draw only the submitted values that can be ids.

    A form sent back with `case=abc` is invalid and is shown again with its error, but Django's
    autocomplete widget looks up the submitted value (`id__in=["abc"]`) while the page is drawn,
    where a ValueError is a 500 the middleware above cannot turn into an answer. Values that are not
    ids of the related model (or overflow it) are simply not drawn; the form's own error says why.
    """

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field.model._meta
        # As Django's AutocompleteMixin names the looked-up field (many-to-many: the primary key).
        target = remote.get_field(getattr(self.field.remote_field, "field_name", remote.pk.attname))
        usable = []
        for item in value:
            try:
                cleaned = target.to_python(item)
            except ValidationError:
                continue
            if isinstance(cleaned, int) and not -(2**63) <= cleaned < 2**63:
                continue
            usable.append(item)
        return super().optgroups(name, usable, attr)


class SafeAutocompleteSelect(ValidChoicesAutocompleteMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(ValidChoicesAutocompleteMixin, AutocompleteSelectMultiple):
    pass


class SafeAutocompleteAdminMixin:
    """A ModelAdmin whose `autocomplete_fields` use the widgets above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)
