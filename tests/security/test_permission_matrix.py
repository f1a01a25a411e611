"""The permission matrix (issue 6 item 3): every URL of the site, as every role, with hidden records.

One parametrised test walks EVERY route the URL enumerator (tests/security/urls.py) finds, as
anonymous, monitor, editor and superuser, over a world holding a draft, a published and a retracted
incident and case (with victims, sources, attributions, charges, hearings and appeals):

- public pages, their `?format=csv`, feeds, .ics feeds, the API and /follow/ answer; a hidden record's
  page, CSV, calendar, API detail or follow page is 404 for the public (never 403) and 200 for staff;
- staff pages (/staff/) send the public to the login page; admin pages too; inside the admin a monitor
  cannot reach delete views, users or groups (403), an editor cannot reach users or groups, a superuser
  reaches everything;
- nothing an anonymous reader receives (pages, CSV, feeds, JSON, error pages) contains a planted
  confidential string: a non-public victim's name, a juvenile accused's name, confidential notes,
  review notes, the recording monitor's username, the title of a draft or retracted record.

Every route must be classified below: a new URL pattern with no expectation fails
`test_every_route_is_classified`, so the matrix stays complete.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from cases.models import HearingOutcome, Verdict
from core.models import Status
from monitoring.models import CalendarToken
from tests import factories as f
from tests.conftest import editors_group, login, monitors_group
from tests.document_files import pdf_bytes
from tests.security.urls import Route, all_routes, sample_urls
from tracker.roles import EDITORS, MONITORS

D = datetime.date
NOW = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)
ANON, MONITOR, EDITOR, SUPER = "anonymous", "monitor", "editor", "superuser"
ROLES = (ANON, MONITOR, EDITOR, SUPER)
STAFF = (MONITOR, EDITOR, SUPER)

PLANTED = (
    "PLANTED-VICTIM-NAME",
    "PLANTED-JUVENILE-NAME",
    "PLANTED-CONFIDENTIAL-NOTE",
    "PLANTED-INCIDENT-REVIEW",
    "PLANTED-CASE-REVIEW",
    "planted-recorder",
    "PLANTED-DRAFT-INCIDENT",
    "PLANTED-DRAFT-VICTIM",
    "PLANTED-RETRACTED-INCIDENT",
    "PLANTED-DRAFT-CASE",
    "PLANTED-DRAFT-ACCUSED",
    "PLANTED-DRAFT-HEARING-NOTE",
    "PLANTED-RETRACTED-CASE",
    "PLANTED-RETRACTED-ACCUSED",
    "PLANTED-CONFIDENTIAL-DOCUMENT",
)


# --- The world ---------------------------------------------------------------------------------------


def build_world(django_user_model) -> dict:
    """Published, draft and retracted incidents and cases, each with everything that hangs off them."""
    recorder = django_user_model.objects.create_user(username="planted-recorder", is_staff=True)
    recorder.groups.add(monitors_group())
    province = f.ProvinceFactory(name="Sindh", slug="sindh")
    city = f.CityFactory(name="Karachi", slug="karachi", province=province)
    community = f.CommunityFactory(name="Hazara", slug="hazara")
    organisation = f.OrganisationFactory(name="Lashkar Example", slug="lashkar-example")
    court = f.CourtFactory(name="Anti-Terrorism Court I, Karachi", city=city)
    offence = f.OffenceFactory(code="ATA 1997 s.7(a)")

    def incident(title: str, status: str, victim: str, *, victim_public: bool) -> object:
        record = f.IncidentFactory(
            title=title,
            status=status,
            province=province,
            city=city,
            date=D(2013, 1, 10),
            killed=3,
            review_note="PLANTED-INCIDENT-REVIEW",
            created_by=recorder,
            updated_by=recorder,
            communities=[community],
        )
        link = f.IncidentSourceFactory(
            incident=record, source=f.SourceFactory(title=f"{title} source" if status != "published" else "A report")
        )
        f.AttributionFactory(incident=record, organisation=organisation, source=link.source)
        f.VictimFactory(incident=record, name=victim, is_public=victim_public, community=community)
        return record

    published = incident("Published attack", Status.PUBLISHED, "PLANTED-VICTIM-NAME", victim_public=False)
    f.VictimFactory(incident=published, name="Named With Consent", is_public=True)
    draft = incident("PLANTED-DRAFT-INCIDENT", Status.DRAFT, "PLANTED-DRAFT-VICTIM", victim_public=True)
    retracted = incident("PLANTED-RETRACTED-INCIDENT", Status.RETRACTED, "Retracted Victim", victim_public=True)

    def case(number: str, status: str, accused: str, *, juvenile: bool, incidents) -> tuple:
        record = f.CaseFactory(
            case_number=number,
            status=status,
            court=court,
            cognizance_date=D(2013, 2, 1),
            confidential_notes="PLANTED-CONFIDENTIAL-NOTE",
            review_note="PLANTED-CASE-REVIEW",
            created_by=recorder,
            incidents=incidents,
        )
        record.offences.add(offence)
        charge = f.ChargeFactory(
            case=record,
            accused=f.AccusedFactory(name=accused, is_juvenile=juvenile, affiliation=organisation),
            verdict=Verdict.CONVICTED,
            verdict_date=D(2014, 1, 1),
        )
        hearing = f.HearingFactory(
            case=record,
            date=D(2013, 3, 1),
            outcome=HearingOutcome.PROCEEDED,
            recorded_by=recorder,
            notes="PLANTED-DRAFT-HEARING-NOTE" if status == Status.DRAFT else "Hearing proceeded.",
        )
        f.HearingFactory(case=record, date=D(2026, 12, 1))
        appeal = f.AppealFactory(charge=charge)
        # Public documents of a hidden case are hidden with it.
        title = number if status != Status.PUBLISHED else "Judgment"
        document = f.DocumentFactory(case=record, title=title, is_public=True, uploaded_by=recorder)
        return record, charge, hearing, appeal, document

    public_case, charge, hearing, appeal, document = case(
        "Special Case 5/2013", Status.PUBLISHED, "PLANTED-JUVENILE-NAME", juvenile=True, incidents=[published, draft]
    )
    f.ChargeFactory(case=public_case, accused=f.AccusedFactory(name="Adult Accused"))
    confidential_document = f.DocumentFactory(
        case=public_case,
        title="PLANTED-CONFIDENTIAL-DOCUMENT",
        is_public=False,
        content=pdf_bytes(["PLANTED-CONFIDENTIAL-DOCUMENT text"]),
        uploaded_by=recorder,
    )
    draft_case, draft_charge, draft_hearing, draft_appeal, draft_document = case(
        "PLANTED-DRAFT-CASE", Status.DRAFT, "PLANTED-DRAFT-ACCUSED", juvenile=False, incidents=[published]
    )
    retracted_case, *_, retracted_document = case(
        "PLANTED-RETRACTED-CASE", Status.RETRACTED, "PLANTED-RETRACTED-ACCUSED", juvenile=False, incidents=[retracted]
    )
    return {
        "published": published,
        "draft": draft,
        "retracted": retracted,
        "case": public_case,
        "draft_case": draft_case,
        "retracted_case": retracted_case,
        "charge": charge,
        "hearing": hearing,
        "draft_hearing": draft_hearing,
        "appeal": appeal,
        "draft_appeal": draft_appeal,
        "draft_charge": draft_charge,
        "document": document,
        "confidential_document": confidential_document,
        "draft_document": draft_document,
        "retracted_document": retracted_document,
        "court": court,
        "city": city,
        "province": province,
        "community": community,
        "organisation": organisation,
        "offence": offence,
        "recorder": recorder,
        "calendar_token": CalendarToken.objects.create(user=recorder).token,
    }


def admin_samples(world: dict) -> list:
    """One row of every model registered in the admin, so each change/history/delete page has an object."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_tasks_db.models import DBTaskResult

    from alerts.models import Subscription
    from cases.models import Holiday
    from core.models import Correction, CorrectionRedaction
    from incidents.models import ImportRun
    from jobs.models import ScheduledJob

    published = world["published"]
    world["import_run"] = ImportRun.objects.create(
        file_name="pbc.csv", sha256="0" * 64, format="pk-suicide-attacks", ok=True
    )
    correction = Correction.objects.create(
        content_type=ContentType.objects.get_for_model(published),
        object_id=published.pk,
        record_label=published.title,
        field="killed",
        old_value="2",
        new_value="3",
        note="Hospital figures.",
    )
    recorder = world["recorder"]
    redaction = CorrectionRedaction.objects.create(correction=correction, fields="note", reason="Named a minor.")
    return [
        world["draft"],  # the admin pages of the published one come as variants below
        world["province"],
        world["city"],
        world["community"],
        world["organisation"],
        world["published"].source_links.get().source,
        world["published"].source_links.get(),
        world["published"].attributions.get(),
        world["published"].victims.first(),
        correction,
        redaction,
        world["case"],
        world["charge"],
        world["hearing"],
        world["appeal"],
        world["document"],
        world["charge"].accused,
        world["court"],
        world["offence"],
        Holiday.objects.create(date=D(2013, 3, 23), name="Pakistan Day"),
        CalendarToken.objects.get(user=recorder),
        Subscription.objects.create(email="reader@example.org", kind="court", court=world["court"]),
        StaticDevice.objects.create(user=recorder, name="backup"),
        TOTPDevice.objects.create(user=recorder, name="phone", confirmed=True),
        AccessAttempt.objects.create(username="someone", ip_address="127.0.0.9", failures_since_start=1),
        AccessLog.objects.create(username="someone", ip_address="127.0.0.9"),
        AccessFailureLog.objects.create(username="someone", ip_address="127.0.0.9", locked_out=False),
        world["import_run"],
        ScheduledJob.objects.create(name="backup", task_path="tracker.tasks.backup_database", next_run_at=NOW),
        DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="tracker.tasks.backup_database",
            backend_name="default",
            run_after=datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC),  # "no run_after": any backend
        ),
        recorder,
        editors_group(),
    ]


