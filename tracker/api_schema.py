"""How the OpenAPI schema (drf-spectacular) describes the shared FilterSets' parameters.

drf-spectacular guesses a filter's type from the model field it filters on. Our filters are
built for pages first: the place, community, organisation and court parameters are
`ModelChoiceFilter`s taking a slug (or an id) and filtering through a method, and `CaseFilter`
reuses `IncidentFilter`'s filter objects (their `method` names an `IncidentFilter` method and is
re-routed per instance). Describe those directly, instead of letting the generator fail or warn.
"""

from __future__ import annotations

from django_filters import filters
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.plumbing import build_basic_type, build_parameter_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter


class TrackerFilterExtension(DjangoFilterExtension):
    priority = 1  # preferred to drf-spectacular's own extension (priority 0)

    def _get_filter_method(self, filterset_class, filter_field):
        if isinstance(filter_field.method, str):
            # A method of another FilterSet (CaseFilter's incident parameters): no type hint to read.
            return getattr(filterset_class, filter_field.method, None)
        return super()._get_filter_method(filterset_class, filter_field)

    def _get_explicit_filter_choices(self, filter_field):
        """The codes of a choice filter, those of its option groups included (the `justice` filter
        groups its codes under translated headings, which are no values)."""
        choices = super()._get_explicit_filter_choices(filter_field)
        if not choices or "choices" not in filter_field.extra or callable(filter_field.extra["choices"]):
            return choices
        codes = []
        for value, label in filter_field.extra["choices"]:
            if isinstance(label, list | tuple):
                codes.extend(code for code, _ in label)
            else:
                codes.append(value)
        return codes + choices[len(filter_field.extra["choices"]) :]  # the null value, if any

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        if not isinstance(filter_field, filters.ModelChoiceFilter):
            return super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        to_field = filter_field.extra.get("to_field_name")
        kind = f"{to_field.capitalize()} of the" if to_field else "Id of the"
        description = filter_field.extra.get("help_text") or f"{kind} {str(filter_field.label).lower()}."
        return [
            build_parameter_type(
                name=field_name,
                required=filter_field.extra["required"],
                location=OpenApiParameter.QUERY,
                description=description,
                schema=build_basic_type(OpenApiTypes.STR if to_field else OpenApiTypes.INT),
            )
        ]
