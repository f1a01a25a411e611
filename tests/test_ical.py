"""iCalendar feeds of upcoming hearings: RFC 5545 text (escaping, folding, CRLF), stable UIDs,
which hearings are listed, and 404 for hidden cases."""

from __future__ import annotations

import datetime

import pytest

from cases.ical import escape_text, fold_line, render_calendar
from cases.models import Case, Hearing
from core.models import Status
from tests import factories as f
from tests.api_world import assert_no_secrets, build_world
from tests.conftest import TODAY

D = datetime.date
NOW = datetime.datetime(2026, 11, 25, 4, 5, 6, tzinfo=datetime.UTC)


@pytest.fixture
def today(time_machine):
    """The views' "today", fixed to the suite's TODAY (2026-11-25)."""
    time_machine.move_to(TODAY)
    return TODAY


def unfold(text: str) -> str:
    return text.replace("\r\n ", "")


# Text rules ------------------------------------------------------------------------------


def test_escape_text_escapes_backslash_semicolon_comma_and_newlines():
    assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_short_line_is_not_folded():
    assert fold_line("SUMMARY:short") == "SUMMARY:short"


def test_long_ascii_line_folds_at_75_octets_with_a_leading_space():
    line = "DESCRIPTION:" + "x" * 200
    folded = fold_line(line)
    pieces = folded.split("\r\n")
    # 212 octets: 75, then 74 + the space, then the last 63 + the space.
    assert [len(p.encode()) for p in pieces] == [75, 75, 64]
    assert all(p.startswith(" ") for p in pieces[1:])
    assert unfold(folded) == line


def test_folding_never_splits_a_multibyte_character():
    line = "SUMMARY:" + "ع" * 60  # Arabic letter: 2 octets in UTF-8
    folded = fold_line(line)
    pieces = folded.split("\r\n")
    for piece in pieces:
        assert len(piece.encode("utf-8")) <= 75
        piece.encode("utf-8").decode("utf-8")  # each piece is whole characters
    # 8 ASCII octets + 33 letters = 74 octets (a 34th would make 76).
    assert len(pieces[0].encode()) == 74
    assert unfold(folded) == line


# The calendar ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_render_calendar_exact_output():
    court = f.CourtFactory(name="Anti-Terrorism Court II, Karachi")
    case = f.CaseFactory(court=court, case_number="Special Case 12/2012")
    hearing = f.HearingFactory(
        case=case, date=D(2026, 12, 1), purpose="prosecution_evidence", judge="Judge Rehman; acting"
    )
    text = render_calendar(
        Hearing.objects.select_related("case__court", "court"),
        name="Hearings, Karachi",
        base_url="https://t.example",
        now=NOW,
    )
    summary = "SUMMARY:Special Case 12/2012\\, Anti-Terrorism Court II\\, Karachi: Prosecution evidence"
    expected_lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Tracker//Sectarian violence and justice in Pakistan//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Hearings\\, Karachi",
        "BEGIN:VEVENT",
        f"UID:hearing-{hearing.pk}@tracker",
        "DTSTAMP:20261125T040506Z",
        "DTSTART;VALUE=DATE:20261201",
        "DTEND;VALUE=DATE:20261202",
        summary[:75],
        " " + summary[75:],
        "LOCATION:Anti-Terrorism Court II\\, Karachi",
        "DESCRIPTION:Listed for: Prosecution evidence\\nJudge: Judge Rehman\\; acting",
        f"URL:https://t.example/cases/{case.pk}/",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    assert text == "\r\n".join(expected_lines) + "\r\n"


@pytest.mark.django_db
def test_event_uid_stays_the_same_when_the_hearing_changes():
    hearing = f.HearingFactory(date=D(2026, 12, 1))
    rows = lambda: Hearing.objects.select_related("case__court", "court")  # noqa: E731
    before = render_calendar(rows(), name="x", now=NOW)
    Hearing.objects.filter(pk=hearing.pk).update(date=D(2026, 12, 9), judge="New judge")
    after = render_calendar(rows(), name="x", now=NOW)
    uid = f"UID:hearing-{hearing.pk}@tracker\r\n"
    assert uid in before and uid in after
    assert "DTSTART;VALUE=DATE:20261209" in after