# --- Which URLs to walk -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """One URL to fetch; `hidden` when its object is a draft or retracted record (or hangs off one)."""

    route: Route
    url: str
    hidden: bool = False


# Public lists that also answer `?format=csv` (the statistics page wants a table name too).
CSV_QUERIES = {
    "incidents:incident_list": "?format=csv",
    "cases:case_list": "?format=csv",
    "incidents:corrections": "?format=csv",
    "dashboard:statistics": "?format=csv&table=by_year",
}
# A few filtered views of the public lists: a filter must never let a hidden record through.
FILTER_QUERIES = {
    "incidents:incident_list": ["?q=PLANTED", "?sort=-killed", "?organisation={organisation}&format=csv"],
    "cases:case_list": ["?q=PLANTED", "?court={court}&format=csv", "?verdict=convicted"],
    "dashboard:statistics": ["?format=csv&table=courts", "?community={community}"],
}


def _variants(world: dict) -> dict:
    """Extra URL arguments for the enumerator: the hidden records as variants of each object route."""
    w = world

    def pks(*keys):
        return [{"pk": w[k].pk} for k in keys]

    def documents(*keys):
        return [{"case_pk": w[k].case_id, "pk": w[k].pk} for k in keys]

    def admin(*keys):
        return [{"object_id": str(w[k].pk)} for k in keys]

    extra = {
        "incidents:incident_detail": pks("published", "draft", "retracted"),
        "api:incident-detail": pks("published", "draft", "retracted"),
        "cases:case_detail": pks("case", "draft_case", "retracted_case"),
        "cases:case_hearings_ics": pks("case", "draft_case", "retracted_case"),
        "cases:document_file": documents("document", "confidential_document", "draft_document", "retracted_document"),
        "cases:case_events_feed": pks("case", "draft_case", "retracted_case"),
        "alerts:follow_case": pks("case", "draft_case", "retracted_case"),
        "api:case-detail": pks("case", "draft_case", "retracted_case"),
        "api:hearing-detail": pks("hearing", "draft_hearing"),
        "monitoring:mark_verified": pks("draft_case"),
        "monitoring:court_record_checked": pks("published", "draft", "retracted"),
        # GET only here (POST_ONLY_STAFF): refused before any check is looked up.
        "monitoring:confirm_court_check": pks("published"),
        "monitoring:discard_court_check": pks("published"),
        "admin:view_on_site": {
            "content_type_id": ContentType.objects.get_for_model(w["published"]).pk,
            "object_id": w["published"].pk,
        },
        "token": "not-a-real-token",
        "admin:incidents_incident_change": admin("published", "draft", "retracted"),
        "admin:cases_case_change": admin("case", "draft_case", "retracted_case"),
        "admin:auth_user_password_change": {"id": w["recorder"].pk},
        "admin:otp_totp_totpdevice_config": {"pk": w["recorder"].totpdevice_set.get().pk},
        "admin:otp_totp_totpdevice_qrcode": {"pk": w["recorder"].totpdevice_set.get().pk},
    }
    for name in ("publish", "send_back"):
        extra[f"monitoring:{name}"] = [
            {"kind": "incident", "pk": w["draft"].pk},
            {"kind": "case", "pk": w["draft_case"].pk},
        ]
    extra["monitoring:retract"] = [{"kind": "incident", "pk": w["published"].pk}, {"kind": "case", "pk": w["case"].pk}]
    extra["monitoring:staff_feed"] = [{"token": "not-a-real-token"}, {"token": w["calendar_token"]}]
    return extra


