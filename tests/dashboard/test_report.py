"""/statistics/report/: the worked example written out in sentences, each linking to its records."""

from __future__ import annotations

import datetime
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard import report
from tests import factories as f
from tests.test_worked_example import PERIOD, example  # noqa: F401  (the DESIGN.md worked example fixture)

D = datetime.date
TODAY = D(2026, 11, 25)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    time_machine.move_to(TODAY)


def get(client, **params):
    return client.get(reverse("dashboard:report"), params)


def article(response) -> str:
    html = response.content.decode()
    return html[html.index('<article class="report"') : html.index("</article>")]


def text_of(response) -> str:
    """The report's words, tags removed and spaces collapsed (links leave a space before their full stop)."""
    words = " ".join(unescape(re.sub(r"<[^>]+>", " ", article(response))).split())
    return words.replace(" .", ".")


def links_of(response) -> dict[str, str]:
    """Link text → href, for every link in the report."""
    return {
        " ".join(unescape(text).split()): unescape(href)
        for href, text in re.findall(r'<a class="report-source" href="([^"]+)">(.*?)</a>', article(response))
    }


def params(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


WORKED_EXAMPLE_SENTENCES = [
    "Between March and May 2012, 3 attacks killed 12 people and injured at least 4 "
    "(the number injured in 1 attack is not known).",
    "That is an average of 4.0 people killed a month over 3 calendar months, counting both end months.",
    "Bombing (planted, IED, grenade) caused the most deaths: 10 of the 12 killed (83%), in 1 attack.",
    "More people were killed in Khyber Pakhtunkhwa than in any other province or territory: 10 (83%).",
    "Attacks targeting Shia killed 12 people (100% of all deaths) in 2 attacks;",
    # Two attacks are too few for a percentage: the counts only.
    "Of the 2 attacks that killed someone, 2 led to a published court case, 2 to charges against at least "
    "one accused, 1 to a concluded trial and 1 to the standing conviction of at least one person.",
    "In 1 attack a conviction is final: upheld on appeal, or not appealed for more than 30 days.",
    "Of the 2 fatal attacks at least 3 years old on 25 November 2026, the court record of 2 has been "
    "researched: a published case, or a search of the courts and police that found nothing. In 1 of them no "
    "conviction of anyone stands; too few to give a rate (n = 2).",
    "In the one researched attack of that age with a standing conviction, another accused stands acquitted or "
    "discharged, or is still absconding (partial justice).",
    "The courts decided one case; it took 223 days (159 working days) from cognizance to judgment.",
    "The Anti-Terrorism Act gives a court seven working days to decide a case; that case did not meet it.",
    "Of the 2 accused whose trial has ended, 1 was convicted.",  # no percentage of two
]


def test_worked_example_in_sentences(client, example):  # noqa: F811
    response = get(client, **PERIOD)
    assert response.status_code == 200
    text = text_of(response)
    for sentence in WORKED_EXAMPLE_SENTENCES:
        assert sentence in text
    assert "50 " not in text  # the draft E4 (50 killed) is never counted


def test_each_sentence_links_to_its_records_with_the_same_filters(client, example):  # noqa: F811
    links = links_of(get(client, **PERIOD))
    incidents = reverse("incidents:incident_list")
    cases = reverse("cases:case_list")
    assert links["See the 3 incidents"] == f"{incidents}?date_from=2012-03-01&date_to=2012-05-31"
    assert params(links["See the incident of this type"]) == PERIOD | {"attack_type": "bombing"}
    assert params(links["See the incident in Khyber Pakhtunkhwa"]) == PERIOD | {"province": "khyber-pakhtunkhwa"}
    assert params(links["See the 2 incidents targeting Shia"]) == PERIOD | {"community": "shia"}
    assert urlsplit(links["See the cases"]).path == cases
    assert params(links["See the cases"]) == PERIOD
    assert params(links["See the cases with a conviction"]) == PERIOD | {"verdict": "convicted"}
    # Impunity: the attacks at least 3 years old, within the chosen period.
    assert params(links["See the attacks up to 25 November 2023"]) == PERIOD


def test_every_link_opens(client, example):  # noqa: F811
    html = article(get(client, **PERIOD))
    pairs = set(re.findall(r'<a class="report-source" href="([^"]+)">(.*?)</a>', html))
    texts = [text for _, text in pairs]
    # One text, one destination: a screen reader's list of links makes sense.
    assert len(texts) == len(set(texts)) == 8
    for url, _ in pairs:
        assert client.get(unescape(url)).status_code == 200, url


def test_filters_appear_in_the_words(client, example):  # noqa: F811
    text = text_of(get(client, province="sindh", date_from="2012-03-01", date_to="2012-05-31"))
    assert "Between March and May 2012, 2 attacks in Sindh killed 2 people and injured 4." in text
    assert "More people were killed in" not in text  # no province ranking inside one province


def test_unknown_death_toll_is_said_plainly(client):
    f.IncidentFactory(date=D(2013, 1, 10), killed=None, injured=3)
    f.IncidentFactory(date=D(2013, 1, 20), killed=5, injured=2)
    text = text_of(get(client))
    assert (
        "In January 2013, 2 attacks killed at least 5 people (the death toll of 1 attack is not known) and injured 5."
        in text
    )
    assert "That is an average of 5.0 people killed a month over 1 calendar month" in text


def test_no_matching_attack(client):
    text = text_of(get(client, date_from="2001-01-01", date_to="2001-12-31"))
    assert "Between January and December 2001, no published attack is recorded." in text
    assert "No published court case is linked to these attacks yet." in text


def test_invalid_filters_answer_400_and_write_no_report(client):
    response = get(client, date_from="2012-02-30", province="atlantis")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Some filters could not be used" in html
    assert '<article class="report"' not in html


def test_query_count_does_not_grow_with_data(client, example):  # noqa: F811
    with CaptureQueriesContext(connection) as few:
        get(client)
    for n in range(10):
        incident = f.IncidentFactory(date=D(2012, 1 + n, 1), killed=n, communities=[f.CommunityFactory()])
        case = f.CaseFactory(incidents=[incident], court=f.CourtFactory(), cognizance_date=D(2013, 1, 1 + n))
        f.ChargeFactory(case=case)
    with CaptureQueriesContext(connection) as many:
        assert get(client).status_code == 200
    assert len(few.captured_queries) == len(many.captured_queries)


# careful English -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (0, 10, "0%"),
        (1, 1000, "less than 1%"),
        (999, 1000, "more than 99%"),
        (5, 5, "100%"),
        (1, 3, "33%"),
        (2, 3, "67%"),
        (1, 8, "12%"),
        (3, 8, "38%"),
        (1, 0, "–"),
    ],
)
def test_percent_never_rounds_to_a_false_zero_or_hundred(part, whole, expected):
    assert report.percent(part, whole) == expected


