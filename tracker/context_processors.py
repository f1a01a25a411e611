"""Context for every page: the fictional-data banner."""


def site(request) -> dict:
    """`synthetic_data`: true while any fictional record exists (one query, run only if the template asks)."""
    from incidents.models import Incident

    def has_synthetic() -> bool:
        return Incident.objects.filter(is_synthetic=True).exists()

    return {"synthetic_data": has_synthetic}
