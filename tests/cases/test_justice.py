"""cases/justice.py: standing verdicts, researched incidents, the funnel, impunity with its coverage,
partial justice and small numbers, each on a small hand-built world with the figures worked out
by hand in the comments. The day is fixed (TODAY): nothing here depends on the clock."""

from __future__ import annotations

import datetime

import pytest

from cases import justice
from cases.justice import Funnel, Impunity, PartialJustice, standing
from cases.models import Appeal, AppealOutcome, Appellant, Case, Charge, Custody, Verdict
from core.models import Status
from dashboard.tables import display_n
from incidents.models import Incident
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2020, 1, 1)  # every incident below (2012) is at least three years old on this day
NOBODY = Funnel(1, 0, 0, 0, 0, 0)
APPEAL_DECIDED = D(2014, 5, 6)


def attack(**kwargs) -> Incident:
    return f.IncidentFactory(**{"date": D(2012, 3, 10), "killed": 5, **kwargs})


def trial(incident: Incident, verdict: str = Verdict.CONVICTED, **kwargs) -> Charge:
    """A published case for ``incident`` with one charge of this trial verdict (decided in 2013)."""
    case = kwargs.pop("case", None) or f.CaseFactory(incidents=[incident])
    dated = verdict not in (Verdict.PENDING, Verdict.TRANSFERRED)
    return f.ChargeFactory(case=case, verdict=verdict, verdict_date=D(2013, 1, 10) if dated else None, **kwargs)


def appeal(charge: Charge, outcome: str, decided_on: datetime.date | None = APPEAL_DECIDED, **kwargs) -> Appeal:
    if outcome == AppealOutcome.PENDING:
        decided_on = None
    return f.AppealFactory(charge=charge, outcome=outcome, decided_on=decided_on, **kwargs)


def figures() -> tuple[Funnel, Impunity, PartialJustice]:
    incidents = Incident.objects.public()
    return (
        justice.funnel(incidents=incidents, today=TODAY),
        justice.impunity(incidents=incidents, today=TODAY),
        justice.partial_justice(incidents=incidents, today=TODAY),
    )


def standing_of(verdict: str) -> set[int]:
    return set(Charge.objects.filter(standing(verdict)).values_list("pk", flat=True))


# Standing verdicts ---------------------------------------------------------------------------


def test_conviction_overturned_on_the_convicts_appeal_stands_as_acquitted():
    incident = attack()
    charge = trial(incident, Verdict.CONVICTED)
    appeal(charge, AppealOutcome.OVERTURNED, appellant=Appellant.CONVICT)
    assert standing_of(Verdict.ACQUITTED) == {charge.pk}
    assert standing_of(Verdict.CONVICTED) == set()
    funnel, impunity, partial = figures()
    # Charged, tried (an acquittal is a final verdict), nobody convicted.
    assert funnel == Funnel(
        fatal_incidents=1, case_registered=1, accused_charged=1, trial_concluded=1, convicted=0, conviction_upheld=0
    )
    # Researched (a published case), with no standing conviction: 1 of 1 unpunished.
    assert impunity == Impunity(rate=1.0, fatal_old=1, researched=1, unpunished=1, coverage=1.0)
    assert partial == PartialJustice(incidents=0, with_standing_conviction=0, share=None)


def test_acquittal_overturned_on_the_states_appeal_stands_as_convicted():
    incident = attack()
    charge = trial(incident, Verdict.ACQUITTED)
    appeal(charge, AppealOutcome.OVERTURNED, appellant=Appellant.STATE)
    assert standing_of(Verdict.CONVICTED) == {charge.pk}
    funnel, impunity, _ = figures()
    # A standing conviction; not "upheld": the trial verdict was an acquittal, and it was overturned.
    assert funnel == Funnel(1, 1, 1, 1, convicted=1, conviction_upheld=0)
    assert impunity == Impunity(rate=0.0, fatal_old=1, researched=1, unpunished=0, coverage=1.0)


