"""iCalendar (RFC 5545) output of hearings, written out by hand: no extra dependency.

`render_calendar(hearings, name=...)` turns hearings into a VCALENDAR with one all-day VEVENT per
hearing. It is used by the public feeds of upcoming hearings (`cases/feeds.py`) and the staff feed
(`monitoring/calendar.py`), and can be reused by any other feed. What it writes about a hearing is
public only: the case title, the stage it is listed for, the court, the judge and the case's public
page.

Thousands of hearings can be upcoming at once, so a queryset of hearings is read as plain rows
(`calendar_rows`: one query, only the columns the calendar shows, no model instances). Whoever
passes the queryset decides which hearings are shown (`.public()`, a staff filter, ...).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from types import SimpleNamespace
from typing import NamedTuple

from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from .models import Case, Hearing, Stage

STAGE_LABELS = dict(Stage.choices)

PRODID = "-//Tracker//Sectarian violence and justice in Pakistan//EN"
MAX_LINE_OCTETS = 75  # RFC 5545 3.1: lines SHOULD NOT be longer than 75 octets, excluding the CRLF
CRLF = "\r\n"
FOLD = CRLF + " "
ONE_DAY = datetime.timedelta(days=1)


class CalendarRow(NamedTuple):
    """What the calendar shows of one hearing."""

    id: int
    date: datetime.date
    purpose: str
    judge: str
    case_id: int
    case_title: str
    court_name: str  # the hearing's own court, else its case's court


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold_line(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets (UTF-8), never splitting a character.

    Continuation lines start with one space, which counts towards their 75 octets.
    """
    if len(line) * 4 <= MAX_LINE_OCTETS or len(line.encode("utf-8")) <= MAX_LINE_OCTETS:
        return line  # the common case: nothing to fold
    if line.isascii():  # one octet per character: cut by slicing
        step = MAX_LINE_OCTETS - 1
        pieces = [line[:MAX_LINE_OCTETS], *(line[i : i + step] for i in range(MAX_LINE_OCTETS, len(line), step))]
        return FOLD.join(pieces)
    pieces: list[str] = []
    current, size, limit = [], 0, MAX_LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, MAX_LINE_OCTETS - 1
        current.append(char)
        size += width
    pieces.append("".join(current))
    return FOLD.join(pieces)


def _date(value: datetime.date) -> str:
    return value.strftime("%Y%m%d")


