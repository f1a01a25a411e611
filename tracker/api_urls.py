"""The read-only JSON API under /api/ (OpenAPI schema at /api/schema/, docs at /api/docs/)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from cases.api import CaseViewSet, CourtViewSet, HearingViewSet
from dashboard.api import StatisticsView
from incidents.api import IncidentViewSet

from . import api_schema  # noqa: F401  (registers how the schema describes our filters)


class Router(DefaultRouter):
    """/api/ answers with the address of every list endpoint, the statistics, the schema and the docs."""

    include_format_suffixes = False
    EXTRA_ROOT_LINKS = {"statistics": "api-statistics", "schema": "schema", "docs": "docs"}

    def get_api_root_view(self, api_urls=None):
        links = {prefix: self.routes[0].name.format(basename=basename) for prefix, _, basename in self.registry}
        return self.APIRootView.as_view(api_root_dict=links | self.EXTRA_ROOT_LINKS)


router = Router()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("cases", CaseViewSet, basename="case")
router.register("hearings", HearingViewSet, basename="hearing")
router.register("courts", CourtViewSet, basename="court")

app_name = "api"

urlpatterns = [
    *router.urls,
    path("statistics/", StatisticsView.as_view(), name="api-statistics"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script from a URL, not inline (strict CSP), and the
    # SIDECAR settings serve Swagger UI's files from our static files: no CDN.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
]