def test_discharge_overturned_stands_as_convicted():
    charge = trial(attack(), Verdict.DISCHARGED)
    appeal(charge, AppealOutcome.OVERTURNED, appellant=Appellant.COMPLAINANT)
    assert standing_of(Verdict.CONVICTED) == {charge.pk}
    assert standing_of(Verdict.DISCHARGED) == set()


def test_remanded_conviction_stands_as_pending_and_reopens_the_trial():
    incident = attack()
    charge = trial(incident, Verdict.CONVICTED)
    appeal(charge, AppealOutcome.REMANDED)
    assert standing_of(Verdict.PENDING) == {charge.pk}
    assert standing_of(Verdict.CONVICTED) == set()
    funnel, impunity, _ = figures()
    # The retrial is pending: charged, but no trial concluded and nobody convicted.
    assert funnel == Funnel(1, 1, 1, trial_concluded=0, convicted=0, conviction_upheld=0)
    assert impunity == Impunity(rate=1.0, fatal_old=1, researched=1, unpunished=1, coverage=1.0)


def test_pending_appeal_leaves_the_conviction_standing_but_not_upheld():
    incident = attack()
    charge = trial(incident, Verdict.CONVICTED)
    appeal(charge, AppealOutcome.PENDING)
    assert standing_of(Verdict.CONVICTED) == {charge.pk}
    funnel, impunity, _ = figures()
    assert funnel == Funnel(1, 1, 1, 1, convicted=1, conviction_upheld=0)
    assert impunity.unpunished == 0


def test_upheld_and_modified_leave_the_trial_verdict():
    upheld = trial(attack(), Verdict.CONVICTED)
    appeal(upheld, AppealOutcome.UPHELD)
    modified = trial(attack(), Verdict.CONVICTED)
    appeal(modified, AppealOutcome.MODIFIED)
    acquittal_upheld = trial(attack(), Verdict.ACQUITTED)
    appeal(acquittal_upheld, AppealOutcome.UPHELD, appellant=Appellant.STATE)
    assert standing_of(Verdict.CONVICTED) == {upheld.pk, modified.pk}
    assert standing_of(Verdict.ACQUITTED) == {acquittal_upheld.pk}
    funnel, _, _ = figures()
    # Both convictions were appealed, every appeal decided, none overturned or remanded: upheld.
    assert funnel == Funnel(3, 3, 3, 3, convicted=2, conviction_upheld=2)


def test_two_appeals_in_sequence_the_latest_decided_one_stands():
    # Entered out of order: the first row (lower id) is the later decision, the High Court's
    # overturning of 2015 was itself set aside by the Supreme Court in 2016 (upheld: the trial
    # court's conviction stands).
    later_first = trial(attack(), Verdict.CONVICTED)
    appeal(later_first, AppealOutcome.UPHELD, decided_on=D(2016, 5, 1))
    appeal(later_first, AppealOutcome.OVERTURNED, decided_on=D(2015, 5, 1))
    # The same day: the higher id is the later one.
    same_day = trial(attack(), Verdict.CONVICTED)
    appeal(same_day, AppealOutcome.UPHELD, decided_on=D(2015, 5, 1))
    appeal(same_day, AppealOutcome.OVERTURNED, decided_on=D(2015, 5, 1))
    # A pending appeal after a decided one changes nothing.
    then_pending = trial(attack(), Verdict.CONVICTED)
    appeal(then_pending, AppealOutcome.OVERTURNED, decided_on=D(2015, 5, 1))
    appeal(then_pending, AppealOutcome.PENDING, filed_on=D(2015, 6, 1))
    assert standing_of(Verdict.CONVICTED) == {later_first.pk}
    assert standing_of(Verdict.ACQUITTED) == {same_day.pk, then_pending.pk}
    assert set(justice.latest_decided_appeals().values_list("charge_id", "outcome")) == {
        (later_first.pk, AppealOutcome.UPHELD),
        (same_day.pk, AppealOutcome.OVERTURNED),
        (then_pending.pk, AppealOutcome.OVERTURNED),
    }
    funnel, impunity, _ = figures()
    # later_first: convicted, but one of its appeals was overturned, so it is not "upheld".
    assert funnel == Funnel(3, 3, 3, 3, convicted=1, conviction_upheld=0)
    assert impunity == Impunity(rate=2 / 3, fatal_old=3, researched=3, unpunished=2, coverage=1.0)