def _timestamp(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def hearing_uid(hearing_id: int) -> str:
    """A UID that stays the same for a hearing whatever else changes, so calendars update in place."""
    return f"hearing-{hearing_id}@tracker"


def case_title(*, pk: int, case_number: str, fir_number: str, court_name: str) -> str:
    """`Case.title` from column values, by the model's own rule (no Case instance is built)."""
    # The court's str() is its name: the name stands in for the Court.
    case = SimpleNamespace(pk=pk, case_number=case_number, fir_number=fir_number, court_id=True, court=court_name)
    return Case.title.fget(case)


def calendar_rows(hearings: QuerySet) -> Iterable[CalendarRow]:
    """The hearings of a queryset as `CalendarRow`s, in its order, in one query.

    The queryset's filters (and so what is visible) are kept; only the columns are chosen here.
    """
    rows = hearings.values_list(
        "id",
        "date",
        "purpose",
        "judge",
        "case_id",
        "case__case_number",
        "case__fir_number",
        "case__court__name",
        Coalesce("court__name", "case__court__name"),
    )
    titles: dict[int, str] = {}  # a case's hearings share its title
    for pk, date, purpose, judge, case_id, case_number, fir_number, case_court, court_name in rows:
        title = titles.get(case_id)
        if title is None:
            title = titles[case_id] = case_title(
                pk=case_id, case_number=case_number, fir_number=fir_number, court_name=case_court
            )
        yield CalendarRow(pk, date, purpose, judge, case_id, title, court_name)


def hearing_row(hearing: Hearing) -> CalendarRow:
    """The `CalendarRow` of a Hearing instance (have `case__court` and `court` selected)."""
    return CalendarRow(
        hearing.pk,
        hearing.date,
        hearing.purpose,
        hearing.judge,
        hearing.case_id,
        hearing.case.title,
        hearing.effective_court.name,
    )


def hearing_summary(row: CalendarRow) -> str:
    return f"{row.case_title}: {STAGE_LABELS[row.purpose]}" if row.purpose else row.case_title


def case_url_template() -> str:
    """The case page's path with `{pk}` for the id: one reverse() for the whole calendar, not one per event."""
    marker = "918273645"
    return reverse("cases:case_detail", args=[marker]).replace(marker, "{pk}")


class _Memo(dict):
    """`memo[key]` is `function(key)`, worked out once: a calendar repeats its courts, judges and cases."""

    def __init__(self, function):
        super().__init__()
        self.function = function

    def __missing__(self, key):
        value = self[key] = self.function(key)
        return value


def _short_or_folded(line: str) -> str:
    return line if len(line) <= MAX_LINE_OCTETS and line.isascii() else fold_line(line)


class EventWriter:
    """Writes the VEVENTs of one calendar, each value escaped and each line folded once.

    `event(row)` is the VEVENT of one hearing as folded, CRLF-terminated text; `case_url` is the
    case page's URL with `{pk}` for the case id.
    """

    def __init__(self, *, dtstamp: str, case_url: str):
        self.dtstamp = dtstamp
        self.url_start, _, self.url_end = case_url.partition("{pk}")
        self.escaped = _Memo(escape_text)
        self.folded = _Memo(_short_or_folded)
        # "DTSTART...CRLF DTEND..." of each day: thousands of events fall on a few hundred days.
        self.days = _Memo(lambda day: f"DTSTART;VALUE=DATE:{_date(day)}{CRLF}DTEND;VALUE=DATE:{_date(day + ONE_DAY)}")
        # The event's words in the reader's language, looked up once per calendar.
        self.listed_for = gettext("Listed for: %(stage)s")
        self.hearing = gettext("Hearing")
        self.judge = gettext("Judge: %(judge)s")

    def event(self, row: CalendarRow) -> str:
        escaped, folded = self.escaped, self.folded
        description = self.listed_for % {"stage": STAGE_LABELS[row.purpose]} if row.purpose else self.hearing
        if row.judge:
            description += "\n" + self.judge % {"judge": row.judge}
        # Lines made only of ASCII digits and fixed text (UID, DTSTAMP, DTSTART, DTEND) are far
        # below 75 octets; the others are checked, and folded when too long.
        lines = (
            "BEGIN:VEVENT",
            f"UID:{hearing_uid(row.id)}",
            f"DTSTAMP:{self.dtstamp}",
            self.days[row.date],  # DTSTART and DTEND
            folded[f"SUMMARY:{escaped[hearing_summary(row)]}"],
            folded[f"LOCATION:{escaped[row.court_name]}"],
            folded[f"DESCRIPTION:{escaped[description]}"],
            _short_or_folded(f"URL:{self.url_start}{row.case_id}{self.url_end}"),
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
            "",
        )
        return CRLF.join(lines)


def render_calendar(
    hearings: QuerySet | Iterable[Hearing] | Iterable[CalendarRow],
    *,
    name: str,
    base_url: str = "",
    now: datetime.datetime | None = None,
) -> str:
    """A VCALENDAR (METHOD:PUBLISH) named `name` with one all-day event per hearing.

    `hearings` is a queryset of hearings (read with `calendar_rows`, one query), Hearing instances
    or `CalendarRow`s. `base_url` ("https://example.org", no trailing slash) makes each event's URL
    absolute; `now` (default: the current time) is the DTSTAMP of every event.
    """
    rows = calendar_rows(hearings) if isinstance(hearings, QuerySet) else hearings
    header = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        "",
    ]
    parts = [CRLF.join(fold_line(line) for line in header)]
    writer = EventWriter(dtstamp=_timestamp(now or timezone.now()), case_url=base_url + case_url_template())
    for row in rows:
        parts.append(writer.event(hearing_row(row) if isinstance(row, Hearing) else row))
    parts.append("END:VCALENDAR" + CRLF)
    return "".join(parts)
