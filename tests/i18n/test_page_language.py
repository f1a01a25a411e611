"""Every page says its language and direction, links to itself in the other language, and keeps
working when something goes wrong (templates/base.html, incidents/templatetags/site_nav.py)."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from incidents.templatetags.site_nav import page_in_language
from tests.conftest import login, make_user
from tests.factories import IncidentFactory
from tracker.middleware import database_unavailable_response, too_many_requests
from tracker.roles import MONITORS

pytestmark = pytest.mark.django_db


def html_tag(content: str) -> str:
    return re.search(r"<html[^>]*>", content).group(0)


def switch(content: str) -> str:
    """The header's language link."""
    return re.search(r'<a class="language-switch"[^>]*>[^<]*</a>', content).group(0)


@pytest.mark.parametrize(
    ("path", "lang", "direction"), [("/incidents/", "en-gb", "ltr"), ("/ur/incidents/", "ur", "rtl")]
)
def test_page_states_its_language_and_direction(client, path, lang, direction):
    assert html_tag(client.get(path).content.decode()) == f'<html lang="{lang}" dir="{direction}">'


def test_switch_on_a_filtered_list_leads_to_the_same_list_in_urdu_and_back(client):
    english = client.get("/incidents/?province=sindh&page=2").content.decode()
    assert switch(english) == (
        '<a class="language-switch" href="/ur/incidents/?province=sindh&amp;page=2" lang="ur" hreflang="ur">اردو</a>'
    )
    urdu = client.get("/ur/incidents/?province=sindh&page=2").content.decode()
    assert switch(urdu) == (
        '<a class="language-switch" href="/incidents/?province=sindh&amp;page=2" lang="en-gb" hreflang="en-gb">'
        "English</a>"
    )


def test_switch_leaves_out_empty_filters_as_every_server_built_link_does(client):
    english = client.get("/incidents/?q=&province=sindh&city=&page=2").content.decode()
    assert 'href="/ur/incidents/?province=sindh&amp;page=2"' in switch(english)
    assert 'href="/ur/incidents/"' in switch(client.get("/incidents/?q=&city=").content.decode())


def test_head_names_both_language_versions(client):
    content = client.get("/ur/incidents/?page=2").content.decode()
    assert '<link rel="alternate" hreflang="en-gb" href="/incidents/?page=2">' in content
    assert '<link rel="alternate" hreflang="ur" href="/ur/incidents/?page=2">' in content


def test_switch_on_a_record_page_keeps_the_record(client):
    incident = IncidentFactory(title="DATA Published attack")
    content = client.get(f"/ur/incidents/{incident.pk}/").content.decode()
    assert f'href="/incidents/{incident.pk}/"' in switch(content)


def test_urdu_home_page_reads_in_urdu(client):
    content = client.get("/ur/").content.decode()
    assert "مواد پر جائیں" in content  # the skip link
    assert '<a href="/ur/incidents/">واقعات</a>' in content
    assert switch(content).startswith('<a class="language-switch" href="/" ')


@pytest.mark.parametrize(
    ("path", "lang", "heading", "other"),
    [
        ("/no-such-page/", "en-gb", "Page not found", "/ur/no-such-page/"),
        ("/ur/no-such-page/", "ur", "صفحہ نہیں ملا", "/no-such-page/"),
    ],
)
def test_not_found_page_is_in_the_path_language_with_a_switch(client, path, lang, heading, other):
    response = client.get(path)
    content = response.content.decode()
    assert response.status_code == 404
    assert html_tag(content).startswith(f'<html lang="{lang}"')
    assert f"<h1>{heading}</h1>" in content
    assert f'href="{other}"' in switch(content)


def test_unresolvable_path_gets_the_other_language_prefix():
    with translation.override("ur"):
        assert page_in_language("/ur/gone/?a=1", "en-gb") == "/gone/?a=1"
    with translation.override("en-gb"):
        assert page_in_language("/gone/", "ur") == "/ur/gone/"


def test_database_down_page_is_in_urdu_for_an_urdu_address_and_has_no_switch():
    response = database_unavailable_response(RequestFactory().get("/ur/incidents/"))
    content = response.content.decode()
    assert response.status_code == 503
    assert html_tag(content) == '<html lang="ur" dir="rtl">'
    assert "عارضی طور پر دستیاب نہیں" in content
    assert "language-switch" not in content


def test_rate_limited_urdu_page_answers_in_urdu():
    response = too_many_requests(RequestFactory().get("/ur/incidents/", {"format": "csv"}), 30)
    assert response.status_code == 429
    assert "بہت زیادہ درخواستیں۔ براہِ کرم رفتار کم کریں" in response.content.decode()


def test_pagination_names_the_current_page_of_all_pages():
    template = Template("{% include 'includes/_pagination.html' %}")
    page = type("Page", (), {})()
    paginator = type("Paginator", (), {"num_pages": 10, "ELLIPSIS": "…"})()
    page.paginator, page.number = paginator, 3
    page.has_previous = page.has_next = lambda: False
    request = RequestFactory().get("/ur/incidents/", {"page": 3})
    with translation.override("ur"):
        html = template.render(Context({"page": page, "page_links": [3], "request": request}))
    assert 'aria-current="page" aria-label="صفحہ 3 از 10"' in html


def test_signed_in_urdu_page_names_the_user_and_signs_out_in_urdu(client, django_user_model):
    login(client, make_user(django_user_model, "DATA-monitor", group=MONITORS))
    content = client.get("/ur/").content.decode()
    assert "<strong>DATA-monitor</strong> کے طور پر سائن اِن" in content
    assert ">سائن آؤٹ</button>" in content


def test_urdu_admin_is_right_to_left(superuser_client):
    content = superuser_client.get("/ur/admin/").content.decode()
    assert re.search(r'<html lang="ur" dir="rtl"', content)
    assert "css/admin.css" in content  # with the Naskh font for its tables


@pytest.mark.parametrize("path", ["/ur/account/login/", "/ur/account/logout/"])
def test_urdu_sign_in_pages_read_in_urdu(client, path):
    content = client.get(path).content.decode()
    assert html_tag(content) == '<html lang="ur" dir="rtl">'
    assert "عملے کا سائن اِن" in content


def test_urdu_sign_in_form_labels_follow_the_glossary(client):
    labels = re.findall(r"<label[^>]*>(.*?)</label>", client.get("/ur/account/login/").content.decode())
    assert labels == ["صارف نام:", "پاس ورڈ:"]


@pytest.mark.parametrize(("language", "expected"), [("en-gb", "8–11"), ("ur", '<bdi dir="ltr">8–11</bdi>')])
def test_a_range_of_figures_reads_low_to_high_in_both_directions(language, expected):
    # Right to left, a bare "8–11" would show as "11–8": the dash between two numbers takes the
    # paragraph's direction. Isolated left to right, it reads as in English.
    template = Template("{% include 'includes/_range.html' with low=8 high=11 %}")
    with translation.override(language):
        assert template.render(Context({})) == expected
