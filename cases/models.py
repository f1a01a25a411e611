"""What the justice system did: courts, cases, accused, charges, hearings, appeals.

Imports `incidents`, never the reverse. Public visibility: a case is public when published;
its charges, hearings and appeals are public when the case is. A juvenile accused's name and
a case's confidential notes are never public (see `PUBLIC_FIELDS` and `core/visibility.py`).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core import clock
from core.models import PublishableModel, PublishableQuerySet, Status, choice_label, not_before
from core.visibility import AllPublicQuerySet, VisibilityQuerySet
from incidents.models import Incident, Organisation

from . import dates
from .workdays import working_days_between


class CourtKind(models.TextChoices):
    ATC = "atc", _("Anti-Terrorism Court")
    HIGH_COURT = "high_court", _("High Court")
    SUPREME_COURT = "supreme_court", _("Supreme Court")
    SESSIONS = "sessions", _("Sessions court")
    MILITARY = "military", _("Military court")


class Court(models.Model):
    PUBLIC_FIELDS = ("id", "name", "kind", "city")

    name = models.CharField(
        _("name"), max_length=200, unique=True, help_text=_('e.g. "Anti-Terrorism Court II, Karachi".')
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CourtKind.choices, default=CourtKind.ATC)
    city = models.ForeignKey(
        "incidents.City",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="courts",
        verbose_name=_("city"),
    )
    is_synthetic = models.BooleanField(default=False, editable=False)

    objects = AllPublicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("court")
        verbose_name_plural = _("courts")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cases:court_detail", args=[self.pk])


class Offence(models.Model):
    PUBLIC_FIELDS = ("id", "code", "title")

    code = models.CharField(_("code"), max_length=60, unique=True, help_text=_('e.g. "ATA 1997 s.7(a)", "PPC s.302".'))
    title = models.CharField(_("title"), max_length=200)
    source = models.ForeignKey(
        "incidents.Source",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="offences",
        verbose_name=_("source"),
        help_text=_("The statute the code and title are taken from."),
    )

    objects = AllPublicQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("offence")
        verbose_name_plural = _("offences")

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"


class Holiday(models.Model):
    """A gazetted public holiday: not a working day for the ATA s.19(7) clock."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=120)

    objects = AllPublicQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class Stage(models.TextChoices):
    """Stages of a case, in order."""

    FIR_REGISTERED = "fir_registered", _("FIR registered")
    UNDER_INVESTIGATION = "under_investigation", _("Under investigation")
    CHALLAN_SUBMITTED = "challan_submitted", _("Challan submitted")
    COGNIZANCE_TAKEN = "cognizance_taken", _("Cognizance taken")
    CHARGE_FRAMED = "charge_framed", _("Charge framed")
    PROSECUTION_EVIDENCE = "prosecution_evidence", _("Prosecution evidence")
    DEFENCE_EVIDENCE = "defence_evidence", _("Defence evidence (s.342 statements)")
    ARGUMENTS = "arguments", _("Arguments")
    JUDGMENT_RESERVED = "judgment_reserved", _("Judgment reserved")
    DECIDED = "decided", _("Decided")
    TRANSFERRED = "transferred", _("Transferred")
    ON_APPEAL = "on_appeal", _("On appeal")
    CLOSED = "closed", _("Closed")


STAGE_ORDER = {value: index for index, value in enumerate(Stage.values)}
# A case at one of these stages is no longer pending, judgment or not (CaseQuerySet.pending).
NOT_PENDING_STAGES = (Stage.TRANSFERRED, Stage.CLOSED, Stage.DECIDED, Stage.ON_APPEAL)


