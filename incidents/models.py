"""What happened: incidents, where, to whom, who is said to be responsible, and the sources.

Visibility to the public is decided in one place: each model's QuerySet has `public()` and
`visible_to(user)`, and each model lists the fields the public may see in `PUBLIC_FIELDS`
(see `core/visibility.py`).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import NotSupportedError, models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import clock
from core.models import PublishableModel, PublishableQuerySet, Status, choice_label, not_before
from core.visibility import AllPublicQuerySet, VisibilityQuerySet

# Pakistan's bounding box, with a small margin: coordinates outside it are data-entry errors.
PAKISTAN_LATITUDE = (23.5, 37.2)
PAKISTAN_LONGITUDE = (60.8, 77.9)


def normalise_name(value: str) -> str:
    """The key names are matched on: trimmed, case-folded, inner spaces collapsed."""
    return " ".join(str(value).split()).casefold()


def urdu_active() -> bool:
    """Whether the page being made is in Urdu (under /ur/): places and groups then show their Urdu name."""
    return translation.get_language() == "ur"


def name_ur_field(help_text: str) -> models.CharField:
    """The "name in Urdu" of a place or group: set by an editor or seeded from a cited source
    (seeds/); Urdu pages show it (``display_name``), English pages and data keep ``name``."""
    return models.CharField(_("Name in Urdu"), max_length=120, blank=True, help_text=help_text)


class AliasedQuerySet(AllPublicQuerySet):
    """Reference lists: all public; looked up by name, slug or alias."""

    def lookup_table(self) -> dict[str, models.Model]:
        """Map every normalised name, slug and alias to its row (one query)."""
        table: dict[str, models.Model] = {}
        for row in self:
            for key in [row.name, row.slug, *row.alias_list()]:
                table.setdefault(normalise_name(key), row)
        return table

    def lookup(self, name: str):
        """The row whose name, slug or alias matches `name`, or None."""
        return self.lookup_table().get(normalise_name(name))


class AliasedModel(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    aliases = models.TextField(
        _("aliases"),
        blank=True,
        help_text=_(
            "Other spellings found in sources, one per line (e.g. KPK, NWFP). "
            "Imports and filters match names, slugs and aliases, trimmed and case-insensitively."
        ),
    )

    objects = AliasedQuerySet.as_manager()

    class Meta:
        abstract = True
        # Case-blind, so "al Qaeda" sorts with the A's on SQLite and PostgreSQL alike.
        ordering = [Lower("name")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name a page shows: the Urdu name on Urdu pages where one is set, else the English name.

        The one place that decides; the API, CSV and imports read ``name`` itself."""
        return self.name_ur if self.name_ur and urdu_active() else self.name

    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


class Province(AliasedModel):
    PUBLIC_FIELDS = ("id", "name", "slug")

    name_ur = name_ur_field(
        _(
            "As written in the Urdu text of the Constitution (Article 1) and on the provincial "
            "government's site; leave blank to show the English name."
        )
    )

    class Meta(AliasedModel.Meta):
        verbose_name = _("province or territory")
        verbose_name_plural = _("provinces and territories")


class City(models.Model):
    PUBLIC_FIELDS = ("id", "name", "slug", "province", "district")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="cities", verbose_name=_("province"))
    district = models.CharField(_("district"), max_length=120, blank=True)
    aliases = models.TextField(
        _("aliases"),
        blank=True,
        help_text=_("Other spellings found in sources, one per line (e.g. D.I. Khan, Dera Ismail Khan)."),
    )
    name_ur = name_ur_field(
        _(
            "As written on the provincial government's or the Election Commission's Urdu pages; "
            "leave blank to show the English name."
        )
    )

    objects = AliasedQuerySet.as_manager()

    class Meta:
        ordering = [Lower("name")]
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        constraints = [
            models.UniqueConstraint(fields=["province", "name"], name="city_unique_name_in_province"),
        ]

    def __str__(self) -> str:
        return self.display_name

    display_name = AliasedModel.display_name
    alias_list = AliasedModel.alias_list