# Researched incidents and impunity ---------------------------------------------------------------


def test_incident_checked_with_nothing_found_is_researched_and_unpunished():
    attack(court_record_checked_on=D(2019, 6, 1))
    funnel, impunity, _ = figures()
    assert funnel == NOBODY
    assert impunity == Impunity(rate=1.0, fatal_old=1, researched=1, unpunished=1, coverage=1.0)


def test_unresearched_incident_is_left_out_of_the_rate_and_lowers_the_coverage():
    attack()
    assert figures()[1] == Impunity(rate=None, fatal_old=1, researched=0, unpunished=0, coverage=0.0)
    # Beside a checked one: the rate is 1 of 1 researched; coverage 1 of 2.
    attack(court_record_checked_on=D(2019, 6, 1))
    assert figures()[1] == Impunity(rate=1.0, fatal_old=2, researched=1, unpunished=1, coverage=0.5)


def test_a_draft_or_retracted_case_neither_researches_nor_convicts():
    incident = attack()
    trial(incident, Verdict.CONVICTED, case=f.CaseFactory(incidents=[incident], status=Status.DRAFT))
    trial(incident, Verdict.CONVICTED, case=f.CaseFactory(incidents=[incident], status=Status.RETRACTED))
    funnel, impunity, _ = figures()
    assert funnel == NOBODY
    assert impunity == Impunity(rate=None, fatal_old=1, researched=0, unpunished=0, coverage=0.0)


def test_impunity_counts_only_fatal_incidents_three_years_old():
    attack(date=D(2017, 1, 1), court_record_checked_on=D(2019, 6, 1))  # 1 Jan 2017: three years old on TODAY
    attack(date=D(2017, 1, 2), court_record_checked_on=D(2019, 6, 1))  # a day too young
    attack(killed=0, court_record_checked_on=D(2019, 6, 1))  # nobody killed
    attack(killed=None, court_record_checked_on=D(2019, 6, 1))  # toll unknown: not known to be fatal
    assert figures()[1] == Impunity(rate=1.0, fatal_old=1, researched=1, unpunished=1, coverage=1.0)


def test_conviction_without_appeal_is_upheld_once_thirty_days_have_passed():
    incident = attack()
    charge = trial(incident, Verdict.CONVICTED)
    charge.verdict_date = TODAY - datetime.timedelta(days=30)
    charge.save()
    assert figures()[0].conviction_upheld == 0
    Charge.objects.filter(pk=charge.pk).update(verdict_date=TODAY - datetime.timedelta(days=31))
    assert figures()[0].conviction_upheld == 1


# Partial justice --------------------------------------------------------------------------------


def test_partial_justice_counts_another_person_left_free_among_standing_convictions():
    # A: X convicted, Y absconding with no verdict: partial justice.
    a = attack()
    trial(a, Verdict.CONVICTED)
    trial(a, Verdict.PENDING, case=a.cases.get(), custody=Custody.ABSCONDING)
    # B: X convicted, Y acquitted, but Y's acquittal overturned on the state's appeal: both convicted.
    b = attack()
    trial(b, Verdict.CONVICTED)
    y = trial(b, Verdict.ACQUITTED, case=b.cases.get())
    appeal(y, AppealOutcome.OVERTURNED, appellant=Appellant.STATE)
    # C: the same person convicted in one case and acquitted in another: nobody else went free.
    c = attack()
    person = f.AccusedFactory()
    trial(c, Verdict.CONVICTED, accused=person)
    trial(c, Verdict.ACQUITTED, accused=person)
    # D: X's conviction overturned, Z acquitted: no standing conviction, so not counted at all.
    d = attack()
    x = trial(d, Verdict.CONVICTED)
    appeal(x, AppealOutcome.OVERTURNED)
    trial(d, Verdict.ACQUITTED, case=d.cases.get())
    # E: X convicted, Y on bail awaiting trial: not left free.
    e = attack()
    trial(e, Verdict.CONVICTED)
    trial(e, Verdict.PENDING, case=e.cases.get(), custody=Custody.ON_BAIL)
    # Standing convictions in A, B, C and E; partial justice in A only: 1 of 4.
    assert figures()[2] == PartialJustice(incidents=1, with_standing_conviction=4, share=0.25)