@pytest.mark.django_db
def test_calendar_rows_follow_the_models_title_and_court_rules():
    """Rows (no model instances) give each case's title and the hearing's own court, else the case's."""
    karachi = f.CourtFactory(name="ATC I, Karachi")
    quetta = f.CourtFactory(name="ATC I, Quetta")
    numbered = f.CaseFactory(court=karachi, case_number="Special Case 7/2013")
    fir_only = f.CaseFactory(court=karachi, case_number="", fir_number="88/2013")
    bare = f.CaseFactory(court=karachi, case_number="", fir_number="")
    f.HearingFactory(case=numbered, date=D(2026, 12, 1), court=quetta, purpose="", judge="")
    f.HearingFactory(case=fir_only, date=D(2026, 12, 2), purpose="arguments", judge="")
    f.HearingFactory(case=bare, date=D(2026, 12, 3), purpose="", judge="Judge Ali")
    queryset = Hearing.objects.order_by("date")
    text = unfold(render_calendar(queryset, name="x", now=NOW))
    summaries = [line for line in text.split("\r\n") if line.startswith(("SUMMARY:", "LOCATION:", "DESCRIPTION:"))]
    assert summaries == [
        "SUMMARY:Special Case 7/2013\\, ATC I\\, Karachi",
        "LOCATION:ATC I\\, Quetta",
        "DESCRIPTION:Hearing",
        "SUMMARY:FIR 88/2013\\, ATC I\\, Karachi: Arguments",
        "LOCATION:ATC I\\, Karachi",
        "DESCRIPTION:Listed for: Arguments",
        f"SUMMARY:#{bare.pk}\\, ATC I\\, Karachi",
        "LOCATION:ATC I\\, Karachi",
        "DESCRIPTION:Hearing\\nJudge: Judge Ali",
    ]
    # Hearing instances (case__court and court selected) give the same text as the queryset.
    instances = list(queryset.select_related("case__court", "court"))
    assert render_calendar(instances, name="x", now=NOW) == render_calendar(queryset, name="x", now=NOW)


# The feeds ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_all_hearings_feed_lists_upcoming_hearings_of_published_cases(client, today):
    world = build_world()
    response = client.get("/hearings.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    assert "\n" not in text.replace("\r\n", "")  # CRLF only
    uids = [line for line in text.split("\r\n") if line.startswith("UID:")]
    # The past hearing and the draft case's hearing are not listed; soonest first.
    assert uids == [f"UID:hearing-{world.hearing.pk}@tracker", f"UID:hearing-{world.hearing_elsewhere.pk}@tracker"]
    assert f"URL:http://testserver/cases/{world.case.pk}/" in text
    assert_no_secrets(unfold(text))


@pytest.mark.django_db
def test_a_hearing_today_is_upcoming(client, time_machine):
    hearing = f.HearingFactory(date=D(2026, 12, 1))
    time_machine.move_to(D(2026, 12, 1))
    assert f"UID:hearing-{hearing.pk}@tracker" in client.get("/hearings.ics").content.decode()
    time_machine.move_to(D(2026, 12, 2))
    assert "BEGIN:VEVENT" not in client.get("/hearings.ics").content.decode()


@pytest.mark.django_db
def test_court_feed_lists_hearings_sitting_in_that_court(client, today):
    world = build_world()
    at_court = client.get(f"/courts/{world.court.pk}/hearings.ics").content.decode()
    elsewhere = client.get(f"/courts/{world.other_court.pk}/hearings.ics").content.decode()
    assert f"UID:hearing-{world.hearing.pk}@tracker" in at_court
    assert f"UID:hearing-{world.hearing_elsewhere.pk}@tracker" not in at_court
    assert f"UID:hearing-{world.draft_hearing.pk}@tracker" not in at_court
    assert f"UID:hearing-{world.hearing_elsewhere.pk}@tracker" in elsewhere
    assert "X-WR-CALNAME:Hearings: Anti-Terrorism Court I\\, Hyderabad" in elsewhere
    assert client.get("/courts/999999/hearings.ics").status_code == 404


@pytest.mark.django_db
def test_case_feed_and_hidden_case_404(client, today):
    world = build_world()
    response = client.get(f"/cases/{world.case.pk}/hearings.ics")
    assert response.status_code == 200
    assert response.content.decode().count("BEGIN:VEVENT") == 2
    assert client.get(f"/cases/{world.draft_case.pk}/hearings.ics").status_code == 404
    Case.objects.filter(pk=world.case.pk).update(status=Status.RETRACTED)
    assert client.get(f"/cases/{world.case.pk}/hearings.ics").status_code == 404
    assert "BEGIN:VEVENT" not in client.get("/hearings.ics").content.decode()


@pytest.mark.django_db
def test_feeds_run_a_constant_number_of_queries(client, today, django_assert_num_queries):
    world = build_world()
    with django_assert_num_queries(1):
        client.get("/hearings.ics")
    with django_assert_num_queries(2):  # the case, its hearings
        client.get(f"/cases/{world.case.pk}/hearings.ics")
    for i in range(10):
        f.HearingFactory(case=f.CaseFactory(court=world.court), date=D(2026, 12, 10 + i))
    with django_assert_num_queries(1):
        assert client.get("/hearings.ics").content.decode().count("BEGIN:VEVENT") == 12
    with django_assert_num_queries(2):  # the court, its hearings
        assert client.get(f"/courts/{world.court.pk}/hearings.ics").content.decode().count("BEGIN:VEVENT") == 11
