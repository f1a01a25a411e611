"""The weekly worklist digest for staff: what the worklist page shows, counted, with the top rows."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import ngettext

from monitoring.worklist import build_worklist

TOP_ROWS = 10


def send_staff_digests(*, today: datetime.date) -> int:
    """E-mail each active staff member with an address the worklist of `today`; return how many."""
    work = build_worklist(today=today)
    context = {
        "work": work,
        "today": today,
        "top": TOP_ROWS,
        "worklist_url": settings.SITE_URL + reverse("monitoring:worklist"),
    }
    body = render_to_string("alerts/email/staff_digest.txt", context)
    subject = ngettext(
        "Tracker worklist, week of %(date)s: %(count)s item",
        "Tracker worklist, week of %(date)s: %(count)s items",
        work.total,
    ) % {"date": date_format(today, "d M Y"), "count": work.total}
    staff = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    sent = 0
    for user in staff.order_by("pk"):
        EmailMessage(subject=subject, body=body, to=[user.email]).send()
        sent += 1
    return sent