HIDDEN_KEYS = ("draft", "retracted", "draft_case", "retracted_case", "draft_hearing")
HIDDEN_DOCUMENTS = ("confidential_document", "draft_document", "retracted_document")


def visits(world: dict, samples: list) -> list[Visit]:
    """Every URL of the plan, flagged hidden or not, plus the CSV and filter variants."""
    plan = sample_urls(samples, _variants(world))
    assert plan.unresolved == [], plan.unresolved
    hidden_paths = set()
    for key in HIDDEN_KEYS:
        pk = world[key].pk
        hidden_paths |= {
            f"/incidents/{pk}/" if key in ("draft", "retracted") else "",
            f"/api/incidents/{pk}/" if key in ("draft", "retracted") else "",
            f"/cases/{pk}/" if key.endswith("case") else "",
            f"/cases/{pk}/hearings.ics" if key.endswith("case") else "",
            f"/cases/{pk}/feed/" if key.endswith("case") else "",
            f"/follow/case/{pk}/" if key.endswith("case") else "",
            f"/api/cases/{pk}/" if key.endswith("case") else "",
            f"/api/hearings/{pk}/" if key == "draft_hearing" else "",
        }
    hidden_paths |= {f"/cases/{world[key].case_id}/documents/{world[key].pk}/" for key in HIDDEN_DOCUMENTS}
    out = [Visit(u.route, u.url, u.url in hidden_paths) for u in plan.urls]
    names = {
        "organisation": world["organisation"].slug,
        "court": world["court"].pk,
        "community": world["community"].slug,
    }
    for visit in list(out):
        name = visit.route.name
        if name in CSV_QUERIES:
            out.append(Visit(visit.route, visit.url + CSV_QUERIES[name]))
        for query in FILTER_QUERIES.get(name, []):
            out.append(Visit(visit.route, visit.url + query.format(**names)))
    return out