def test_partial_justice_looks_only_at_fatal_incidents_three_years_old():
    young = attack(date=D(2019, 1, 1))
    trial(young, Verdict.CONVICTED)
    trial(young, Verdict.ACQUITTED, case=young.cases.get())
    assert figures()[2] == PartialJustice(incidents=0, with_standing_conviction=0, share=None)


# Small numbers ----------------------------------------------------------------------------------


def test_a_rate_over_fewer_than_five_is_too_few_to_say():
    assert display_n(0.5, "share", 2) == "too few to say (n = 2)"
    assert display_n(0.5, "share", 4) == "too few to say (n = 4)"
    assert display_n(0.5, "share", 5) == "50.0%"
    assert display_n(3, "count", None) == "3"


def test_statistics_page_says_too_few_and_the_api_gives_value_and_n(client, time_machine):
    time_machine.move_to(datetime.datetime(2020, 1, 1, 12))
    attack(court_record_checked_on=D(2019, 6, 1))
    trial(attack(), Verdict.CONVICTED)
    attack()  # unresearched
    data = client.get("/api/statistics/").json()
    # The rate and its n (researched), the coverage and its n (fatal_old).
    assert data["impunity"] == {"rate": 0.5, "fatal_old": 3, "researched": 2, "unpunished": 1, "coverage": 2 / 3}
    assert data["impunity_rate"] == 0.5
    page = client.get("/statistics/").content.decode()
    assert "too few to say (n = 2)" in page
    assert "court records researched for 2 of 3 fatal incidents at least three years old (67% coverage)" in page


# Every write path is in the next figure ----------------------------------------------------------


def test_writes_that_send_no_signal_are_counted_at_once():
    incident = attack()
    charge = trial(incident, Verdict.PENDING)
    assert figures()[0] == Funnel(1, 1, 1, 0, 0, 0)
    Charge.objects.filter(pk=charge.pk).update(verdict=Verdict.CONVICTED, verdict_date=D(2013, 1, 10))
    assert figures()[0] == Funnel(1, 1, 1, 1, 1, 1)
    Appeal.objects.bulk_create(
        [
            Appeal(
                charge=charge,
                court=f.CourtFactory(),
                appellant=Appellant.CONVICT,
                filed_on=D(2013, 2, 1),
                decided_on=D(2014, 1, 1),
                outcome=AppealOutcome.OVERTURNED,
            )
        ]
    )
    assert figures()[0] == Funnel(1, 1, 1, 1, 0, 0)
    Case.objects.filter(pk=charge.case_id).update(status=Status.DRAFT)
    assert figures()[0] == NOBODY
    assert figures()[1] == Impunity(rate=None, fatal_old=1, researched=0, unpunished=0, coverage=0.0)


# Each figure reads the counts the three share (justice_counts): two queries, the incidents and the charges.
@pytest.mark.parametrize(("figure", "queries"), [("funnel", 2), ("impunity", 2), ("partial_justice", 2)])
def test_each_figure_runs_a_constant_number_of_queries(figure, queries, django_assert_num_queries):
    incident = attack()
    trial(incident, Verdict.CONVICTED)
    with django_assert_num_queries(queries):
        getattr(justice, figure)(incidents=Incident.objects.public(), today=TODAY)
    for _ in range(5):
        appeal(trial(attack(), Verdict.ACQUITTED), AppealOutcome.OVERTURNED)
    with django_assert_num_queries(queries):
        getattr(justice, figure)(incidents=Incident.objects.public(), today=TODAY)
