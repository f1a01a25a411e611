"""Roles enforced on the server (DESIGN.md "Who sees what"), through the real admin URLs.

Every test posts directly, as a hand-made request would, bypassing what the form shows.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from cases.models import Case, Court, Hearing
from core.models import Correction, Status
from incidents.models import Incident, IncidentSource, Province, Source
from tests.admin_forms import add_inline_rows, admin_url, changeform_data, management
from tests.conftest import login, make_user
from tests.factories import (
    CaseFactory,
    CourtFactory,
    IncidentFactory,
    IncidentSourceFactory,
    ProvinceFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

INLINES = ("source_links", "attributions", "victims")


def new_incident_data(province, **fields) -> dict:
    data = {
        "title": "Shop owner shot",
        "date": "2013-01-10",
        "attack_type": "target_killing",
        "killed": "1",
        "province": str(province.pk),
    }
    for prefix in INLINES:
        data.update(management(prefix))
    data.update(fields)
    return data


def action(model, name: str, *objects, **extra) -> tuple[str, dict]:
    return admin_url(model), {"action": name, "_selected_action": [str(o.pk) for o in objects], **extra}


# Anonymous and non-staff users ------------------------------------------------------------


def test_non_staff_user_is_sent_to_login_and_changes_nothing(client, django_user_model):
    province = ProvinceFactory()
    login(client, make_user(django_user_model, "reader"))
    response = client.post(admin_url(Incident, "add"), new_incident_data(province))
    assert response.status_code == 302  # to the login (or 2FA) page
    assert not Incident.objects.exists()


def test_anonymous_post_of_publish_action_publishes_nothing(client):
    incident = IncidentFactory(status=Status.DRAFT)
    IncidentSourceFactory(incident=incident)
    url, data = action(Incident, "publish_selected", incident)
    assert client.post(url, data).status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.DRAFT


# Legal monitors -----------------------------------------------------------------------------


def test_monitor_posting_published_status_on_add_form_saves_a_draft(monitor_client, monitor):
    province = ProvinceFactory()
    data = new_incident_data(province, status="published", retraction_note="x", review_note="y")
    response = monitor_client.post(admin_url(Incident, "add"), data)
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.status == Status.DRAFT
    assert incident.published_at is None
    assert (incident.retraction_note, incident.review_note) == ("", "")
    assert incident.created_by == monitor
    assert incident.updated_by == monitor


def test_monitor_changes_a_draft_incident_and_its_sources(monitor_client, monitor):
    incident = IncidentFactory(status=Status.DRAFT, killed=1)
    source = SourceFactory()
    url = admin_url(Incident, "change", incident.pk)
    data = changeform_data(monitor_client, url, killed="4")
    add_inline_rows(data, "source_links", [{"source": source, "reported_killed": 4, "reported_killed_max": 6}])
    response = monitor_client.post(url, data)
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.killed, incident.status, incident.updated_by) == (4, Status.DRAFT, monitor)
    link = IncidentSource.objects.get(incident=incident)
    assert (link.source, link.reported_killed, link.reported_killed_max) == (source, 4, 6)


def test_monitor_post_to_change_a_published_incident_is_forbidden_and_changes_nothing(monitor_client):
    incident = IncidentFactory(status=Status.PUBLISHED, killed=3, title="Original")
    url = admin_url(Incident, "change", incident.pk)
    data = new_incident_data(incident.province, title="Changed", killed="30", status="draft")
    assert monitor_client.post(url, data).status_code == 403
    incident.refresh_from_db()
    assert (incident.title, incident.killed, incident.status) == ("Original", 3, Status.PUBLISHED)


def test_monitor_sees_a_published_incident_read_only(monitor_client):
    incident = IncidentFactory(status=Status.PUBLISHED)
    response = monitor_client.get(admin_url(Incident, "change", incident.pk))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert all(not inline.has_add_permission for inline in response.context["inline_admin_formsets"])


def test_monitor_cannot_add_a_source_link_to_a_published_incident(monitor_client):
    incident = IncidentFactory(status=Status.PUBLISHED)
    data = {"incident": str(incident.pk), "source": str(SourceFactory().pk)}
    response = monitor_client.post(admin_url(IncidentSource, "add"), data)
    assert response.status_code == 200
    assert "incident" in response.context["adminform"].form.errors
    assert not IncidentSource.objects.exists()


def test_monitor_cannot_change_a_source_cited_by_a_published_incident(monitor_client):
    link = IncidentSourceFactory(incident=IncidentFactory(status=Status.PUBLISHED))
    url = admin_url(Source, "change", link.source.pk)
    assert monitor_client.post(url, {"title": "Rewritten"}).status_code == 403
    link.source.refresh_from_db()
    assert link.source.title != "Rewritten"


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.RETRACTED])
def test_monitor_cannot_change_a_source_cited_only_by_an_attribution(monitor_client, monitor, editor, status):
    """Issue 14 item 6: an attribution's source shows on the public page just as a link's does."""
    from tests.factories import AttributionFactory
    from tracker.roles import can_change_source

    source = SourceFactory(title="Claim reported")
    AttributionFactory(incident=IncidentFactory(status=status), source=source)
    assert (can_change_source(monitor, source), can_change_source(editor, source)) == (False, True)
    assert monitor_client.post(admin_url(Source, "change", source.pk), {"title": "Rewritten"}).status_code == 403
    source.refresh_from_db()
    assert source.title == "Claim reported"


def test_monitor_may_change_a_source_cited_by_drafts_only(monitor):
    from tests.factories import AttributionFactory
    from tracker.roles import can_change_source

    source = SourceFactory()
    AttributionFactory(incident=IncidentFactory(status=Status.DRAFT), source=source)
    IncidentSourceFactory(incident=IncidentFactory(status=Status.DRAFT), source=source)
    assert can_change_source(monitor, source) is True


@pytest.mark.parametrize("status", [Status.DRAFT, Status.PUBLISHED])
def test_monitor_post_to_delete_view_is_forbidden(monitor_client, status):
    incident = IncidentFactory(status=status)
    case = CaseFactory(status=status)
    assert monitor_client.post(admin_url(Incident, "delete", incident.pk), {"post": "yes"}).status_code == 403
    assert monitor_client.post(admin_url(Case, "delete", case.pk), {"post": "yes"}).status_code == 403
    assert Incident.objects.filter(pk=incident.pk).exists()
    assert Case.objects.filter(pk=case.pk).exists()


def test_monitor_post_of_delete_selected_action_deletes_nothing(monitor_client):
    incident = IncidentFactory(status=Status.DRAFT)
    url, data = action(Incident, "delete_selected", incident, post="yes")
    monitor_client.post(url, data)
    assert Incident.objects.filter(pk=incident.pk).exists()


def test_monitor_post_of_publish_action_publishes_nothing(monitor_client):
    incident = IncidentFactory(status=Status.DRAFT)
    IncidentSourceFactory(incident=incident)
    case = CaseFactory(status=Status.DRAFT)
    monitor_client.post(*action(Incident, "publish_selected", incident))
    monitor_client.post(*action(Case, "publish_selected", case))
    incident.refresh_from_db()
    case.refresh_from_db()
    assert (incident.status, case.status) == (Status.DRAFT, Status.DRAFT)


def test_monitor_post_of_retract_action_retracts_nothing(monitor_client):
    incident = IncidentFactory(status=Status.PUBLISHED)
    monitor_client.post(*action(Incident, "retract_selected", incident, post="yes", note="Wrong"))
    incident.refresh_from_db()
    assert incident.status == Status.PUBLISHED
    assert not Correction.objects.exists()


def action_names(response) -> set[str]:
    form = response.context["action_form"]
    return set() if form is None else {name for name, _label in form.fields["action"].choices if name}


@pytest.mark.parametrize("model", [Incident, Case])
def test_only_editors_see_publish_retract_and_delete_actions(client, monitor, editor, model):
    restricted = {"publish_selected", "retract_selected", "delete_selected"}
    assert action_names(login(client, monitor).get(admin_url(model))).isdisjoint(restricted)
    assert action_names(login(client, editor).get(admin_url(model))) >= restricted


def test_monitor_records_hearings_on_a_published_case_but_cannot_change_its_status(monitor_client, monitor):
    case = CaseFactory(status=Status.PUBLISHED, case_number="Special Case 1/2013")
    url = admin_url(Case, "change", case.pk)
    data = changeform_data(monitor_client, url, status="retracted", retraction_note="Gone")
    add_inline_rows(data, "hearings", [{"date": "2013-02-04", "outcome": "proceeded", "purpose": "charge_framed"}])
    assert monitor_client.post(url, data).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.retraction_note, case.updated_by) == (Status.PUBLISHED, "", monitor)
    assert Hearing.objects.get(case=case).recorded_by == monitor


def test_monitor_sees_reference_lists_read_only(monitor_client):
    province = ProvinceFactory(name="Sindh", slug="sindh")
    court = CourtFactory()
    assert monitor_client.get(admin_url(Province)).status_code == 200
    assert monitor_client.get(admin_url(Province, "add")).status_code == 403
    url = admin_url(Province, "change", province.pk)
    assert monitor_client.post(url, {"name": "Renamed", "slug": "renamed"}).status_code == 403
    assert monitor_client.post(admin_url(Court, "change", court.pk), {"name": "X", "kind": "atc"}).status_code == 403
    province.refresh_from_db()
    assert province.name == "Sindh"


@pytest.mark.parametrize("model", [User, Group])
def test_monitor_and_editor_cannot_see_users_or_groups(client, monitor, editor, model):
    for user in (monitor, editor):
        login(client, user)
        assert client.get(admin_url(model)).status_code == 403
        index = client.get("/admin/")
        assert "auth" not in {app["app_label"] for app in index.context["app_list"]}


@pytest.mark.parametrize("model", [User, Group])
def test_superuser_manages_users_and_groups(superuser_client, model):
    assert superuser_client.get(admin_url(model)).status_code == 200


# Editors ------------------------------------------------------------------------------------


def test_editor_publishes_with_the_action(editor_client, editor):
    incident = IncidentFactory(status=Status.DRAFT)
    IncidentSourceFactory(incident=incident)
    case = CaseFactory(status=Status.DRAFT)
    editor_client.post(*action(Incident, "publish_selected", incident))
    editor_client.post(*action(Case, "publish_selected", case))
    for record in (incident, case):
        record.refresh_from_db()
        assert record.status == Status.PUBLISHED
        assert record.published_at is not None
        assert record.updated_by == editor


def test_publish_action_refuses_an_incident_without_a_source(editor_client):
    sourced = IncidentFactory(status=Status.DRAFT, title="Sourced")
    IncidentSourceFactory(incident=sourced)
    bare = IncidentFactory(status=Status.DRAFT, title="Bare")
    response = editor_client.post(*action(Incident, "publish_selected", sourced, bare), follow=True)
    sourced.refresh_from_db()
    bare.refresh_from_db()
    assert (sourced.status, bare.status) == (Status.PUBLISHED, Status.DRAFT)
    texts = [str(m) for m in response.context["messages"]]
    assert "Published 1 record(s)." in texts
    assert any("Bare" in t and "needs at least one" in t for t in texts)


def test_editor_cannot_publish_an_incident_without_a_source_in_the_form(editor_client):
    incident = IncidentFactory(status=Status.DRAFT)
    url = admin_url(Incident, "change", incident.pk)
    response = editor_client.post(url, changeform_data(editor_client, url, status="published"))
    assert response.status_code == 200
    assert "A published incident needs at least one source" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == Status.DRAFT


def test_editor_publishes_a_new_incident_with_its_source_in_one_save(editor_client, editor):
    data = new_incident_data(ProvinceFactory(), status="published")
    add_inline_rows(data, "source_links", [{"source": SourceFactory(), "reported_killed": 1}])
    assert editor_client.post(admin_url(Incident, "add"), data).status_code == 302
    incident = Incident.objects.get()
    assert (incident.status, incident.created_by, incident.source_links.count()) == (Status.PUBLISHED, editor, 1)
    assert incident.published_at is not None


def test_editor_cannot_remove_the_last_source_of_a_published_incident(editor_client):
    link = IncidentSourceFactory(incident=IncidentFactory(status=Status.PUBLISHED))
    url = admin_url(Incident, "change", link.incident.pk)
    data = changeform_data(editor_client, url, **{"source_links-0-DELETE": "on"})
    assert editor_client.post(url, data).status_code == 200
    assert IncidentSource.objects.filter(pk=link.pk).exists()


def test_published_record_cannot_go_back_to_draft(editor_client):
    incident = IncidentFactory(status=Status.PUBLISHED)
    IncidentSourceFactory(incident=incident)
    url = admin_url(Incident, "change", incident.pk)
    response = editor_client.post(url, changeform_data(editor_client, url, status="draft"))
    assert "retract it with a public note instead" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == Status.PUBLISHED


def test_retract_action_asks_for_a_note_and_changes_nothing_without_one(editor_client):
    incident = IncidentFactory(status=Status.PUBLISHED)
    response = editor_client.post(*action(Incident, "retract_selected", incident))
    assert response.status_code == 200
    assert response.templates[0].name == "admin/retract_selected.html"
    response = editor_client.post(*action(Incident, "retract_selected", incident, post="yes", note="  "))
    assert response.status_code == 200
    assert "Please give the public note." in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == Status.PUBLISHED
    assert not Correction.objects.exists()


def test_retract_action_with_a_note_retracts_and_logs_a_correction(editor_client, editor):
    incident = IncidentFactory(status=Status.PUBLISHED, title="Quetta blast")
    draft = IncidentFactory(status=Status.DRAFT)
    note = "Duplicate of an incident already recorded."
    editor_client.post(*action(Incident, "retract_selected", incident, draft, post="yes", note=note))
    incident.refresh_from_db()
    draft.refresh_from_db()
    assert (incident.status, incident.retraction_note, draft.status) == (Status.RETRACTED, note, Status.DRAFT)
    assert incident.retracted_at is not None
    correction = Correction.objects.get()
    assert (correction.object_id, correction.note, correction.created_by) == (incident.pk, note, editor)
    assert correction.record_label == str(incident)
    assert correction.record_url == incident.get_absolute_url()


def test_retracting_in_the_form_needs_a_note(editor_client):
    case = CaseFactory(status=Status.PUBLISHED)
    url = admin_url(Case, "change", case.pk)
    response = editor_client.post(url, changeform_data(editor_client, url, status="retracted"))
    assert response.status_code == 200
    assert "Give a public note saying why the record is retracted." in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.PUBLISHED
    data = changeform_data(editor_client, url, status="retracted", retraction_note="Wrong court.")
    assert editor_client.post(url, data).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.retraction_note) == (Status.RETRACTED, "Wrong court.")
    assert Correction.objects.get().record_label == case.title


def test_only_a_published_record_can_be_retracted_in_the_form(editor_client):
    incident = IncidentFactory(status=Status.DRAFT)
    url = admin_url(Incident, "change", incident.pk)
    data = changeform_data(editor_client, url, status="retracted", retraction_note="No")
    assert "Only a published record can be retracted." in editor_client.post(url, data).content.decode()


def test_editor_deletes_a_draft(editor_client):
    incident = IncidentFactory(status=Status.DRAFT)
    assert editor_client.post(admin_url(Incident, "delete", incident.pk), {"post": "yes"}).status_code == 302
    assert not Incident.objects.exists()


# History ------------------------------------------------------------------------------------


def test_every_change_is_kept_with_who_made_it(monitor_client, monitor, editor, client):
    province = ProvinceFactory()
    monitor_client.post(admin_url(Incident, "add"), new_incident_data(province, title="Draft title"))
    incident = Incident.objects.get()
    IncidentSourceFactory(incident=incident)
    login(client, editor)
    client.post(*action(Incident, "publish_selected", incident))
    history = list(incident.history.order_by("history_id").values_list("history_user__username", "status"))
    assert history == [("monitor", "draft"), ("editor", "published")]
    response = client.get(admin_url(Incident, "history", incident.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert "monitor" in content and "editor" in content


def test_reverting_from_the_history_page_is_refused(editor_client):
    incident = IncidentFactory(status=Status.DRAFT, title="Before")
    incident.title = "After"
    incident.save()
    first = incident.history.earliest("history_id")
    url = admin_url(Incident, "simple_history", incident.pk, first.history_id)
    assert editor_client.get(url).status_code == 200
    assert editor_client.post(url, {"title": "Before"}).status_code == 403
    incident.refresh_from_db()
    assert incident.title == "After"
