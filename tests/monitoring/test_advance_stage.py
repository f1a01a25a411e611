"""Case.advance_stage: the stage a recorded hearing moves a case to."""

from __future__ import annotations

import datetime

import pytest

from cases.models import HearingOutcome, Stage
from tests import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date


def _case(stage=Stage.CHARGE_FRAMED, **kwargs):
    return f.CaseFactory(stage=stage, cognizance_date=D(2026, 1, 5), **kwargs)


def test_judgment_decides_the_case_on_the_hearing_date():
    case = _case()
    hearing = f.HearingFactory(case=case, date=D(2026, 11, 20), outcome=HearingOutcome.JUDGMENT)
    assert case.advance_stage(hearing) == ["stage", "judgment_date"]
    case.refresh_from_db()
    assert (case.stage, case.judgment_date) == (Stage.DECIDED, D(2026, 11, 20))


def test_judgment_keeps_a_judgment_date_already_set():
    case = _case(stage=Stage.JUDGMENT_RESERVED)
    case.judgment_date = D(2026, 11, 19)
    case.save()
    hearing = f.HearingFactory(case=case, date=D(2026, 11, 20), outcome=HearingOutcome.JUDGMENT)
    assert case.advance_stage(hearing) == ["stage"]
    case.refresh_from_db()
    assert case.judgment_date == D(2026, 11, 19)


def test_reserved_moves_to_judgment_reserved():
    case = _case(stage=Stage.ARGUMENTS)
    hearing = f.HearingFactory(case=case, date=D(2026, 11, 20), outcome=HearingOutcome.RESERVED)
    case.advance_stage(hearing)
    case.refresh_from_db()
    assert case.stage == Stage.JUDGMENT_RESERVED


def test_proceeded_moves_to_the_later_purpose():
    case = _case()
    hearing = f.HearingFactory(
        case=case, date=D(2026, 11, 20), outcome=HearingOutcome.PROCEEDED, purpose=Stage.PROSECUTION_EVIDENCE
    )
    assert case.advance_stage(hearing) == ["stage"]
    case.refresh_from_db()
    assert case.stage == Stage.PROSECUTION_EVIDENCE


def test_proceeded_never_moves_back():
    case = _case(stage=Stage.ARGUMENTS)
    hearing = f.HearingFactory(
        case=case, date=D(2026, 11, 20), outcome=HearingOutcome.PROCEEDED, purpose=Stage.COGNIZANCE_TAKEN
    )
    assert case.advance_stage(hearing) == []
    case.refresh_from_db()
    assert case.stage == Stage.ARGUMENTS


@pytest.mark.parametrize("outcome", [HearingOutcome.ADJOURNED, HearingOutcome.NOT_TAKEN_UP])
def test_adjourned_or_not_taken_up_changes_nothing(outcome):
    case = _case()
    reason = "witness_absent" if outcome == HearingOutcome.ADJOURNED else ""
    hearing = f.HearingFactory(
        case=case, date=D(2026, 11, 20), outcome=outcome, adjournment_reason=reason, purpose=Stage.ARGUMENTS
    )
    assert case.advance_stage(hearing) == []
    case.refresh_from_db()
    assert case.stage == Stage.CHARGE_FRAMED


def test_days_over_limit_with_a_calendar_matches_without(django_assert_num_queries):
    from cases.models import Holiday
    from cases.workdays import WorkingCalendar

    Holiday.objects.create(date=D(2026, 11, 9), name="Iqbal Day")
    case = f.CaseFactory(cognizance_date=D(2026, 11, 2))
    calendar = WorkingCalendar()
    with django_assert_num_queries(0):
        assert case.days_over_statutory_limit(D(2026, 11, 25), calendar=calendar) == 9
    assert case.days_over_statutory_limit(D(2026, 11, 25)) == 9
