"""E-mail subscriptions: follow a case, a court or a saved incident search. No account needed.

A subscription is pending until its address confirms it (double opt-in, a signed link), and
ends with a one-click unsubscribe (another signed link). Only confirmed, active subscriptions
receive the digest that `manage.py send_alerts` sends.
"""

from __future__ import annotations

import datetime
from urllib.parse import parse_qsl, urlencode

from django.core import signing
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

CONFIRM_SALT = "alerts.confirm"
UNSUBSCRIBE_SALT = "alerts.unsubscribe"
CONFIRM_MAX_AGE = 7 * 24 * 3600  # a confirmation link works for a week


class Kind(models.TextChoices):
    CASE = "case", _("A case")
    COURT = "court", _("A court")
    SEARCH = "search", _("An incident search")


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        """Confirmed and not unsubscribed: these receive digests."""
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)


class Subscription(models.Model):
    email = models.EmailField(_("email"), db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    court = models.ForeignKey(
        "cases.Court", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("court")
    )
    query = models.CharField(
        _("query"),
        max_length=1000,
        blank=True,
        help_text=_("For a saved search: the incident filter parameters, as a query string (e.g. city=quetta)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(
        _("confirmed at"), null=True, blank=True, help_text=_("When the address confirmed (opt-in).")
    )
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    last_sent_at = models.DateTimeField(
        _("last sent at"), null=True, blank=True, help_text=_("The end of the period covered by the last digest.")
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        default="en-gb",
        help_text=_("The language of the pages the address subscribed from: its e-mails are written in it."),
    )

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="case") & Q(case__isnull=False) & Q(court__isnull=True) & Q(query=""))
                | (Q(kind="court") & Q(court__isnull=False) & Q(case__isnull=True) & Q(query=""))
                | (Q(kind="search") & Q(case__isnull=True) & Q(court__isnull=True)),
                name="subscription_target_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.kind == Kind.CASE:
            return gettext("case %(case)s") % {"case": self.case.title}
        if self.kind == Kind.COURT:
            return gettext("hearings at %(court)s") % {"court": self.court}
        return describe_search(self.filter_params())

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None

    def filter_params(self) -> dict[str, str]:
        return dict(parse_qsl(self.query))

    # Signed tokens: the link itself proves the address received the e-mail. A token carries the
    # subscription's id only (signed with SECRET_KEY and a salt per purpose): no e-mail address can be
    # read from a link, nor from a log or a browser history that holds one (issue 13).
    def confirm_token(self) -> str:
        return signing.dumps(self.pk, salt=CONFIRM_SALT)

    def unsubscribe_token(self) -> str:
        return signing.dumps(self.pk, salt=UNSUBSCRIBE_SALT)

    @classmethod
    def from_token(cls, token: str, *, salt: str, max_age: int | None = None) -> Subscription | None:
        """The subscription a signed token names, or None when the token is bad, expired or stale.

        Links sent before issue 13 carry {"id", "email"}: they keep working while the address matches.
        """
        try:
            data = signing.loads(token, salt=salt, max_age=max_age)
        except signing.BadSignature:  # includes SignatureExpired
            return None
        if isinstance(data, dict):
            return cls.objects.filter(pk=data.get("id"), email=data.get("email")).first()
        if isinstance(data, int) and not isinstance(data, bool):
            return cls.objects.filter(pk=data).first()
        return None

    def confirm(self) -> None:
        if self.confirmed_at is None:
            self.confirmed_at = timezone.now()
            self.save(update_fields=["confirmed_at"])

    def unsubscribe(self) -> None:
        if self.unsubscribed_at is None:
            self.unsubscribed_at = timezone.now()
            self.save(update_fields=["unsubscribed_at"])


def normalise_query(params: dict[str, str]) -> str:
    """A stable query string of the non-empty filter parameters (sorted, so equal searches match)."""
    return urlencode(sorted((k, v) for k, v in params.items() if v not in (None, "")))


def describe_search(params: dict[str, str]) -> str:
    """A saved incident search in words, e.g. "incidents in Quetta, Balochistan, target killing, 2013".

    Slugs are read back as the names the reader chose from (one query per kind of list named, at most
    four); a value that names nothing is shown as given, so the words never hide what is followed.
    """
    from incidents.districts import district_map
    from incidents.models import AttackType, City, Community, Organisation, Province

    def name_of(model, slug: str) -> str:
        row = model.objects.filter(slug=slug).only("name").first()
        return row.name if row else slug

    place = [name_of(model, params[key]) for key, model in (("city", City), ("province", Province)) if params.get(key)]
    if params.get("district"):  # between the city and the province; the map's names need no query
        district = district_map().by_slug().get(params["district"])
        name = district.name if district else params["district"]
        place.insert(1 if params.get("city") else 0, gettext("%(district)s district") % {"district": name})
    parts = [gettext("incidents in %(place)s") % {"place": ", ".join(place)} if place else gettext("incidents")]
    if params.get("attack_type"):
        kind = params["attack_type"]
        parts.append(AttackType(kind).label.lower() if kind in AttackType.values else kind)
    if params.get("community"):
        parts.append(gettext("against %(community)s") % {"community": name_of(Community, params["community"])})
    if params.get("organisation"):
        parts.append(
            gettext("attributed to %(organisation)s") % {"organisation": name_of(Organisation, params["organisation"])}
        )
    period = _describe_period(params.get("date_from", ""), params.get("date_to", ""))
    if period:
        parts.append(period)
    if params.get("q"):
        parts.append(gettext("matching “%(words)s”") % {"words": params["q"]})
    if len(parts) == 1 and not place:
        return gettext("all incidents")
    return ", ".join(parts)


def _describe_period(date_from: str, date_to: str) -> str:
    """ "2013" for a whole calendar year, else "from 1 Jan 2013", "until …", "1 Jan 2013 to …"."""

    def parse(value: str) -> datetime.date | None:
        try:
            return datetime.date.fromisoformat(value) if value else None
        except ValueError:
            return None

    start, end = parse(date_from), parse(date_to)
    if start and end and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)

    def words(day: datetime.date | None, raw: str) -> str:
        return date_format(day, "j M Y") if day else raw

    if (start or date_from) and (end or date_to):
        return gettext("%(start)s to %(end)s") % {"start": words(start, date_from), "end": words(end, date_to)}
    if start or date_from:
        return gettext("from %(start)s") % {"start": words(start, date_from)}
    if end or date_to:
        return gettext("until %(end)s") % {"end": words(end, date_to)}
    return ""