class Community(AliasedModel):
    PUBLIC_FIELDS = ("id", "name", "slug")

    name_ur = name_ur_field(
        _("As written in the tracker's Urdu glossary (docs/urdu-glossary.md); leave blank to show the English name.")
    )

    class Meta(AliasedModel.Meta):
        verbose_name = _("community")
        verbose_name_plural = _("communities")


class Organisation(AliasedModel):
    PUBLIC_FIELDS = ("id", "name", "slug", "abbreviation", "proscribed", "proscribed_on", "umbrella")

    name_ur = name_ur_field(
        _(
            "As written in the Urdu list of proscribed organisations (NACTA) or the Urdu press; "
            "leave blank to show the English name."
        )
    )
    abbreviation = models.CharField(_("abbreviation"), max_length=30, blank=True)
    proscribed = models.BooleanField(
        _("proscribed"),
        default=False,
        help_text=_("Banned by the federal government under the ATA 1997 (First Schedule)."),
    )
    proscribed_on = models.DateField(
        _("proscribed on"), null=True, blank=True, help_text=_("Date of the proscription notification.")
    )
    proscription_verified = models.BooleanField(
        _("proscription verified"),
        default=False,
        help_text=_(
            "Tick once the proscription status has been checked against the Ministry of Interior / "
            "NACTA list or a published report of the notification. Until then an organisation not marked "
            'proscribed reads "Proscription not verified", never "Not proscribed".'
        ),
    )
    umbrella = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("umbrella"),
        help_text=_("The wider group this one belongs to or was renamed into (e.g. SSP → ASWJ)."),
    )

    class Meta(AliasedModel.Meta):
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def get_absolute_url(self) -> str:
        return reverse("incidents:organisation_detail", args=[self.pk])

    @property
    def proscription_status(self) -> str:
        """What the pages may say: "proscribed", "not_proscribed" (checked) or "unverified".

        A recorded proscription is stated as such; "not proscribed" only once someone checked.
        """
        if self.proscribed:
            return "proscribed"
        return "not_proscribed" if self.proscription_verified else "unverified"


class AttackType(models.TextChoices):
    TARGET_KILLING = "target_killing", _("Target killing")
    SUICIDE_BOMBING = "suicide_bombing", _("Suicide bombing")
    BOMBING = "bombing", _("Bombing (planted, IED, grenade)")
    ARMED_ASSAULT = "armed_assault", _("Armed assault")
    MOB_VIOLENCE = "mob_violence", _("Mob violence (incl. arson, lynching)")
    ABDUCTION = "abduction", _("Abduction")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class SourceQuerySet(VisibilityQuerySet):
    def public(self):
        """Sources cited by at least one published incident."""
        return self.filter(pk__in=IncidentSource.objects.public().values("source_id"))


