"""Helpers for posting to the real admin views in tests: the data a change form would send."""

from __future__ import annotations

import datetime

from django.urls import reverse


def admin_url(model, view: str = "changelist", *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def management(prefix: str, total: int = 0, initial: int = 0) -> dict[str, str]:
    """The management form of an inline formset with `total` forms, `initial` of them existing rows."""
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _encode(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return getattr(value, "pk", value)


def _form_data(form) -> dict:
    data = {}
    for name in form.fields:
        value = _encode(form[name].value())
        if value is not None:
            data[form.add_prefix(name)] = value
    return data


def changeform_data(client, url: str, **overrides) -> dict:
    """What the admin form at `url` sends when saved unchanged (existing inline rows, no extra rows)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        existing = formset.initial_forms
        data.update(management(formset.prefix, total=len(existing), initial=len(existing)))
        for form in existing:
            data.update(_form_data(form))
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def add_inline_rows(data: dict, prefix: str, rows: list[dict]) -> dict:
    """Append new rows to the inline formset `prefix` in `data` (which has its management form)."""
    total = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
    for offset, row in enumerate(rows):
        for key, value in row.items():
            encoded = _encode(value)
            if encoded is not None:
                data[f"{prefix}-{total + offset}-{key}"] = encoded
    data[f"{prefix}-TOTAL_FORMS"] = str(total + len(rows))
    return data
