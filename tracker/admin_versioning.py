"""No lost edits in the admin: every change form carries its version and a stale save is refused.

`VersionedAdminMixin` goes first in a ModelAdmin's bases. The version (tracker/versioning.py) of a
change form covers the record, its many-to-many fields and the rows of every inline (a case's
hearings and charges, an incident's sources, attributions and victims). When the form is saved,
the record's row is locked, then the version compared, in the transaction that saves; a stale form
is shown again with the message (HTTP 409) and nothing is written.

`lock_first` names the parents a record's save also changes or that a parent's form also edits
(a hearing: "case"), locked before the record itself so that every form touching a case queues
on the case row, in one order (no deadlock).
"""

from __future__ import annotations

from django.contrib.admin.options import TO_FIELD_VAR
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, FieldError, ValidationError
from django.db import models, router, transaction

from .versioning import Rows, Version, VersionedFormMixin, lock_row

# Where the version taken for a GET waits for get_form (taken before the form reads the record).
_OPENED = "_tracker_opened_version"


class VersionedAdminMixin:
    """Admin change forms that refuse to save over what a colleague saved since they were opened."""

    change_form_template = "admin/versioned_change_form.html"
    lock_first: tuple[str, ...] = ()

    def record_version(self, pk) -> Version:
        """The record, its many-to-many fields and the rows of its inlines."""
        parts = [Rows(self.model, {"pk": pk}, is_record=True)]
        for inline in self.inlines:
            fk = _foreign_key(self.model, inline.model, getattr(inline, "fk_name", None))
            parts.append(Rows(inline.model, {fk.attname: pk}))
        return Version(scope=f"{self.model._meta.label_lower}:{pk}", parts=tuple(parts))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        pk = self._version_pk(request, object_id)
        if pk is None or "_saveasnew" in request.POST:
            return super().changeform_view(request, object_id, form_url, extra_context)
        if request.method == "POST":
            # The lock, then the admin's own reading, checking (the form's clean) and saving, in
            # one transaction: see tracker/versioning.py for the race this closes.
            with transaction.atomic(using=router.db_for_write(self.model)):
                self.lock_for_save(pk)
                response = super().changeform_view(request, object_id, form_url, extra_context)
        else:
            # Taken before the admin reads the record and its rows: a change in between makes
            # the form stale (refused), never silently lost.
            setattr(request, _OPENED, self.record_version(pk).token())
            response = super().changeform_view(request, object_id, form_url, extra_context)
        adminform = (getattr(response, "context_data", None) or {}).get("adminform")
        if adminform is not None and getattr(adminform.form, "stale_changes", None):
            response.status_code = 409
        return response

    def lock_for_save(self, pk) -> None:
        """Lock the parents in `lock_first`, then the record (see the module docstring)."""
        for path in self.lock_first:
            parent = self.model._base_manager.filter(pk=pk).values_list(f"{path}__pk", flat=True).first()
            if parent is not None:
                lock_row(_model_at(self.model, path), parent)
        lock_row(self.model, pk)

    def get_form(self, request, obj=None, change=False, **kwargs):
        """The change form, carrying and checking the record's version (the add form has none)."""
        form = super().get_form(request, obj, change=change, **kwargs)
        if not change or obj is None or obj.pk is None:
            return form
        attrs = {"edit_version": self.record_version(obj.pk), "opened_version": getattr(request, _OPENED, None)}
        return type(form.__name__, (VersionedFormMixin, form), attrs)

    def _version_pk(self, request, object_id):
        """The primary key of the record the change form is for; None for an add form or a bad id."""
        if object_id is None:
            return None
        to_field = request.POST.get(TO_FIELD_VAR, request.GET.get(TO_FIELD_VAR))
        try:
            if not to_field or to_field == self.model._meta.pk.name:
                return self.model._meta.pk.to_python(unquote(object_id))
            rows = self.model._base_manager.filter(**{to_field: unquote(object_id)})
            return rows.values_list("pk", flat=True).first()
        except (ValidationError, ValueError, FieldDoesNotExist, FieldError):
            return None  # the admin says so itself (a bad ?_to_field= is its 400)


def _foreign_key(parent: type[models.Model], child: type[models.Model], name: str | None) -> models.ForeignKey:
    """The foreign key from an inline's model to the parent (the one named, else the only one)."""
    if name:
        return child._meta.get_field(name)
    return next(
        f
        for f in child._meta.concrete_fields
        if f.many_to_one and f.remote_field.model._meta.concrete_model is parent._meta.concrete_model
    )


def _model_at(model: type[models.Model], path: str) -> type[models.Model]:
    """The model reached from `model` by the foreign keys in `path` ("charge__case" -> Case)."""
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
    return model