def test_plurals_and_spans():
    assert report.people(1) == "1 person"
    assert report.people(2018) == "2,018 people"
    assert report.days(1) == "1 day"
    assert report.days(7.5, working=True) == "7.5 working days"
    assert report.month_span(D(2012, 3, 1), D(2012, 3, 31)) == "In March 2012"
    assert report.month_span(D(2012, 3, 1), D(2012, 5, 31)) == "Between March and May 2012"
    assert report.month_span(D(2013, 1, 1), D(2014, 6, 30)) == "Between January 2013 and June 2014"


def _court_sentences(n_decided: int) -> list[str]:
    """The report's court sentences for ``n_decided`` cases taken up on Monday 2012-06-04 and
    decided 1, 2, 3, … calendar days later (as many working days, Tuesday to Friday, then more)."""
    from cases.courts import court_statistics
    from cases.models import Case
    from cases.workdays import WorkingCalendar

    court = f.CourtFactory()
    for days in range(1, n_decided + 1):
        f.CaseFactory(court=court, cognizance_date=D(2012, 6, 4), judgment_date=D(2012, 6, 4 + days), stage="decided")
    figures = court_statistics(cases=Case.objects.public(), today=TODAY, calendar=WorkingCalendar(holidays=[]))
    return [s.text for s in report.courts({"courts": figures.as_dict()}, {}).sentences]


def test_court_sentences_give_no_median_or_percentage_from_fewer_than_five_cases():
    first, compliance = _court_sentences(3)
    assert first == (
        "The courts decided 3 cases: too few to say how long the median case took from cognizance to judgment (n = 3)."
    )
    assert compliance == (
        "The Anti-Terrorism Act gives a court seven working days to decide a case; 3 of the 3 decided cases met that limit."
    )


def test_court_sentences_give_the_median_from_five_cases():
    first, compliance = _court_sentences(5)
    # 1..5 calendar days (Tue, Wed, Thu, Fri, Sat): working days 1, 2, 3, 4, 4; the 90th percentile 4.6 days.
    assert first == (
        "The courts decided 5 cases; from cognizance to judgment the median case took 3 days (3 working days), "
        "and one in ten took more than 5 days."
    )
    assert compliance.endswith("5 of the 5 decided cases (100%) met that limit.")


def test_impunity_sentence_gives_coverage_counts_and_the_rate_from_five_researched(client):
    # Six fatal attacks of 2012: five researched (four checked with nothing found, one with a standing
    # conviction), one nobody has looked into.
    for _ in range(4):
        f.IncidentFactory(date=D(2012, 3, 10), killed=2, court_record_checked_on=D(2020, 1, 1))
    convicted = f.IncidentFactory(date=D(2012, 3, 10), killed=2)
    f.ChargeFactory(case=f.CaseFactory(incidents=[convicted]), verdict="convicted", verdict_date=D(2013, 1, 10))
    f.IncidentFactory(date=D(2012, 3, 10), killed=2)
    text = text_of(get(client))
    assert (
        "Of the 6 fatal attacks at least 3 years old on 25 November 2026, the court record of 5 (83%) has been "
        "researched: a published case, or a search of the courts and police that found nothing. In 4 of them "
        "(80%) no conviction of anyone stands."
    ) in text
