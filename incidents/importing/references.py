"""Reference lists (provinces, cities, communities, organisations) loaded once per import.

Names match trimmed, case-insensitively and through aliases (`AliasedQuerySet.lookup_table`).
A city name that matches no city is created in the row's province. A city name that matches a
city in another province is used, and the incident takes that city's province: the summary and
the source note say so (the Pakistan Body Count file puts Kurram Agency and D.G. Khan under KPK).
"""

from __future__ import annotations

from collections import defaultdict

from django.utils.text import slugify

from incidents.models import City, Community, Organisation, Province, normalise_name

from .cells import clean_text
from .errors import RowError


class References:
    def __init__(self):
        self.provinces = Province.objects.lookup_table()
        self.communities = Community.objects.lookup_table()
        self.organisations = Organisation.objects.lookup_table()
        self.cities: dict[str, list[City]] = defaultdict(list)
        self.city_slugs = set(City.objects.values_list("slug", flat=True))
        for city in City.objects.select_related("province"):
            for key in {normalise_name(k) for k in [city.name, city.slug, *city.alias_list()]}:
                self.cities[key].append(city)
        self.created_cities: list[City] = []

    def province(self, value: object, column: str) -> Province:
        text = clean_text(value)
        try:
            return self.provinces[normalise_name(text)]
        except KeyError:
            raise RowError(
                "unknown province or territory (not a name, slug or alias)", column=column, value=value
            ) from None

    def community(self, value: object, column: str) -> Community:
        try:
            return self.communities[normalise_name(clean_text(value))]
        except KeyError:
            raise RowError("unknown community (not a name, slug or alias)", column=column, value=value) from None

    def organisation(self, value: object, column: str) -> Organisation:
        try:
            return self.organisations[normalise_name(clean_text(value))]
        except KeyError:
            raise RowError("unknown organisation (not a name, slug or alias)", column=column, value=value) from None

    def city(self, value: object, province: Province) -> tuple[City, bool]:
        """The city named `value`: in `province` if there is one, else the only one elsewhere, else a new one.

        Returns (city, created).
        """
        name = clean_text(value)
        candidates = self.cities.get(normalise_name(name), [])
        for city in candidates:
            if city.province_id == province.pk:
                return city, False
        if len(candidates) == 1:
            return candidates[0], False
        return self._create_city(name, province), True

    def _create_city(self, name: str, province: Province) -> City:
        if name.islower() or name.isupper():
            name = name.title()  # "bannu", "KURRAM AGENCY": a source's casing slip
        base = slugify(name)[:100] or "city"
        slug = base
        if slug in self.city_slugs:
            slug = f"{base}-{province.slug}"[:110]
        number = 2
        while slug in self.city_slugs:
            slug = f"{base}-{number}"
            number += 1
        city = City.objects.create(name=name[:120], slug=slug, province=province)
        self.city_slugs.add(slug)
        self.cities[normalise_name(name)].append(city)
        self.created_cities.append(city)
        return city