# --- Walking ------------------------------------------------------------------------------------------


@pytest.fixture
def world(db, django_user_model, settings, time_machine):
    settings.RATE_LIMITS = {"api": (1_000_000, 60), "csv": (1_000_000, 60), "follow": (1_000_000, 60)}
    time_machine.move_to(D(2026, 11, 25))  # the hearing on 1 December is upcoming
    return build_world(django_user_model)


def client_for(role: str, django_user_model) -> Client:
    from tests.conftest import make_user

    client = Client()
    if role == MONITOR:
        login(client, make_user(django_user_model, "monitor", group=MONITORS))
    elif role == EDITOR:
        login(client, make_user(django_user_model, "editor", group=EDITORS))
    elif role == SUPER:
        login(client, make_user(django_user_model, "root", superuser=True))
    return client


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


# --- Expectations ---------------------------------------------------------------------------------------

OK, REDIRECT, BAD, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 403, 404, 405
EVERYONE_OK = (OK, OK, OK, OK)
LOGIN_THEN_OK = (REDIRECT, OK, OK, OK)
POST_ONLY_STAFF = (REDIRECT, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)

# Status for (anonymous, monitor, editor, superuser) on the sample (published / visible) URL.
EXPECTED: dict[str, tuple[int, int, int, int]] = {
    **dict.fromkeys(
        [
            "dashboard:home",
            "incidents:incident_list",
            "incidents:incident_detail",
            "incidents:data",
            "incidents:organisation_list",
            "incidents:organisation_detail",
            "incidents:corrections",
            "incidents:incident_feed",
            "incidents:corrections_feed",
            "cases:case_list",
            "cases:case_detail",
            "cases:document_file",
            "cases:court_list",
            "cases:court_detail",
            "cases:case_feed",
            "cases:hearings_ics",
            "cases:court_hearings_ics",
            "cases:case_hearings_ics",
            "cases:case_events_feed",
            "cases:court_events_feed",
            "dashboard:statistics",
            "dashboard:report",
            "dashboard:district_map",
            "dashboard:methodology",
            "api:incident-list",
            "api:incident-detail",
            "api:case-list",
            "api:case-detail",
            "api:hearing-list",
            "api:hearing-detail",
            "api:court-list",
            "api:court-detail",
            "api:api-root",
            "api:api-statistics",
            "api:schema",
            "api:docs",
            "alerts:follow_case",
            "alerts:follow_court",
            "alerts:follow_search",
            "healthz",
            "favicon",
            "two_factor:login",
        ],
        EVERYONE_OK,
    ),
    # A made-up token: a clear "bad link" page.
    "alerts:confirm": (BAD, BAD, BAD, BAD),
    "alerts:unsubscribe": (BAD, BAD, BAD, BAD),
    "monitoring:worklist": LOGIN_THEN_OK,
    "monitoring:record_hearing": LOGIN_THEN_OK,
    "monitoring:review_queue": LOGIN_THEN_OK,
    "monitoring:calendar": LOGIN_THEN_OK,
    "monitoring:duplicates": LOGIN_THEN_OK,
    "monitoring:merge_duplicates": POST_ONLY_STAFF,
    "monitoring:not_same": POST_ONLY_STAFF,
    "monitoring:propose_duplicates": POST_ONLY_STAFF,
    "monitoring:mark_verified": POST_ONLY_STAFF,
    "monitoring:court_record_checked": POST_ONLY_STAFF,
    "monitoring:confirm_court_check": POST_ONLY_STAFF,
    "monitoring:discard_court_check": POST_ONLY_STAFF,
    "monitoring:publish": POST_ONLY_STAFF,
    "monitoring:publish_selected": POST_ONLY_STAFF,
    "monitoring:send_back": POST_ONLY_STAFF,
    "monitoring:calendar_token": POST_ONLY_STAFF,
    # Retracting is for editors: the form of a published record.
    "monitoring:retract": (REDIRECT, FORBIDDEN, OK, OK),
    # The staff calendar's secret token is its credential: unknown → 404 for everybody (the real one: below).
    "monitoring:staff_feed": (NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "two_factor:setup": (REDIRECT, REDIRECT, REDIRECT, REDIRECT),  # already set up → "complete"
    "two_factor:qr": (REDIRECT, NOT_FOUND, NOT_FOUND, NOT_FOUND),  # no set-up in progress
    "two_factor:setup_complete": LOGIN_THEN_OK,
    "two_factor:backup_tokens": LOGIN_THEN_OK,
    "two_factor:profile": LOGIN_THEN_OK,
    "two_factor:disable": LOGIN_THEN_OK,
    "logout": (OK,) * 4,  # GET: a page with the sign-out button (or "you are not signed in"); POST signs out
    # Admin pages that belong to no model.
    "admin:index": LOGIN_THEN_OK,
    "admin:app_list": LOGIN_THEN_OK,
    "admin:jsi18n": LOGIN_THEN_OK,
    "admin:password_change": LOGIN_THEN_OK,
    "admin:password_change_done": LOGIN_THEN_OK,
    "admin:login": (REDIRECT,) * 4,  # to the 2FA login wizard, or onwards when signed in
    "admin:logout": (REDIRECT, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED),
    "admin:autocomplete": (REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN),  # no field named: refused
    "admin:view_on_site": (REDIRECT,) * 4,
    "admin/(?P<url>.*)$": (REDIRECT, NOT_FOUND, NOT_FOUND, NOT_FOUND),  # the admin's catch-all
}

# Hidden records (draft, retracted, or hanging off one): (anonymous, staff). Never 403.
HIDDEN_EXPECTED: dict[str, tuple[int, int]] = {
    "incidents:incident_detail": (NOT_FOUND, OK),
    "cases:case_detail": (NOT_FOUND, OK),
    "cases:document_file": (NOT_FOUND, OK),  # confidential, or of a hidden case
    "api:incident-detail": (NOT_FOUND, OK),
    "api:case-detail": (NOT_FOUND, OK),
    "api:hearing-detail": (NOT_FOUND, OK),
    "cases:case_hearings_ics": (NOT_FOUND, NOT_FOUND),  # the public calendar is public data only
    "cases:case_events_feed": (NOT_FOUND, NOT_FOUND),  # feeds are public data only
    "alerts:follow_case": (NOT_FOUND, NOT_FOUND),  # only public cases can be followed
}

# Admin rights per model: (monitor, editor, superuser); v view, a add, c change, d delete, i import.
# Users, groups, devices, tokens, subscriptions and lockouts are for the superuser alone; the
# corrections log is read-only for everybody, the import log too; axes' records cannot be added.
_REFERENCE = ("v", "vacd", "vacd")
_RECORDS = ("vac", "vacd", "vacd")
_SUPERUSER_ONLY = ("", "", "vacd")
ADMIN_ACCESS: dict[str, tuple[str, str, str]] = {
    "auth.group": _SUPERUSER_ONLY,
    "auth.user": _SUPERUSER_ONLY,
    "incidents.province": _REFERENCE,
    "incidents.city": _REFERENCE,
    "incidents.community": _REFERENCE,
    "incidents.organisation": _REFERENCE,
    "incidents.source": _RECORDS,
    "incidents.incident": _RECORDS,
    "incidents.incidentsource": _RECORDS,
    "incidents.attribution": _RECORDS,
    "incidents.victim": _RECORDS,
    "core.correction": ("v", "v", "v"),
    "core.correctionredaction": ("", "", "v"),  # the redaction log: superusers read it, nobody edits it
    "incidents.importrun": ("", "vi", "vi"),
    # Background work: superusers read the schedule and the task results; nobody edits them.
    "jobs.scheduledjob": ("", "", "v"),
    "django_tasks_database.dbtaskresult": ("", "", "v"),
    "cases.case": _RECORDS,
    "cases.charge": _RECORDS,
    "cases.hearing": _RECORDS,
    "cases.appeal": _RECORDS,
    "cases.accused": _RECORDS,
    "cases.document": _RECORDS,
    "cases.court": _REFERENCE,
    "cases.offence": _REFERENCE,
    "cases.holiday": _REFERENCE,
    "monitoring.calendartoken": ("", "", "vcd"),
    "alerts.subscription": _SUPERUSER_ONLY,
    "otp_static.staticdevice": _SUPERUSER_ONLY,
    "otp_totp.totpdevice": _SUPERUSER_ONLY,
    "axes.accessattempt": ("", "", "vcd"),
    "axes.accesslog": ("", "", "vcd"),
    "axes.accessfailurelog": ("", "", "vcd"),
}
# Which right each admin view of a model needs (by the end of its URL name).
ADMIN_ACTIONS = {
    "changelist": "v",
    "change": "v",  # read-only with the view right alone
    "history": "v",
    "simple_history": "v",
    "add": "a",
    "delete": "d",
    "password_change": "c",
    "config": "c",
    "qrcode": "c",
    "import": "i",
    "import_confirm": "i",
    "follow": "i",
}


def _admin_model_and_action(route: Route) -> tuple[str, str] | None:
    match = re.match(r"admin/(\w+)/(\w+)/(.*)$", route.pattern)
    if not match or f"{match.group(1)}.{match.group(2)}" not in ADMIN_ACCESS:
        return None
    label = f"{match.group(1)}.{match.group(2)}"
    if route.name is None:  # admin/<app>/<model>/<object_id>/ just redirects to the change page
        return label, "redirect"
    prefix = f"admin:{match.group(1)}_{match.group(2)}_"
    action = route.name.removeprefix(prefix)
    return (label, action) if action in ADMIN_ACTIONS else None


def expected_statuses(route: Route) -> tuple[int, int, int, int] | None:
    """(anonymous, monitor, editor, superuser) for the route's sample URL; None when unclassified."""
    key = route.name or route.pattern
    if key in EXPECTED:
        return EXPECTED[key]
    found = _admin_model_and_action(route)
    if found is None:
        return None
    label, action = found
    if action == "redirect":
        return (REDIRECT,) * 4
    needed = ADMIN_ACTIONS[action]
    allowed = tuple(OK if needed in rights else FORBIDDEN for rights in ADMIN_ACCESS[label])
    if action == "import_confirm":  # nothing uploaded yet: back to the upload form
        allowed = tuple(REDIRECT if status == OK else status for status in allowed)
    return (REDIRECT, *allowed)


def expected(visit: Visit, role: str, world: dict) -> int:
    name = visit.route.name
    if visit.hidden:
        anonymous, staff = HIDDEN_EXPECTED[name]
        return anonymous if role == ANON else staff
    if name == "monitoring:staff_feed" and visit.url.endswith(f"/{world['calendar_token']}.ics"):
        return OK  # the holder of the secret URL, whoever fetches it
    return expected_statuses(visit.route)[ROLES.index(role)]


def is_secret(visit: Visit, world: dict) -> bool:
    """The staff calendar at its secret token: drafts are in it by design, for the token's holder."""
    return visit.url.endswith(f"/{world['calendar_token']}.ics")


def goes_to_login(location: str) -> bool:
    """Where the public is sent: a login page, or /admin/ (from logout and 2FA pages), which sends them there."""
    return "login" in location or location == "/admin/"


# --- The tests ------------------------------------------------------------------------------------------


def test_every_route_is_classified():
    """A new URL pattern must be given its expected status per role here before the matrix passes."""
    unclassified = [route.name or route.pattern for route in all_routes() if expected_statuses(route) is None]
    assert unclassified == [], f"classify these routes in EXPECTED / ADMIN_ACCESS: {unclassified}"
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ADMIN_ACCESS), "every admin model needs its rights in ADMIN_ACCESS"
    assert set(HIDDEN_EXPECTED) <= set(EXPECTED)


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role, world, django_user_model):
    """Every URL as `role`: the expected status; for anonymous, no planted string in any response."""
    client = client_for(role, django_user_model)
    wrong, leaks = [], []
    walked = visits(world, admin_samples(world))
    for visit in walked:
        response = client.get(visit.url)
        want = expected(visit, role, world)
        if response.status_code != want:
            wrong.append(f"{visit.url}: {response.status_code}, expected {want}")
        elif role == ANON and response.status_code == REDIRECT and not goes_to_login(response["Location"]):
            wrong.append(f"{visit.url}: redirects to {response['Location']}, not to a login page")
        if role == ANON and not is_secret(visit, world):
            text = body(response)
            leaks += [f"{planted} on {visit.url}" for planted in PLANTED if planted in text]
    assert wrong == [], "\n".join(wrong)
    assert leaks == [], "\n".join(leaks)
    assert {visit.route for visit in walked} == set(all_routes())  # nothing skipped


