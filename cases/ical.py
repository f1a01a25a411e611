"""iCalendar (RFC 5545) output of hearings, written out by hand: no extra dependency.

`render_calendar(hearings, name=...)` turns hearings into a VCALENDAR with one all-day VEVENT per
hearing. It is used by the public feeds of upcoming hearings (`cases/feeds.py`) and can be reused by
any other feed (e.g. a private staff feed). What it writes about a hearing is public only: the case
title, the stage it is listed for, the court, the judge and the case's public page.

The hearings passed in should have `case__court` and `court` selected (`select_related`), so the
calendar is built without a query per hearing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone

from .models import Hearing, Stage

STAGE_LABELS = dict(Stage.choices)

PRODID = "-//Tracker//Sectarian violence and justice in Pakistan//EN"
MAX_LINE_OCTETS = 75  # RFC 5545 3.1: lines SHOULD NOT be longer than 75 octets, excluding the CRLF
CRLF = "\r\n"


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
        return (CRLF + " ").join(pieces)
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
    return (CRLF + " ").join(pieces)


def _date(value: datetime.date) -> str:
    return value.strftime("%Y%m%d")


def _timestamp(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def hearing_uid(hearing: Hearing) -> str:
    """A UID that stays the same for a hearing whatever else changes, so calendars update in place."""
    return f"hearing-{hearing.pk}@tracker"


def hearing_summary(hearing: Hearing) -> str:
    case_title = hearing.case.title
    return f"{case_title}: {STAGE_LABELS[hearing.purpose]}" if hearing.purpose else case_title


def case_url_template() -> str:
    """The case page's path with `{pk}` for the id: one reverse() for the whole calendar, not one per event."""
    marker = "918273645"
    return reverse("cases:case_detail", args=[marker]).replace(marker, "{pk}")


def event_lines(hearing: Hearing, *, dtstamp: str, case_url: str) -> list[str]:
    """The VEVENT of one hearing, as unfolded content lines; `case_url` is the case page's URL."""
    court = hearing.effective_court
    description = [f"Listed for: {STAGE_LABELS[hearing.purpose]}" if hearing.purpose else "Hearing"]
    if hearing.judge:
        description.append(f"Judge: {hearing.judge}")
    lines = [
        "BEGIN:VEVENT",
        f"UID:{hearing_uid(hearing)}",
        f"DTSTAMP:{dtstamp}",
        f"DTSTART;VALUE=DATE:{_date(hearing.date)}",
        f"DTEND;VALUE=DATE:{_date(hearing.date + datetime.timedelta(days=1))}",
        f"SUMMARY:{escape_text(hearing_summary(hearing))}",
        f"LOCATION:{escape_text(court.name)}",
        f"DESCRIPTION:{escape_text(chr(10).join(description))}",
        f"URL:{case_url}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]
    return lines


def render_calendar(
    hearings: Iterable[Hearing],
    *,
    name: str,
    base_url: str = "",
    now: datetime.datetime | None = None,
) -> str:
    """A VCALENDAR (METHOD:PUBLISH) named `name` with one all-day event per hearing.

    `base_url` ("https://example.org", no trailing slash) makes each event's URL absolute;
    `now` (default: the current time) is the DTSTAMP of every event.
    """
    dtstamp = _timestamp(now or timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    url = base_url + case_url_template()
    for hearing in hearings:
        lines.extend(event_lines(hearing, dtstamp=dtstamp, case_url=url.format(pk=hearing.case_id)))
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + CRLF for line in lines)