class Source(models.Model):
    PUBLIC_FIELDS = ("id", "title", "publisher", "url", "published_on", "citation")

    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    url = models.URLField(_("url"), max_length=500, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    citation = models.TextField(_("citation"), blank=True, help_text=_("How to cite the source, as its authors ask."))
    is_synthetic = models.BooleanField(default=False, editable=False)

    objects = SourceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.title


class JusticeStatus(models.TextChoices):
    """Where an incident's court record stands (DESIGN.md "Metrics"), from the published cases only.

    Each incident has exactly one: the first in ``JUSTICE_STATUS_ORDER`` whose condition holds (the
    conditions are the cases app's, ``cases.justice.status_conditions``), else not yet researched.
    """

    NOT_RESEARCHED = "not_researched", _("Not yet researched")
    NOTHING_FOUND = "nothing_found", _("Researched, no case found")
    CASE_REGISTERED = "case_registered", _("Case registered, nobody charged yet")
    TRIAL_PENDING = "trial_pending", _("Trial pending")
    CONVICTED = "convicted", _("Convicted (conviction stands)")
    ACQUITTED = "acquitted", _("Acquitted, nobody convicted")
    CONVICTION_OVERTURNED = "conviction_overturned", _("Conviction overturned on appeal")


# What each status means, for a reader: the incident page and the methodology say the same.
JUSTICE_STATUS_MEANING = {
    JusticeStatus.NOT_RESEARCHED: _(
        "Nobody has yet searched the courts and police for proceedings on this incident: "
        "the tracker cannot say whether anyone was tried."
    ),
    JusticeStatus.NOTHING_FOUND: _(
        "No published case; a monitor searched the courts and police and recorded the "
        "date of the search (whatever it found)."
    ),
    JusticeStatus.CASE_REGISTERED: _("A published case, but nobody is yet recorded as charged in it."),
    JusticeStatus.TRIAL_PENDING: _(
        "No conviction stands, and at least one accused still awaits a verdict: the "
        "trial is pending, was sent back for retrial on appeal, or was transferred to another court."
    ),
    JusticeStatus.CONVICTED: _(
        "At least one accused stands convicted: convicted at trial (or on a state appeal "
        "against an acquittal) and not overturned or sent back for retrial by the latest decided appeal."
    ),
    JusticeStatus.ACQUITTED: _(
        "Every accused has a final verdict and none is a conviction: acquitted, "
        "discharged, or the proceedings abated (the accused died)."
    ),
    JusticeStatus.CONVICTION_OVERTURNED: _(
        "Every accused has a final verdict, no conviction stands, and at least "
        "one trial conviction was overturned on appeal."
    ),
}

# Filter values that stand for several statuses: DESIGN.md's "researched" incidents, and those of
# them with no standing conviction (the impunity rate's "unpunished").
JUSTICE_STATUS_GROUPS = {
    "researched": (
        _("Researched (any status but “not yet researched”)"),
        tuple(s for s in JusticeStatus.values if s != JusticeStatus.NOT_RESEARCHED),
    ),
    "unpunished": (
        _("Researched, no conviction stands"),
        tuple(s for s in JusticeStatus.values if s not in (JusticeStatus.NOT_RESEARCHED, JusticeStatus.CONVICTED)),
    ),
}


def justice_status(within=None) -> models.Expression:
    """An Incident's ``JusticeStatus`` code as a database expression (a CASE over the cases app's
    conditions, in their order of precedence): one expression for the pages, the filter, CSV and API.
    ``within`` (a list of incident ids): the expression holds for those incidents only, and reads
    only their cases (a page's rows, rather than every case for 50 incidents): ``PageJusticeStatus``.
    """
    if within is not None:
        return PageJusticeStatus(within)
    return _status_case(page=False)


def _status_case(page: bool) -> models.Case:
    """The CASE over the cases app's conditions (``page``: narrowed to a page, ``PageJusticeStatus``).

    The cases app builds on this one (it imports incidents, never the reverse): its conditions are
    reached through the app registry.
    """
    from django.apps import apps

    conditions = apps.get_app_config("cases").justice_status_conditions(page=page)
    return models.Case(
        *[models.When(condition, then=models.Value(code)) for code, condition in conditions],
        default=models.Value(JusticeStatus.NOT_RESEARCHED),
        output_field=models.CharField(),
    )


class PageJusticeStatus(models.Expression):
    """``justice_status`` of some incidents (a page's rows), from their own cases only: the CASE
    narrowed to the incidents and their cases, both lists given as one parameter each.

    Its SQL is the same for every page: built and compiled once per process and database vendor
    (the ORM spends far longer building and compiling its many subqueries than the database spends
    running them), the ids filled in for each query (``cases.justice.Within.fill``). The SQL names
    the incident table itself, so the expression is for a query on incidents, not nested in another.
    """

    output_field = models.CharField()
    _compiled: dict[str, tuple[str, list]] = {}  # vendor -> (sql, params with placeholders)

    def __init__(self, incident_ids):
        from django.apps import apps

        super().__init__()
        self.within = apps.get_app_config("cases").justice_status_page(incident_ids)  # one query
        self.alias = None

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        resolved = self.copy()
        resolved.alias = query.get_initial_alias() if query is not None else None
        return resolved

    def relabeled_clone(self, change_map):
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def as_sql(self, compiler, connection):
        if self.alias != Incident._meta.db_table:
            raise NotSupportedError("A page's justice status is for a query on incidents, not nested in another.")
        if connection.vendor not in self._compiled:
            query = Incident.objects.annotate(justice_status=_status_case(page=True)).query
            compiled = query.get_compiler(connection=connection).compile(query.annotations["justice_status"])
            self._compiled[connection.vendor] = compiled
        sql, params = self._compiled[connection.vendor]
        return sql, self.within.fill(params, connection)


class IncidentQuerySet(PublishableQuerySet):
    def visible_to(self, user):
        """As for every record, but staff do not see merged-away duplicates either: they live on in
        the incident they were merged into (their pages redirect there, `survivor_url`)."""
        return super().visible_to(user).exclude(status=Status.MERGED)

    def survivor_of(self, pk) -> Incident | None:
        """The incident that the merged-away incident `pk` lives on in (following later merges), or None."""
        if not str(pk).isdigit():
            return None
        incident = self.filter(pk=int(pk), status=Status.MERGED).only("merged_into_id").first()
        seen = set()
        while incident is not None and incident.merged_into_id and incident.pk not in seen:
            seen.add(incident.pk)
            incident = self.filter(pk=incident.merged_into_id).only("status", "merged_into_id").first()
            if incident is not None and incident.status != Status.MERGED:
                return incident
        return None

    def with_related(self):
        """What list pages, the API and CSV need, in a constant number of queries."""
        return self.select_related("province", "city").prefetch_related("communities")

    def with_sources(self):
        """Each incident's sources, by title, for pages that cite them (one query more)."""
        links = IncidentSource.objects.select_related("source").order_by("source__title", "id")
        return self.prefetch_related(models.Prefetch("source_links", queryset=links))

    def with_justice_status(self, within=None):
        """Annotate each incident with ``justice_status``, its ``JusticeStatus`` code (published cases only,
        whoever reads: a draft or retracted case never changes it). ``within``: the incident ids the
        rows are among (see ``justice_status``), for a page of rows cut from a large set."""
        return self.annotate(justice_status=justice_status(within))


class Incident(PublishableModel):
    PUBLIC_FIELDS = (
        "id",
        "title",
        "date",
        "province",
        "city",
        "locality",
        "latitude",
        "longitude",
        "attack_type",
        "communities",
        "killed",
        "injured",
        "description",
        "status",
        "published_at",
        "updated_at",
    )

    title = models.CharField(_("title"), max_length=300)
    date = models.DateField(_("date"), db_index=True, help_text=_("Date of the attack (local date in Pakistan)."))
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("province")
    )
    city = models.ForeignKey(
        City, null=True, blank=True, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("city")
    )
    locality = models.CharField(
        _("locality"), max_length=300, blank=True, help_text=_('Free text, e.g. "Alamdar Road".')
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    attack_type = models.CharField(
        _("attack type"), max_length=20, choices=AttackType.choices, default=AttackType.UNKNOWN
    )
    communities = models.ManyToManyField(
        Community,
        blank=True,
        related_name="incidents",
        verbose_name=_("communities"),
        help_text=_("The communities targeted."),
    )
    killed = models.PositiveIntegerField(
        _("killed"),
        null=True,
        blank=True,
        help_text=_(
            "The tracker's figure for people killed, from the best source (each source's own "
            "figure is kept on its source link). Leave empty when unknown: 0 means nobody was killed."
        ),
    )
    injured = models.PositiveIntegerField(
        _("injured"),
        null=True,
        blank=True,
        help_text=_("People injured. Leave empty when unknown: 0 means nobody was injured."),
    )
    description = models.TextField(_("description"), blank=True)
    court_record_checked_on = models.DateField(
        _("court record checked on"),
        null=True,
        blank=True,
        help_text=_(
            "The day a monitor last searched the courts and police for proceedings on this incident, "
            "whatever was found. An incident with this date or a published case counts as researched: only "
            "researched incidents enter the impunity rate."
        ),
    )
    sources = models.ManyToManyField(
        Source, through="IncidentSource", related_name="incidents", verbose_name=_("sources")
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        editable=False,
        verbose_name=_("merged into"),
        help_text=_(
            "Set when this incident was found to record the same event as another and merged into it: "
            "its sources, figures, attributions, victims and case links moved there; its pages redirect there."
        ),
    )

    objects = IncidentQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[communities])

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        permissions = [
            ("publish_incident", "Can publish or retract incidents"),
            ("import_incidents", "Can import incident datasets"),
        ]
        # The Atom feed's order. Sorting by killed/injured (NULLS LAST) and the trigram indexes of the
        # text search are PostgreSQL-only: see migrations/0002_indexes_and_search.py.
        indexes = [models.Index(fields=["-updated_at", "-id"], name="incident_updated_desc")]
        constraints = [
            models.CheckConstraint(condition=Q(killed__gte=0), name="incident_killed_not_negative"),
            models.CheckConstraint(condition=Q(injured__gte=0), name="incident_injured_not_negative"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=PAKISTAN_LATITUDE[0],
                    latitude__lte=PAKISTAN_LATITUDE[1],
                    longitude__gte=PAKISTAN_LONGITUDE[0],
                    longitude__lte=PAKISTAN_LONGITUDE[1],
                ),
                name="incident_coordinates_in_pakistan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("incidents:incident_detail", args=[self.pk])

    @property
    def attack_type_label(self) -> str:
        """``get_attack_type_display()`` for a list's rows (``choice_label``): Django's builds a
        dict of every choice, translating each label to hash it, on every call."""
        return choice_label(AttackType, self.attack_type)

    @property
    def justice_status_label(self) -> str:
        """The label of the ``justice_status`` annotation (``IncidentQuerySet.with_justice_status``)."""
        return choice_label(JusticeStatus, self.justice_status)

    @property
    def justice_status_meaning(self) -> str:
        return JUSTICE_STATUS_MEANING[self.justice_status]

    def check_publishable(self) -> None:
        """A published incident has at least one source."""
        if not self.pk or not self.source_links.exists():
            raise ValidationError(
                _("“%(incident)s” has no source yet: a published incident needs at least one.") % {"incident": self}
            )

    def clean(self) -> None:
        errors = {}
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = _(
                "Give both latitude and longitude, or neither."
            )
        elif self.latitude is not None:
            if not PAKISTAN_LATITUDE[0] <= float(self.latitude) <= PAKISTAN_LATITUDE[1]:
                errors["latitude"] = _("Latitude must lie in Pakistan (%(low)s to %(high)s).") % {
                    "low": PAKISTAN_LATITUDE[0],
                    "high": PAKISTAN_LATITUDE[1],
                }
            if not PAKISTAN_LONGITUDE[0] <= float(self.longitude) <= PAKISTAN_LONGITUDE[1]:
                errors["longitude"] = _("Longitude must lie in Pakistan (%(low)s to %(high)s).") % {
                    "low": PAKISTAN_LONGITUDE[0],
                    "high": PAKISTAN_LONGITUDE[1],
                }
        if self.city_id and self.province_id and self.city.province_id != self.province_id:
            errors["city"] = _("%(city)s is in %(province)s, not in the province chosen.") % {
                "city": self.city,
                "province": self.city.province,
            }
        if self.court_record_checked_on is not None:
            if self.date and self.court_record_checked_on < self.date:
                errors["court_record_checked_on"] = _("The court record cannot be checked before the incident.")
            elif self.court_record_checked_on > clock.today():
                errors["court_record_checked_on"] = _("The court record check cannot be in the future.")
        if errors:
            raise ValidationError(errors)

    def record_court_check(self, user, day: datetime.date) -> CourtRecordCheck | None:
        """Record that ``user`` searched the courts and police for proceedings on this incident on
        ``day`` and found nothing: the incident then counts as researched.

        Whoever may change the incident (editors; monitors on drafts) sets its date at once, kept
        in its history. A monitor cannot change a published incident, so a monitor's check of one
        waits in the review queue as a ``CourtRecordCheck`` until an editor confirms it (returned).
        """
        from tracker.roles import can_edit_incident  # tracker.roles is imported by the admin too

        if can_edit_incident(user, self):
            self.set_court_record_checked(user, day, reason=f"Court record checked on {day:%d %b %Y}: nothing found.")
            return None
        if not user.has_perm("incidents.change_incident"):
            raise PermissionDenied(_("Only editors and legal monitors record court-record checks."))
        check, _created = CourtRecordCheck.objects.update_or_create(
            incident=self, defaults={"checked_on": day, "checked_by": user}
        )
        return check

    def set_court_record_checked(self, user, day: datetime.date, reason: str) -> None:
        """Set ``court_record_checked_on`` to ``day`` (an earlier check is kept), with who and why in the history."""
        if self.court_record_checked_on is not None and self.court_record_checked_on >= day:
            return
        self.court_record_checked_on = day
        self.updated_by = user
        self._history_user = user
        self._change_reason = reason
        self.save(update_fields=["court_record_checked_on", "updated_by", "updated_at"])


class CourtRecordCheck(models.Model):
    """A legal monitor's report that the court record of a published incident was searched and
    nothing was found, waiting for an editor: monitors change published incidents only through
    review (DESIGN.md "Who sees what"). Confirming it sets the incident's
    ``court_record_checked_on`` (kept in the incident's history, naming the monitor) and removes
    it; discarding it removes it. One waits per incident at most: a later check replaces it."""

    incident = models.OneToOneField(
        Incident, on_delete=models.CASCADE, related_name="court_record_check", verbose_name=_("incident")
    )
    checked_on = models.DateField(
        _("checked on"), help_text=_("The day the monitor searched the courts and police and found nothing.")
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("checked by"),
        help_text=_("The monitor."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("court-record check awaiting review")
        verbose_name_plural = _("court-record checks awaiting review")

    def __str__(self) -> str:
        return f"{self.incident}: court record checked on {self.checked_on:%d %b %Y}, nothing found"

    def confirm(self, user) -> None:
        """An editor confirms the check: the incident's date is set and this report removed."""
        with transaction.atomic():
            who = self.checked_by.get_username() if self.checked_by else "a monitor"
            reason = f"Court record checked by {who} on {self.checked_on:%d %b %Y}: nothing found (confirmed)."
            self.incident.set_court_record_checked(user, self.checked_on, reason=reason)
            self.delete()


class IncidentSourceQuerySet(VisibilityQuerySet):
    def public(self):
        return self.filter(incident__status=Status.PUBLISHED)


class IncidentSource(models.Model):
    """A source's account of an incident, with its own figures: sources disagree."""

    PUBLIC_FIELDS = (
        "id",
        "incident",
        "source",
        "reported_killed",
        "reported_killed_max",
        "reported_injured",
        "reported_injured_max",
        "note",
    )

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="source_links", verbose_name=_("incident")
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="incident_links", verbose_name=_("source")
    )
    reported_killed = models.PositiveIntegerField(
        _("reported killed"),
        null=True,
        blank=True,
        help_text=_("Killed according to this source (its lower figure if it gives a range)."),
    )
    reported_killed_max = models.PositiveIntegerField(
        _("reported killed max"),
        null=True,
        blank=True,
        help_text=_("The upper figure, when the source gives a range."),
    )
    reported_injured = models.PositiveIntegerField(
        _("reported injured"),
        null=True,
        blank=True,
        help_text=_("Injured according to this source (its lower figure if it gives a range)."),
    )
    reported_injured_max = models.PositiveIntegerField(
        _("reported injured max"),
        null=True,
        blank=True,
        help_text=_("The upper figure, when the source gives a range."),
    )
    note = models.TextField(
        _("note"), blank=True, help_text=_('What the source says that is not a plain figure, e.g. "100+ injured".')
    )
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        blank=True,
        help_text=_(
            "The record's identity in the source dataset (e.g. Pakistan Body Count S#), "
            "so that re-importing the dataset finds this incident instead of duplicating it."
        ),
    )
    attached = models.BooleanField(
        _("attached"),
        default=False,
        help_text=_(
            "This source's account was attached to an incident first recorded from another source "
            "(a duplicate found at import, or a merge): re-importing it updates only its own figures, never "
            "the incident's date, place or tolls."
        ),
    )

    objects = IncidentSourceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["incident", "source__title"]
        verbose_name = _("source of an incident")
        verbose_name_plural = _("sources of incidents")
        constraints = [
            models.UniqueConstraint(fields=["incident", "source"], name="incident_source_once"),
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="incident_source_external_id_unique",
            ),
            not_before("reported_killed_max", "reported_killed", name="incident_source_killed_range_ordered"),
            not_before("reported_injured_max", "reported_injured", name="incident_source_injured_range_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.source} on {self.incident}"

    def clean(self) -> None:
        errors = {}
        for low, high in [("reported_killed", "reported_killed_max"), ("reported_injured", "reported_injured_max")]:
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and hi < lo:
                errors[high] = _("The upper figure cannot be below the lower one.")
        if errors:
            raise ValidationError(errors)


class AttributionKind(models.TextChoices):
    CLAIMED = "claimed", _("Claimed responsibility")
    SUSPECTED = "suspected", _("Suspected")
    NAMED_BY_OFFICIALS = "named_by_officials", _("Named by officials")
    CONVICTED = "convicted", _("Convicted by a court")


class ChildOfIncidentQuerySet(VisibilityQuerySet):
    def public(self):
        return self.filter(incident__status=Status.PUBLISHED)


class Attribution(models.Model):
    PUBLIC_FIELDS = ("id", "incident", "organisation", "kind", "source")

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="attributions", verbose_name=_("incident")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="attributions", verbose_name=_("organisation")
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=AttributionKind.choices,
        help_text=_("How the organisation is linked: its own claim, suspicion, officials' statement, or a conviction."),
    )
    source = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attributions",
        verbose_name=_("source"),
        help_text=_("Where the claim or statement was reported."),
    )

    objects = ChildOfIncidentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["incident", "organisation__name"]
        verbose_name = _("attribution")
        verbose_name_plural = _("attributions")
        constraints = [
            models.UniqueConstraint(fields=["incident", "organisation", "kind"], name="attribution_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_kind_display()})"


class IncidentOrganisation(models.Model):
    """Each (incident, organisation) pair linked by at least one attribution, once: a database view
    over Attribution (migration 0006), nothing stored. The organisation figures group the incidents
    through it, so an organisation both claimed and suspected of an attack counts it once. ``id``
    is one of the pair's attributions (the first by kind; migration 0013). Read only."""

    id = models.BigIntegerField(primary_key=True)
    incident = models.ForeignKey(Incident, on_delete=models.DO_NOTHING, related_name="organisation_links")
    organisation = models.ForeignKey(Organisation, on_delete=models.DO_NOTHING, related_name="incident_links")

    class Meta:
        managed = False
        db_table = "incidents_incident_organisation"

    def __str__(self) -> str:
        return f"{self.incident_id} ↔ {self.organisation_id}"


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class VictimOutcome(models.TextChoices):
    KILLED = "killed", _("Killed")
    INJURED = "injured", _("Injured")


class Victim(models.Model):
    """A person harmed. The name is confidential unless `is_public` is set."""

    PUBLIC_FIELDS = ("id", "incident", "public_name", "age", "gender", "community", "occupation", "outcome")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="victims", verbose_name=_("incident"))
    name = models.CharField(
        _("name"), max_length=200, blank=True, help_text=_("Confidential unless 'name is public' is ticked.")
    )
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN)
    community = models.ForeignKey(
        Community,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="victims",
        verbose_name=_("community"),
    )
    occupation = models.CharField(_("occupation"), max_length=120, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=VictimOutcome.choices)
    is_public = models.BooleanField(
        _("name is public"),
        default=False,
        help_text=_("Tick only when the family consents or the name is already widely published."),
    )

    objects = ChildOfIncidentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["incident", "id"]
        verbose_name = _("victim")
        verbose_name_plural = _("victims")
        constraints = [
            models.CheckConstraint(condition=Q(age__lte=120), name="victim_age_plausible"),
        ]

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        return self.name if self.is_public and self.name else str(_("Name withheld"))