def test_staff_do_see_what_the_public_must_not(world, django_user_model):
    """The planted strings are really there for staff, so their absence for the public means something."""
    client = client_for(EDITOR, django_user_model)
    assert "PLANTED-DRAFT-INCIDENT" in body(client.get(f"/incidents/{world['draft'].pk}/"))
    assert "PLANTED-DRAFT-CASE" in body(client.get(f"/api/cases/{world['draft_case'].pk}/"))
    assert "PLANTED-DRAFT-CASE" in body(client.get("/cases/?format=csv"))
    secret = Client().get(f"/staff/calendar/{world['calendar_token']}.ics")
    assert secret.status_code == OK and "PLANTED-DRAFT-CASE" in body(secret)


def test_hidden_ids_are_404_on_every_api_detail_endpoint(world):
    """No IDOR: each API detail endpoint answers 404 to the public for every hidden id, and for junk ids."""
    client = Client()
    hidden = {
        "incidents": [world["draft"].pk, world["retracted"].pk],
        "cases": [world["draft_case"].pk, world["retracted_case"].pk],
        "hearings": list(world["draft_case"].hearings.values_list("pk", flat=True))
        + list(world["retracted_case"].hearings.values_list("pk", flat=True)),
    }
    detail_routes = [r for r in all_routes() if r.area == "api" and r.name and r.name.endswith("-detail")]
    assert {r.name for r in detail_routes} == {
        "api:incident-detail",
        "api:case-detail",
        "api:hearing-detail",
        "api:court-detail",
    }
    for endpoint, pks in hidden.items():
        for pk in [*pks, 999999, "abc", "-1", "1.5"]:
            response = client.get(f"/api/{endpoint}/{pk}/")
            assert response.status_code == NOT_FOUND, (endpoint, pk, response.status_code)
    assert client.get("/api/courts/999999/").status_code == NOT_FOUND