class CaseQuerySet(PublishableQuerySet):
    def with_related(self):
        """What list pages, the API and CSV need, in a constant number of queries."""
        return self.select_related("court", "court__city", "transferred_to").prefetch_related("incidents")

    def with_charge_counts(self):
        """Annotate each case with `accused_count` and `<verdict>_count` per verdict.

        Counted over a join with the charges, grouped by case: for a page of rows (the case list adds
        them to the page's own query, ``paginate``'s ``for_page``), never to a whole list, whose COUNT
        and ordering must not read the charges. Distinct charge ids: a join that a filter or an
        ordering adds can never count a charge twice.
        """
        counts = {f"{verdict}_count": Q(charges__verdict=verdict) for verdict in Verdict.values}
        return self.annotate(
            accused_count=models.Count("charges", distinct=True),
            **{name: models.Count("charges", filter=condition, distinct=True) for name, condition in counts.items()},
        )

    def decided(self):
        return self.filter(judgment_date__isnull=False, cognizance_date__isnull=False)

    def pending(self):
        """Cases still before the court: no judgment and not transferred or closed."""
        return self.filter(judgment_date__isnull=True).exclude(stage__in=NOT_PENDING_STAGES)


class Case(PublishableModel):
    PUBLIC_FIELDS = (
        "id",
        "incidents",
        "court",
        "case_number",
        "fir_number",
        "fir_date",
        "police_station",
        "offences",
        "challan_date",
        "cognizance_date",
        "charge_framed_date",
        "judgment_date",
        "stage",
        "transferred_to",
        "transferred_on",
        "status",
        "last_verified_on",
        "public_notes",
        "updated_at",
    )

    incidents = models.ManyToManyField(Incident, blank=True, related_name="cases", verbose_name=_("incidents"))
    court = models.ForeignKey(
        Court,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("court"),
        help_text=_("The trial court."),
    )
    case_number = models.CharField(
        _("case number"), max_length=100, blank=True, help_text=_('The court\'s number, e.g. "Special Case 12/2013".')
    )
    fir_number = models.CharField(
        _("fir number"), max_length=100, blank=True, help_text=_("First Information Report number.")
    )
    fir_date = models.DateField(_("fir date"), null=True, blank=True, help_text=_("Date the FIR was registered."))
    police_station = models.CharField(_("police station"), max_length=200, blank=True)
    offences = models.ManyToManyField(Offence, blank=True, related_name="cases", verbose_name=_("offences"))
    challan_date = models.DateField(
        _("challan date"),
        null=True,
        blank=True,
        help_text=_("Date the police report (CrPC s.173) naming the accused reached the court."),
    )
    cognizance_date = models.DateField(
        _("cognizance date"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Date the ATC formally took up the case. The ATA s.19(7) seven-working-day clock starts here."),
    )
    charge_framed_date = models.DateField(
        _("charge framed date"), null=True, blank=True, help_text=_("Date the charges were read to the accused.")
    )
    judgment_date = models.DateField(
        _("judgment date"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Date of the trial court's judgment. Ends the s.19(7) clock."),
    )
    stage = models.CharField(
        _("stage"), max_length=25, choices=Stage.choices, default=Stage.FIR_REGISTERED, db_index=True
    )
    transferred_to = models.ForeignKey(
        Court,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_received",
        verbose_name=_("transferred to"),
        help_text=_("Court the case was sent to (ATA s.23 transfer to an ordinary court, or a military court)."),
    )
    transferred_on = models.DateField(_("transferred on"), null=True, blank=True)
    last_verified_on = models.DateField(
        _("last verified on"),
        null=True,
        blank=True,
        help_text=_("When a monitor last checked this record against the court file."),
    )
    public_notes = models.TextField(_("public notes"), blank=True, help_text=_("Shown to the public."))
    confidential_notes = models.TextField(
        _("confidential notes"), blank=True, help_text=_("Staff only: never shown to the public.")
    )

    objects = CaseQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[incidents, offences])

    class Meta:
        ordering = ["-cognizance_date", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [("publish_case", "Can publish or retract cases")]
        constraints = [
            not_before("judgment_date", "cognizance_date", name="case_judgment_not_before_cognizance"),
            # Same-row orders of cases/dates.py (the cross-row rules are in clean()).
            not_before("cognizance_date", "fir_date", name="case_cognizance_not_before_fir"),
            not_before("charge_framed_date", "cognizance_date", name="case_charge_not_before_cognizance"),
            not_before("judgment_date", "charge_framed_date", name="case_judgment_not_before_charge"),
            models.CheckConstraint(
                condition=Q(transferred_on__isnull=True) | Q(transferred_to__isnull=False),
                name="case_transfer_date_needs_court",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        number = self.case_number or (f"FIR {self.fir_number}" if self.fir_number else f"#{self.pk}")
        return f"{number}, {self.court}" if self.court_id else number

    def get_absolute_url(self) -> str:
        return reverse("cases:case_detail", args=[self.pk])

    @property
    def stage_label(self) -> str:
        """``get_stage_display()`` for a list's rows (``choice_label``): Django's builds a
        dict of every choice, translating each label to hash it, on every call."""
        return choice_label(Stage, self.stage)

    def clean(self) -> None:
        """The dates of cases/dates.py (the form's incidents when it set `_incident_dates`), and the transfer."""
        incident_dates = getattr(self, "_incident_dates", None)
        if incident_dates is None and self.pk and self.fir_date:
            incident_dates = list(self.incidents.values_list("date", flat=True))
        errors = dates.case_errors(self, incident_dates)
        if self.transferred_on and not self.transferred_to_id:
            errors["transferred_to"] = _("Say which court the case was transferred to.")
        if errors:
            raise ValidationError(errors)

    # The ATA s.19(7) clock ------------------------------------------------------------
    def disposal_days(self) -> int | None:
        """Calendar days from cognizance to judgment, for a decided case."""
        if self.cognizance_date and self.judgment_date:
            return (self.judgment_date - self.cognizance_date).days
        return None

    def disposal_working_days(self) -> int | None:
        if self.cognizance_date and self.judgment_date:
            return working_days_between(self.cognizance_date, self.judgment_date)
        return None

    def working_days_since_cognizance(self, today: datetime.date | None = None, *, calendar=None) -> int | None:
        """Working days on the clock: to the judgment if decided, else to `today`.

        Pass a `WorkingCalendar` as `calendar` when asking about many cases: it loads the
        holidays once instead of once per case.
        """
        if not self.cognizance_date:
            return None
        end = self.judgment_date or today or clock.today()
        if calendar is not None:
            return calendar.between(self.cognizance_date, end)
        return working_days_between(self.cognizance_date, end)

    def days_since_cognizance(self, today: datetime.date) -> int | None:
        """Calendar days on the clock: from cognizance to the judgment if decided, else to `today`."""
        if not self.cognizance_date:
            return None
        return ((self.judgment_date or today) - self.cognizance_date).days

    def days_over_statutory_limit(self, today: datetime.date | None = None, *, calendar=None) -> int:
        """Working days beyond the seven of ATA s.19(7) (0 when within it or not started)."""
        used = self.working_days_since_cognizance(today, calendar=calendar)
        if used is None:
            return 0
        return max(0, used - settings.STATUTORY_LIMIT_WORKING_DAYS)

    def advance_stage(self, hearing: Hearing) -> list[str]:
        """Move the case on after `hearing`'s recorded outcome; save and return the changed fields.

        Judgment → decided (judgment_date = the hearing's date unless already set); reserved →
        judgment_reserved; proceeded → the stage the hearing was listed for. A case never moves
        back: a stage earlier in `Stage` order than the current one is ignored.
        """
        target = {
            HearingOutcome.JUDGMENT: Stage.DECIDED,
            HearingOutcome.RESERVED: Stage.JUDGMENT_RESERVED,
            HearingOutcome.PROCEEDED: hearing.purpose or None,
        }.get(hearing.outcome)
        changed = []
        if target and STAGE_ORDER[target] > STAGE_ORDER[self.stage]:
            self.stage = target
            changed.append("stage")
        if hearing.outcome == HearingOutcome.JUDGMENT and not self.judgment_date:
            self.judgment_date = hearing.date
            changed.append("judgment_date")
        if changed:
            self.save(update_fields=[*changed, "updated_at"])
        return changed


class CaseChildQuerySet(VisibilityQuerySet):
    case_path = "case"

    def public(self):
        return self.filter(**{f"{self.case_path}__status": Status.PUBLISHED})


class AccusedQuerySet(VisibilityQuerySet):
    def public(self):
        """Accused charged in at least one published case."""
        return self.filter(pk__in=Charge.objects.public().values("accused_id"))


class Accused(models.Model):
    """A person accused. A juvenile's name is never public."""

    PUBLIC_FIELDS = ("id", "public_name", "affiliation", "is_juvenile")

    name = models.CharField(_("name"), max_length=200, help_text=_("Confidential if the accused is a juvenile."))
    aliases = models.TextField(_("aliases"), blank=True, help_text=_("Other names, one per line."))
    affiliation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accused",
        verbose_name=_("affiliation"),
        help_text=_("Organisation the accused is said to belong to."),
    )
    is_juvenile = models.BooleanField(
        _("is juvenile"),
        default=False,
        help_text=_("Under 18 at the time of the offence: the name is never shown to the public."),
    )
    is_synthetic = models.BooleanField(default=False, editable=False)

    objects = AccusedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("accused")
        verbose_name_plural = pgettext_lazy("plural", "accused")

    def __str__(self) -> str:
        return self.name

    @property
    def public_name(self) -> str:
        return str(_("Juvenile (name withheld)")) if self.is_juvenile else self.name


class Custody(models.TextChoices):
    ARRESTED = "arrested", _("Arrested (in custody)")
    ON_BAIL = "on_bail", _("On bail")
    ABSCONDING = "absconding", _("Absconding")
    PROCLAIMED_OFFENDER = "proclaimed_offender", _("Proclaimed offender")
    DIED = "died", _("Died")
    RELEASED = "released", _("Released")


class Verdict(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONVICTED = "convicted", _("Convicted")
    ACQUITTED = "acquitted", _("Acquitted")
    DISCHARGED = "discharged", _("Discharged")
    ABATED = "abated", _("Abated")
    TRANSFERRED = "transferred", _("Transferred")


FINAL_VERDICTS = (Verdict.CONVICTED, Verdict.ACQUITTED, Verdict.DISCHARGED, Verdict.ABATED)


class SentenceKind(models.TextChoices):
    DEATH = "death", _("Death")
    LIFE = "life", _("Life imprisonment")
    YEARS = "years", _("Imprisonment for a term")
    FINE = "fine", _("Fine only")
    NONE = "none", pgettext_lazy("sentence", "None")


class Charge(models.Model):
    """One accused in one case: custody, verdict and sentence."""

    PUBLIC_FIELDS = (
        "id",
        "case",
        "accused",
        "custody",
        "verdict",
        "verdict_date",
        "sentence",
        "sentence_kind",
        "verdict_source",  # shown only when that document is public itself
    )

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="charges", verbose_name=_("case"))
    accused = models.ForeignKey(Accused, on_delete=models.PROTECT, related_name="charges", verbose_name=_("accused"))
    custody = models.CharField(_("custody"), max_length=20, choices=Custody.choices, default=Custody.ARRESTED)
    verdict = models.CharField(
        _("verdict"), max_length=20, choices=Verdict.choices, default=Verdict.PENDING, db_index=True
    )
    verdict_date = models.DateField(_("verdict date"), null=True, blank=True)
    sentence = models.TextField(
        _("sentence"), blank=True, help_text=_('As pronounced, e.g. "Death on two counts and fine Rs 200,000".')
    )
    sentence_kind = models.CharField(
        _("sentence kind"),
        max_length=10,
        choices=SentenceKind.choices,
        blank=True,
        help_text=_("The heaviest sentence, for counting."),
    )
    verdict_source = models.ForeignKey(
        "cases.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="verdicts",
        verbose_name=_("verdict source"),
        help_text=_(
            "The judgment or order the verdict is taken from: a document of this case. "
            "The case page links it beside the verdict when the document is public."
        ),
    )

    objects = CaseChildQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "id"]
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        constraints = [
            models.UniqueConstraint(fields=["case", "accused"], name="charge_accused_once_per_case"),
            models.CheckConstraint(
                condition=Q(verdict="pending") | Q(verdict="transferred") | Q(verdict_date__isnull=False),
                name="charge_final_verdict_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.accused} in {self.case}"

    def clean(self) -> None:
        errors = {}
        if self.verdict in FINAL_VERDICTS and not self.verdict_date:
            errors["verdict_date"] = _("Give the date of the verdict.")
        if self.verdict == Verdict.PENDING and self.verdict_date:
            errors["verdict_date"] = _("A pending charge has no verdict date.")
        if self.sentence_kind and self.verdict != Verdict.CONVICTED:
            errors["sentence_kind"] = _("Only a conviction carries a sentence.")
        if "verdict_date" not in errors and self.case_id:
            errors.update(dates.charge_errors(self, self.case.cognizance_date))
        if self.verdict_source_id and self.case_id and self.verdict_source.case_id != self.case_id:
            errors["verdict_source"] = _("Choose a document of this case.")
        if errors:
            raise ValidationError(errors)


class HearingOutcome(models.TextChoices):
    PROCEEDED = "proceeded", _("Proceeded")
    ADJOURNED = "adjourned", _("Adjourned")
    RESERVED = "reserved", _("Judgment reserved")
    JUDGMENT = "judgment", _("Judgment announced")
    NOT_TAKEN_UP = "not_taken_up", _("Not taken up")


class AdjournmentReason(models.TextChoices):
    JUDGE_ABSENT_OR_VACANT = "judge_absent_or_vacant", _("Judge absent or post vacant")
    PROSECUTOR_ABSENT = "prosecutor_absent", _("Prosecutor absent")
    DEFENCE_COUNSEL_ABSENT = "defence_counsel_absent", _("Defence counsel absent")
    WITNESS_ABSENT = "witness_absent", _("Witness absent")
    ACCUSED_NOT_PRODUCED = "accused_not_produced", _("Accused not produced")
    LAWYERS_STRIKE = "lawyers_strike", _("Lawyers' strike")
    RECORD_AWAITED = "record_awaited", _("Record awaited")
    STAY_BY_HIGHER_COURT = "stay_by_higher_court", _("Stay by a higher court")
    CO_ACCUSED_ABSENT = "co_accused_absent", _("Co-accused absent")
    OTHER = "other", _("Other")


class HearingQuerySet(CaseChildQuerySet):
    def scheduled(self):
        """Hearings with no outcome yet."""
        return self.filter(outcome="")

    def upcoming(self, today: datetime.date):
        """Hearings dated today or later."""
        return self.filter(date__gte=today)

    def at_court(self, court):
        """Hearings before `court`: their own court, or their case's court when they name none."""
        return self.filter(Q(court=court) | Q(court__isnull=True, case__court=court))

    def held(self):
        return self.exclude(outcome="")


class Hearing(models.Model):
    """A listed date before the court. No outcome = only scheduled."""

    PUBLIC_FIELDS = (
        "id",
        "case",
        "date",
        "court",
        "judge",
        "purpose",
        "outcome",
        "adjournment_reason",
        "next_date",
        "monitor_present",
        "notes",
    )

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="hearings", verbose_name=_("case"))
    date = models.DateField(_("date"), db_index=True)
    court = models.ForeignKey(
        Court,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hearings",
        verbose_name=_("court"),
        help_text=_("Leave blank when the hearing is before the case's own court."),
    )
    judge = models.CharField(_("judge"), max_length=200, blank=True)
    purpose = models.CharField(
        _("purpose"),
        max_length=25,
        choices=Stage.choices,
        blank=True,
        help_text=_("The stage the hearing was listed for."),
    )
    outcome = models.CharField(
        _("outcome"),
        max_length=15,
        choices=HearingOutcome.choices,
        blank=True,
        db_index=True,
        help_text=_("Leave empty while the hearing is only scheduled."),
    )
    adjournment_reason = models.CharField(
        _("adjournment reason"),
        max_length=25,
        choices=AdjournmentReason.choices,
        blank=True,
        help_text=_("Only when the hearing was adjourned."),
    )
    next_date = models.DateField(
        _("next date"),
        null=True,
        blank=True,
        help_text=_("The date the court fixed for the next hearing; a scheduled hearing is created for it."),
    )
    monitor_present = models.BooleanField(
        _("monitor present"), default=False, help_text=_("A monitor of ours attended the hearing.")
    )
    notes = models.TextField(_("notes"), blank=True, help_text=_("Public notes on what happened."))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
        help_text=_("Staff only: never shown to the public."),
    )

    objects = HearingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "date", "id"]
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        # The next scheduled hearings (home page, calendars), in date order.
        indexes = [models.Index(fields=["date", "id"], condition=Q(outcome=""), name="hearing_scheduled_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_date__isnull=True) | Q(next_date__gt=models.F("date")),
                name="hearing_next_date_after_date",
            ),
            models.CheckConstraint(
                condition=Q(adjournment_reason="") | Q(outcome="adjourned"),
                name="hearing_reason_only_when_adjourned",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="") | Q(next_date__isnull=True),
                name="hearing_scheduled_has_no_next_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.case}"

    @property
    def is_scheduled(self) -> bool:
        return self.outcome == ""

    @property
    def effective_court(self):
        return self.court if self.court_id else self.case.court

    def clean(self) -> None:
        errors = {}
        if self.next_date and self.date and self.next_date <= self.date:
            errors["next_date"] = _("The next date must come after the hearing's date.")
        if self.adjournment_reason and self.outcome != HearingOutcome.ADJOURNED:
            errors["adjournment_reason"] = _("Give a reason only when the hearing was adjourned.")
        if self.outcome == HearingOutcome.ADJOURNED and not self.adjournment_reason:
            errors["adjournment_reason"] = _("Say why the hearing was adjourned.")
        if not self.outcome and self.next_date:
            errors["next_date"] = _("Record the outcome before giving the next date.")
        if self.case_id:
            errors.update(dates.hearing_errors(self, self.case.fir_date))
        if errors:
            raise ValidationError(errors)

    def schedule_next(self) -> Hearing | None:
        """Create the scheduled hearing for `next_date`, unless the case already has one that day."""
        if not self.outcome or not self.next_date:
            return None
        existing = Hearing.objects.filter(case_id=self.case_id, date=self.next_date).first()
        if existing:
            return existing
        return Hearing.objects.create(case_id=self.case_id, date=self.next_date, court_id=self.court_id)


class AppealQuerySet(CaseChildQuerySet):
    case_path = "charge__case"


class Appellant(models.TextChoices):
    CONVICT = "convict", _("Convict")
    STATE = "state", _("State")
    COMPLAINANT = "complainant", _("Complainant (victim's family)")


class AppealOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Upheld")
    OVERTURNED = "overturned", _("Overturned")
    MODIFIED = "modified", _("Modified")
    REMANDED = "remanded", _("Remanded")


class Appeal(models.Model):
    PUBLIC_FIELDS = ("id", "charge", "court", "appellant", "filed_on", "decided_on", "outcome")

    charge = models.ForeignKey(Charge, on_delete=models.CASCADE, related_name="appeals", verbose_name=_("charge"))
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("court"))
    appellant = models.CharField(_("appellant"), max_length=15, choices=Appellant.choices)
    filed_on = models.DateField(_("filed on"))
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"),
        max_length=15,
        choices=AppealOutcome.choices,
        default=AppealOutcome.PENDING,
        help_text=_("Upheld: the trial court's verdict stands. Modified: it stands with a changed sentence."),
    )

    objects = AppealQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["charge", "filed_on"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=models.F("filed_on")),
                name="appeal_decided_not_before_filed",
            ),
            models.CheckConstraint(
                condition=(Q(outcome="pending") & Q(decided_on__isnull=True))
                | (~Q(outcome="pending") & Q(decided_on__isnull=False)),
                name="appeal_decided_iff_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"Appeal by {self.get_appellant_display().lower()} in {self.court}"

    def clean(self) -> None:
        errors = {}
        if self.decided_on and self.filed_on and self.decided_on < self.filed_on:
            errors["decided_on"] = _("An appeal cannot be decided before it was filed.")
        if self.outcome == AppealOutcome.PENDING and self.decided_on:
            errors["outcome"] = _("Give the outcome of the decided appeal.")
        if self.outcome != AppealOutcome.PENDING and not self.decided_on:
            errors["decided_on"] = _("Give the date the appeal was decided.")
        if errors:
            raise ValidationError(errors)


# Court documents live in their own module; imported here so that Django finds the model.
from .documents import Document, DocumentKind  # noqa: E402, F401
