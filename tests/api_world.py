"""Hand-built data for the API, feed, calendar and corrections tests, with planted secrets.

Every string in `SECRETS` is stored in a field the public must never see (a hidden victim's name,
a juvenile accused's name, confidential notes, review notes, the recorder's username, a draft's
and a retracted record's titles); the tests check that no public response contains any of them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from cases import models as cm
from incidents import models as im
from tests import factories as f

D = datetime.date

HIDDEN_VICTIM = "Zeeshan Hiddenvictim"
JUVENILE = "Kamran Juvenilename"
CONFIDENTIAL_NOTE = "Informant lives near the mosque"
CASE_REVIEW_NOTE = "Casereviewnote check the FIR copy"
INCIDENT_REVIEW_NOTE = "Incidentreviewnote second source needed"
RECORDER = "recorder-username-x7"
DRAFT_TITLE = "Draftonly attack on a shrine"
RETRACTED_TITLE = "Retractedrecord blast at a market"
DRAFT_CASE_NUMBER = "Draftcase 99/2013"
SECRETS = (
    HIDDEN_VICTIM,
    JUVENILE,
    CONFIDENTIAL_NOTE,
    CASE_REVIEW_NOTE,
    INCIDENT_REVIEW_NOTE,
    RECORDER,
    DRAFT_TITLE,
    RETRACTED_TITLE,
    DRAFT_CASE_NUMBER,
)

# Fixed times for the bookkeeping fields Django fills in itself (set after saving).
PUBLISHED_AT = datetime.datetime(2012, 3, 11, 5, 0, tzinfo=datetime.UTC)
UPDATED_AT = datetime.datetime(2013, 1, 2, 7, 30, tzinfo=datetime.UTC)


@dataclass
class World:
    sindh: im.Province
    karachi: im.City
    shia: im.Community
    lej: im.Organisation
    source: im.Source
    incident: im.Incident
    draft_incident: im.Incident
    retracted_incident: im.Incident
    public_victim: im.Victim
    hidden_victim: im.Victim
    court: cm.Court
    other_court: cm.Court
    case: cm.Case
    draft_case: cm.Case
    adult: cm.Accused
    juvenile: cm.Accused
    adult_charge: cm.Charge
    appeal: cm.Appeal
    hearing: cm.Hearing
    hearing_elsewhere: cm.Hearing
    past_hearing: cm.Hearing
    draft_hearing: cm.Hearing


def build_world() -> World:
    recorder = get_user_model().objects.create_user(username=RECORDER, password="x-unused-password-123")
    sindh = f.ProvinceFactory(name="Sindh", slug="sindh")
    karachi = f.CityFactory(name="Karachi", slug="karachi", province=sindh, district="Karachi South")
    shia = f.CommunityFactory(name="Shia", slug="shia")
    lej = f.OrganisationFactory(name="Lashkar-e-Jhangvi", slug="lej", abbreviation="LeJ", proscribed=True)
    source = f.SourceFactory(title="Dawn report", publisher="Dawn", url="https://example.org/dawn-1")
    incident = f.IncidentFactory(
        title="Shooting at a clinic",
        date=D(2012, 3, 10),
        province=sindh,
        city=karachi,
        locality="Soldier Bazaar",
        killed=2,
        injured=None,
        description="Two doctors shot dead; injured not reported.",
        review_note=INCIDENT_REVIEW_NOTE,
        created_by=recorder,
        communities=[shia],
    )
    f.IncidentSourceFactory(incident=incident, source=source, reported_killed=2, reported_killed_max=3, note="2-3 dead")
    f.AttributionFactory(incident=incident, organisation=lej, kind=im.AttributionKind.CLAIMED, source=source)
    public_victim = f.VictimFactory(incident=incident, name="Dr Ali Raza", is_public=True, age=45, community=shia)
    hidden_victim = f.VictimFactory(incident=incident, name=HIDDEN_VICTIM, is_public=False, gender="male")
    draft_incident = f.IncidentFactory(title=DRAFT_TITLE, province=sindh, status=im.Status.DRAFT, killed=9)
    retracted_incident = f.IncidentFactory(
        title=RETRACTED_TITLE, province=sindh, status=im.Status.RETRACTED, retraction_note="Double count"
    )
    court = f.CourtFactory(name="Anti-Terrorism Court II, Karachi", city=karachi)
    other_court = f.CourtFactory(name="Anti-Terrorism Court I, Hyderabad")
    offence = f.OffenceFactory(code="ATA 1997 s.7(a)", title="Act of terrorism causing death")
    case = f.CaseFactory(
        court=court,
        case_number="Special Case 12/2012",
        fir_number="45/2012",
        fir_date=D(2012, 3, 10),
        police_station="Preedy",
        cognizance_date=D(2012, 6, 1),
        judgment_date=D(2013, 1, 10),
        stage=cm.Stage.DECIDED,
        public_notes="Two accused tried together.",
        confidential_notes=CONFIDENTIAL_NOTE,
        review_note=CASE_REVIEW_NOTE,
        incidents=[incident, draft_incident],
    )
    case.offences.set([offence])
    adult = f.AccusedFactory(name="Akram Adult", affiliation=lej)
    juvenile = f.AccusedFactory(name=JUVENILE, is_juvenile=True)
    adult_charge = f.ChargeFactory(
        case=case,
        accused=adult,
        custody=cm.Custody.ARRESTED,
        verdict=cm.Verdict.CONVICTED,
        verdict_date=D(2013, 1, 10),
        sentence="Death",
        sentence_kind=cm.SentenceKind.DEATH,
    )
    f.ChargeFactory(case=case, accused=juvenile, custody=cm.Custody.ABSCONDING)
    high_court = f.CourtFactory(name="Sindh High Court", kind=cm.CourtKind.HIGH_COURT)
    appeal = f.AppealFactory(charge=adult_charge, court=high_court, filed_on=D(2013, 2, 1))
    past_hearing = f.HearingFactory(
        case=case,
        date=D(2012, 6, 5),
        judge="Judge Rehman",
        purpose=cm.Stage.CHARGE_FRAMED,
        outcome=cm.HearingOutcome.ADJOURNED,
        adjournment_reason=cm.AdjournmentReason.WITNESS_ABSENT,
        next_date=D(2012, 6, 12),
        monitor_present=True,
        notes="Witness did not come.",
        recorded_by=recorder,
    )
    hearing = f.HearingFactory(
        case=case, date=D(2026, 12, 1), judge="Judge Rehman", purpose=cm.Stage.ARGUMENTS, recorded_by=recorder
    )
    hearing_elsewhere = f.HearingFactory(case=case, date=D(2026, 12, 3), court=other_court)
    draft_case = f.CaseFactory(court=court, case_number=DRAFT_CASE_NUMBER, status=im.Status.DRAFT, incidents=[incident])
    draft_hearing = f.HearingFactory(case=draft_case, date=D(2026, 12, 2), court=court)
    # Bookkeeping times Django sets itself: fix them so responses can be compared exactly.
    im.Incident.objects.filter(pk=incident.pk).update(published_at=PUBLISHED_AT, updated_at=UPDATED_AT)
    cm.Case.objects.filter(pk=case.pk).update(published_at=PUBLISHED_AT, updated_at=UPDATED_AT)
    incident.refresh_from_db()
    case.refresh_from_db()
    return World(
        sindh=sindh,
        karachi=karachi,
        shia=shia,
        lej=lej,
        source=source,
        incident=incident,
        draft_incident=draft_incident,
        retracted_incident=retracted_incident,
        public_victim=public_victim,
        hidden_victim=hidden_victim,
        court=court,
        other_court=other_court,
        case=case,
        draft_case=draft_case,
        adult=adult,
        juvenile=juvenile,
        adult_charge=adult_charge,
        appeal=appeal,
        hearing=hearing,
        hearing_elsewhere=hearing_elsewhere,
        past_hearing=past_hearing,
        draft_hearing=draft_hearing,
    )


def assert_no_secrets(text: str) -> None:
    leaked = [secret for secret in SECRETS if secret.lower() in text.lower()]
    assert not leaked, f"confidential strings in a public response: {leaked}"