@pytest.mark.parametrize("cited_by", ["link", "attribution"])
def test_monitor_cannot_change_a_source_a_published_incident_cites(world, django_user_model, cited_by):
    """Issue 14 item 6: a source cited by a published incident, by a source link or only through an
    attribution, is read-only for a monitor (change view without the save buttons, POST 403); a
    source cited by a draft alone stays theirs to fix; an editor may change either."""
    from django.urls import reverse

    from incidents.models import Source

    cited = f.SourceFactory(title="Cited report", url="https://example.org/report")
    if cited_by == "link":
        f.IncidentSourceFactory(incident=world["published"], source=cited)
    else:
        f.AttributionFactory(incident=world["published"], organisation=f.OrganisationFactory(), source=cited)
    f.AttributionFactory(incident=world["draft"], organisation=f.OrganisationFactory(), source=cited)
    draft_only = world["draft"].source_links.get().source
    monitor = client_for(MONITOR, django_user_model)

    def change(client, source, title):
        from tests.admin_forms import changeform_data

        url = reverse("admin:incidents_source_change", args=[source.pk])
        if client.get(url).context["has_change_permission"]:
            return client.post(url, changeform_data(client, url, title=title))
        return client.post(url, {"title": title, "url": "https://example.org/rewritten"})

    page = monitor.get(reverse("admin:incidents_source_change", args=[cited.pk]))
    assert (page.status_code, page.context["has_change_permission"]) == (OK, False)
    assert change(monitor, cited, "Rewritten").status_code == FORBIDDEN
    cited.refresh_from_db()
    assert (cited.title, cited.url) == ("Cited report", "https://example.org/report")
    assert change(monitor, draft_only, "Fixed draft source").status_code == REDIRECT
    assert Source.objects.get(pk=draft_only.pk).title == "Fixed draft source"
    editor = client_for(EDITOR, django_user_model)
    assert change(editor, cited, "Corrected by an editor").status_code == REDIRECT
    assert Source.objects.get(pk=cited.pk).title == "Corrected by an editor"
