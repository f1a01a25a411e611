"""HearingTally (cases/tallies.py): each case's hearings counted per court, current after every change."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from cases import tallies
from cases.models import AdjournmentReason, Hearing, HearingOutcome, HearingTally
from tests.factories import CaseFactory, CourtFactory, HearingFactory

pytestmark = pytest.mark.django_db

ADJOURNED = HearingOutcome.ADJOURNED
DAY = datetime.date(2012, 6, 5)


def table() -> dict[tuple[int, int], dict[str, int]]:
    """Every tally as {(case id, court id): the non-zero counts}."""
    out = {}
    for tally in HearingTally.objects.all():
        counts = {
            f.name: getattr(tally, f.name)
            for f in HearingTally._meta.fields
            if f.name not in ("id", "case", "court") and getattr(tally, f.name)
        }
        out[(tally.case_id, tally.court_id)] = counts
    return out


def hearing(case, outcome="", reason="", court=None, day=DAY) -> Hearing:
    next_date = day + datetime.timedelta(days=7) if outcome == ADJOURNED else None
    return HearingFactory(
        case=case, outcome=outcome, adjournment_reason=reason, court=court, date=day, next_date=next_date
    )


def test_every_adjournment_reason_has_its_column():
    columns = {f.name for f in HearingTally._meta.fields if f.name.startswith("reason_")}
    assert columns == {tallies.reason_field(code) for code in AdjournmentReason.values}


def test_hearings_are_counted_per_case_and_court_that_heard_them():
    atc1, atc2 = CourtFactory(name="ATC I"), CourtFactory(name="ATC II")
    case = CaseFactory(court=atc1)
    hearing(case, ADJOURNED, AdjournmentReason.WITNESS_ABSENT)
    hearing(case, ADJOURNED, AdjournmentReason.WITNESS_ABSENT)
    hearing(case, ADJOURNED, "")  # no reason recorded: counts as "other"
    hearing(case, HearingOutcome.PROCEEDED)
    hearing(case)  # scheduled: no outcome, not held, not counted
    hearing(case, ADJOURNED, AdjournmentReason.LAWYERS_STRIKE, court=atc2)  # heard at another court
    assert table() == {
        (case.pk, atc1.pk): {"held": 4, "adjourned": 3, "reason_witness_absent": 2, "reason_other": 1},
        (case.pk, atc2.pk): {"held": 1, "adjourned": 1, "reason_lawyers_strike": 1},
    }


def test_a_changed_moved_or_deleted_hearing_is_recounted():
    court = CourtFactory(name="ATC I")
    first, second = CaseFactory(court=court), CaseFactory(court=court)
    h = hearing(first, ADJOURNED, AdjournmentReason.PROSECUTOR_ABSENT)
    hearing(first, ADJOURNED, AdjournmentReason.PROSECUTOR_ABSENT)
    h.adjournment_reason = AdjournmentReason.RECORD_AWAITED
    h.save()
    assert table() == {
        (first.pk, court.pk): {
            "held": 2,
            "adjourned": 2,
            "reason_prosecutor_absent": 1,
            "reason_record_awaited": 1,
        }
    }
    h.case = second
    h.save()
    assert table() == {
        (first.pk, court.pk): {"held": 1, "adjourned": 1, "reason_prosecutor_absent": 1},
        (second.pk, court.pk): {"held": 1, "adjourned": 1, "reason_record_awaited": 1},
    }
    h.delete()
    assert table() == {(first.pk, court.pk): {"held": 1, "adjourned": 1, "reason_prosecutor_absent": 1}}


def test_a_case_moved_to_another_court_takes_its_hearings_that_name_no_court():
    atc1, atc2, atc3 = CourtFactory(name="ATC I"), CourtFactory(name="ATC II"), CourtFactory(name="ATC III")
    case = CaseFactory(court=atc1)
    hearing(case, ADJOURNED, AdjournmentReason.OTHER)
    hearing(case, ADJOURNED, AdjournmentReason.OTHER, court=atc3)
    case.court = atc2
    case.save()
    assert table() == {
        (case.pk, atc2.pk): {"held": 1, "adjourned": 1, "reason_other": 1},
        (case.pk, atc3.pk): {"held": 1, "adjourned": 1, "reason_other": 1},
    }


def test_a_deleted_case_leaves_no_tally():
    case = CaseFactory()
    hearing(case, ADJOURNED, AdjournmentReason.OTHER)
    other = CaseFactory()
    hearing(other, ADJOURNED, AdjournmentReason.OTHER)
    case.delete()
    assert list(HearingTally.objects.values_list("case_id", flat=True)) == [other.pk]


def test_suspended_writes_are_counted_by_an_explicit_refresh():
    case = CaseFactory()
    with tallies.suspended():
        hearing(case, ADJOURNED, AdjournmentReason.OTHER)
    assert table() == {}
    tallies.refresh([case.pk])
    assert table() == {(case.pk, case.court_id): {"held": 1, "adjourned": 1, "reason_other": 1}}
    hearing(case, ADJOURNED, AdjournmentReason.OTHER)  # outside: counted again at once
    assert table()[(case.pk, case.court_id)]["held"] == 2


def test_the_command_recounts_everything_as_the_signals_did(capsys):
    courts = [CourtFactory(name=f"ATC {n}") for n in range(3)]
    for n in range(6):
        case = CaseFactory(court=courts[n % 3])
        for k in range(n):
            reason = AdjournmentReason.values[(n + k) % len(AdjournmentReason.values)]
            hearing(case, ADJOURNED, reason, court=courts[k % 3] if k % 2 else None, day=DAY + datetime.timedelta(k))
    kept = table()
    HearingTally.objects.update(held=0)  # damage them behind the application's back
    call_command("refresh_tallies")
    assert table() == kept
    assert f"recounted: {len(kept)} rows" in capsys.readouterr().out
