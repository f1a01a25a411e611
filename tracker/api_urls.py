"""The read-only JSON API under /api/ (OpenAPI schema at /api/schema/)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