class ImportRun(models.Model):
    """One run of import_incidents (from the command line or the admin): who, what, counts.

    An import from the admin runs on the job queue (incidents/import_queue.py): the row is made
    "queued" when the file is uploaded (or the preview confirmed), "running" when a worker takes it,
    and "done" or "failed" when it ends; a command-line run is logged when it ends.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed: nothing written")

    file_name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    format = models.CharField(max_length=100, help_text=_("Built-in format name, or 'mapping'."))
    mapping = models.JSONField(null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    publish = models.BooleanField(default=False)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ok = models.BooleanField(default=False, help_text=_("False when the run stopped on an error and wrote nothing."))
    rows_read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    report = models.TextField(blank=True, help_text=_("The summary and any errors, as printed."))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DONE)
    queued_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the admin queued it (empty: the command).")
    )
    stored_file = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("The uploaded file in the import folder, while it waits to be imported."),
    )
    preview = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="confirmations",
        help_text=_("The dry run this import was confirmed from."),
    )
    corrected = models.PositiveIntegerField(
        default=0,
        help_text=_("Published incidents whose public figures the import changed (a dry run: would change)."),
    )
    reason = models.TextField(blank=True, help_text=_("The reason for the correction, shown in the corrections log."))
    attach_duplicates_above = models.FloatField(
        null=True,
        blank=True,
        help_text=_(
            "Rows probably recording an incident already in the tracker with this score (0 to 1) or more "
            "became a further source of it instead of a new incident; empty: such rows were only reported."
        ),
    )

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self) -> str:
        # In Pakistan time (settings.TIME_ZONE), like the fields the admin shows beside it.
        return f"{self.file_name} at {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"


class PairDecision(models.TextChoices):
    PROPOSED = "proposed", _("Proposed as the same event")
    NOT_SAME = "not_same", _("Not the same event")
    MERGED = "merged", _("Merged")


class DuplicatePair(models.Model):
    """A person's word on two incidents that may record the same event (issue 17).

    A monitor proposes a pair; an editor merges it or says "not the same". A pair marked not the
    same is never proposed again by `find_duplicates`. The pair is stored with the lower id first,
    so each pair has one row whichever way round it was met.
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=10, choices=PairDecision.choices)
    score = models.FloatField(null=True, blank=True, help_text=_("The matching score when the pair was decided."))
    note = models.TextField(blank=True, help_text=_("Staff only: why."))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("duplicate pair")
        verbose_name_plural = _("duplicate pairs")
        constraints = [
            models.UniqueConstraint(fields=["incident", "other"], name="duplicate_pair_once"),
            models.CheckConstraint(condition=Q(incident__lt=models.F("other")), name="duplicate_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"#{self.incident_id} / #{self.other_id}: {self.get_decision_display()}"

    @staticmethod
    def ordered(a: int, b: int) -> tuple[int, int]:
        return (a, b) if a < b else (b, a)
