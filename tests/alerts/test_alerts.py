"""Follow by e-mail: double opt-in, digests of public news only, one-click unsubscribe, rate limits."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from alerts.digest import build_digest, send_digests
from alerts.models import Kind, Subscription
from alerts.staff import send_staff_digests
from cases.models import Verdict
from core.models import Status
from tests import factories as f
from tests.conftest import TODAY, make_user

pytestmark = pytest.mark.django_db
D = datetime.date


def _link(message, name: str) -> str:
    """The path of the first /follow/<name>/ link in an e-mail."""
    match = re.search(rf"https?://[^/\s]+(/follow/{name}/[^\s>]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _confirmed(email="reader@example.org", **target) -> Subscription:
    return Subscription.objects.create(email=email, confirmed_at=timezone.now(), **target)


def test_subscribe_confirm_digest_unsubscribe_end_to_end(client, mailoutbox):
    case = f.CaseFactory(case_number="Special Case 7/2013")
    assert client.get(f"/follow/case/{case.pk}/").status_code == 200

    response = client.post(f"/follow/case/{case.pk}/", {"email": "reader@example.org"})
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    (confirmation,) = mailoutbox
    assert confirmation.to == ["reader@example.org"]
    subscription = Subscription.objects.get()
    assert subscription.confirmed_at is None

    call_command("send_alerts")  # not confirmed yet: nothing
    assert len(mailoutbox) == 1

    assert client.get(_link(confirmation, "confirm")).status_code == 200
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None

    f.HearingFactory(case=case, date=D(2026, 12, 3))
    call_command("send_alerts")
    assert len(mailoutbox) == 2
    digest = mailoutbox[1]
    assert digest.to == ["reader@example.org"]
    assert "Thu 3 Dec 2026: Special Case 7/2013" in digest.body
    unsubscribe = _link(digest, "unsubscribe")
    assert digest.extra_headers["List-Unsubscribe"].endswith(f"{unsubscribe}>")
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    call_command("send_alerts")  # nothing new since the last digest
    assert len(mailoutbox) == 2

    page = client.get(unsubscribe)  # a GET (a mail scanner, say) only asks
    assert page.status_code == 200
    assert b'method="post"' in page.content
    f.HearingFactory(case=case, date=D(2026, 12, 5))
    call_command("send_alerts")
    assert len(mailoutbox) == 3  # still subscribed

    assert client.post(unsubscribe).status_code == 200
    f.HearingFactory(case=case, date=D(2026, 12, 10))
    call_command("send_alerts")
    assert len(mailoutbox) == 3


def test_digest_holds_public_hearings_and_final_verdicts_of_the_court(mailoutbox):
    court = f.CourtFactory(name="ATC I, Quetta")
    subscription = _confirmed(kind=Kind.COURT, court=court)
    since = subscription.confirmed_at
    published = f.CaseFactory(court=court, case_number="Pub 1")
    draft = f.CaseFactory(court=court, case_number="Draft 2", status=Status.DRAFT)
    elsewhere = f.CaseFactory(case_number="Other 3")
    f.HearingFactory(case=published, date=D(2026, 12, 1))
    f.HearingFactory(case=draft, date=D(2026, 12, 1))
    f.HearingFactory(case=elsewhere, date=D(2026, 12, 1))
    f.HearingFactory(case=elsewhere, date=D(2026, 12, 2), court=court)  # heard at the followed court
    convicted = f.ChargeFactory(case=published, accused=f.AccusedFactory(name="Minor", is_juvenile=True))
    convicted.verdict, convicted.verdict_date = Verdict.CONVICTED, D(2026, 11, 20)
    convicted.save()
    f.ChargeFactory(case=published)  # pending: not a verdict
    digest = build_digest(subscription, since=since, until=timezone.now())
    assert [h.case.case_number for h in digest.hearings] == ["Pub 1", "Other 3"]
    assert [c.pk for c in digest.verdicts] == [convicted.pk]
    send_digests(now=timezone.now())
    (message,) = mailoutbox
    assert "Juvenile (name withheld) convicted in Pub 1" in message.body
    assert "Minor" not in message.body.replace("Juvenile", "")
    assert "Draft 2" not in message.body


def test_saved_search_digest_lists_newly_published_matching_incidents(mailoutbox):
    quetta = f.CityFactory(name="Quetta", slug="quetta")
    subscription = _confirmed(kind=Kind.SEARCH, query="city=quetta")
    f.IncidentFactory(title="Old one", city=quetta, province=quetta.province, published_at=subscription.confirmed_at)
    f.IncidentFactory(title="Hazara Town attack", city=quetta, province=quetta.province, killed=None)
    f.IncidentFactory(title="Lahore attack")
    f.IncidentFactory(title="Quetta draft", city=quetta, province=quetta.province, status=Status.DRAFT)
    sent, checked = send_digests(now=timezone.now())
    assert (sent, checked) == (1, 1)
    (message,) = mailoutbox
    assert "Hazara Town attack, Quetta - killed unknown" in message.body
    for absent in ("Old one", "Lahore attack", "Quetta draft"):
        assert absent not in message.body


def test_following_a_draft_case_is_404(client):
    draft = f.CaseFactory(status=Status.DRAFT)
    assert client.get(f"/follow/case/{draft.pk}/").status_code == 404
    assert client.post(f"/follow/case/{draft.pk}/", {"email": "a@example.org"}).status_code == 404
    assert not Subscription.objects.exists()


def test_a_bad_search_is_refused_with_a_message(client):
    response = client.post("/follow/search/?city=atlantis&date_from=not-a-date", {"email": "a@example.org"})
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert not Subscription.objects.exists()


def test_a_search_is_saved_normalised(client):
    f.CityFactory(name="Quetta", slug="quetta")
    f.CommunityFactory(name="Shia", slug="shia")
    client.post("/follow/search/?province=&community=shia&city=quetta", {"email": "a@example.org"})
    assert Subscription.objects.get().query == "city=quetta&community=shia"


def test_bad_email_is_refused(client, mailoutbox):
    case = f.CaseFactory()
    response = client.post(f"/follow/case/{case.pk}/", {"email": "not an address"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert not Subscription.objects.exists()
    assert mailoutbox == []


def test_subscribing_twice_keeps_one_subscription_and_an_active_one_is_told_so(client, mailoutbox):
    case = f.CaseFactory()
    client.post(f"/follow/case/{case.pk}/", {"email": "reader@example.org"})
    client.post(f"/follow/case/{case.pk}/", {"email": "Reader@example.org"})
    assert Subscription.objects.count() == 1
    assert len(mailoutbox) == 2  # the pending one gets its link again
    Subscription.objects.update(confirmed_at=timezone.now())
    client.post(f"/follow/case/{case.pk}/", {"email": "reader@example.org"})
    assert Subscription.objects.count() == 1
    # The same page as ever; the mail (not the page) says the address already follows the case.
    assert mailoutbox[2].subject == f"You already follow case {case.title}"


def test_subscribe_needs_csrf(mailoutbox):
    case = f.CaseFactory()
    response = Client(enforce_csrf_checks=True).post(f"/follow/case/{case.pk}/", {"email": "a@example.org"})
    assert response.status_code == 403
    assert not Subscription.objects.exists()


def test_rate_limited_per_email(client):
    court = f.CourtFactory()
    for _ in range(3):
        assert client.post(f"/follow/court/{court.pk}/", {"email": "flood@example.org"}).status_code == 200
    response = client.post(f"/follow/court/{court.pk}/", {"email": "flood@example.org"})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 24 * 3600


def test_rate_limited_per_client_address(client):
    court = f.CourtFactory()
    for n in range(10):
        assert client.post(f"/follow/court/{court.pk}/", {"email": f"r{n}@example.org"}).status_code == 200
    response = client.post(f"/follow/court/{court.pk}/", {"email": "r10@example.org"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Subscription.objects.count() == 10


def test_bad_or_expired_confirmation_links_change_nothing(client, mailoutbox, monkeypatch):
    case = f.CaseFactory()
    client.post(f"/follow/case/{case.pk}/", {"email": "reader@example.org"})
    link = _link(mailoutbox[0], "confirm")
    assert client.get(link[:-5] + "xxxx/").status_code == 400
    monkeypatch.setattr("alerts.views.CONFIRM_MAX_AGE", -1)
    assert client.get(link).status_code == 400
    assert Subscription.objects.get().confirmed_at is None


def test_unsubscribe_token_cannot_confirm():
    subscription = Subscription.objects.create(email="a@example.org", kind=Kind.SEARCH)
    from alerts.models import CONFIRM_SALT

    assert Subscription.from_token(subscription.unsubscribe_token(), salt=CONFIRM_SALT) is None
    assert Subscription.from_token(subscription.confirm_token(), salt=CONFIRM_SALT) == subscription


def test_one_click_unsubscribe_post_without_csrf(mailoutbox):
    subscription = _confirmed(kind=Kind.SEARCH)
    from django.urls import reverse

    url = reverse("alerts:unsubscribe", args=[subscription.unsubscribe_token()])
    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None


def test_staff_digest_sends_the_worklist_to_staff_with_an_address(django_user_model, mailoutbox):
    monitor = make_user(django_user_model, "monitor-a", group="Legal monitors")
    monitor.email = "monitor@example.org"
    monitor.save()
    make_user(django_user_model, "no-mail", group="Editors")
    public = django_user_model.objects.create_user("public", "public@example.org", "x-correct-horse-battery")
    assert public.email
    f.CaseFactory(case_number="SC 1/2026", cognizance_date=D(2026, 11, 2))
    f.IncidentFactory(status=Status.DRAFT)
    assert send_staff_digests(today=TODAY) == 1
    (message,) = mailoutbox
    assert message.to == ["monitor@example.org"]
    assert "Over the ATA s.19(7) limit: 1" in message.body
    assert "SC 1/2026" in message.body
    assert "Drafts waiting for review: 1" in message.body


def test_staff_digest_command(django_user_model, mailoutbox, capsys):
    user = make_user(django_user_model, "ed", group="Editors")
    user.email = "ed@example.org"
    user.save()
    call_command("send_alerts", "--staff-digest")
    assert [m.to for m in mailoutbox] == [["ed@example.org"]]
    assert "Staff worklist digests sent: 1." in capsys.readouterr().out
