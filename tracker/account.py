"""Staff sign-in pages around django-two-factor-auth: setup that survives a real browser, backup
codes, a sign-out that answers a person, and the favicon.

- SetupView: two_factor's setup wizard, except that a GET while the setup is under way shows the
  step the wizard is at, with the same secret. Upstream, every GET restarts the wizard with a new
  secret, so a page opened in another tab (or a redirect caused by the browser's own requests)
  silently made the code from the authenticator app wrong.
- When setup completes the user gets backup codes (django-otp's static device), shown at once on
  the "setup complete" page and afterwards at /account/two_factor/backup/tokens/.
- LogoutView: POST signs out (Django's own view); GET shows a page with the sign-out button
  instead of a bare 405, since a person may type or follow /account/logout/.
- favicon: /favicon.ico, the file shipped in static/ (browsers ask for it at the root).
"""

from __future__ import annotations

from functools import cache

from django.contrib.auth import views as auth_views
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_safe
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from two_factor import views as two_factor_views
from two_factor.urls import urlpatterns as two_factor_urlpatterns
from two_factor.utils import default_device

BACKUP_CODE_COUNT = two_factor_views.BackupTokensView.number_of_tokens  # 10, as two_factor renews them
FAVICON_MAX_AGE = 24 * 3600
# The sign-in form's labels come from Django's own catalogue, whose Urdu lacks "username" and calls a
# password لفظ اجازت; marked here, makemessages keeps them in locale/ur, which LOCALE_PATHS puts first,
# so the sign-in page says صارف نام and پاس ورڈ as docs/urdu-glossary.md does.
SIGN_IN_LABELS = (gettext_noop("username"), gettext_noop("Password"))


def backup_device(user) -> StaticDevice:
    """The user's backup-code device (the one two_factor's backup-codes page lists), made if missing."""
    device = user.staticdevice_set.order_by("pk").first()
    return device or StaticDevice.objects.create(user=user, name="backup")


def issue_backup_codes(user) -> list[str]:
    """Give `user` a fresh set of backup codes unless they still hold some; return the codes they hold."""
    device = backup_device(user)
    codes = list(device.token_set.order_by("pk").values_list("token", flat=True))
    if not codes:
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=StaticToken.random_token()) for _ in range(BACKUP_CODE_COUNT)
        )
        codes = list(device.token_set.order_by("pk").values_list("token", flat=True))
    return codes


def _safe_next(request: HttpRequest) -> str:
    """The page the user was on their way to, if it is on this site; else "".

    From ?next=, or from the session, where two_factor's login wizard leaves it (``"next"``) when
    it sends a user without a device to the setup.
    """
    for target in (request.POST.get("next"), request.GET.get("next"), request.session.get("next")):
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
    return ""


class SetupView(two_factor_views.SetupView):
    """two_factor's setup wizard whose GET never starts over while a setup is under way.

    The secret is kept in the wizard's session storage (``extra_data["keys"]``) from the step that
    shows it until the setup completes (``done()`` clears it), however many times the page is
    loaded; only the first GET of a session starts the wizard.
    """

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if default_device(request.user):
            return redirect(self.get_success_url())
        if self.storage.current_step is None:  # no setup under way in this session: start one
            return super().get(request, *args, **kwargs)
        return self.render(self.get_form())

    def get_success_url(self) -> str:
        """Always the "setup complete" page (it shows the backup codes), passing ?next= along."""
        url = reverse(self.success_url)
        target = _safe_next(self.request)
        return f"{url}?{urlencode({'next': target})}" if target else url

    def done(self, form_list, **kwargs) -> HttpResponse:
        response = super().done(form_list, **kwargs)
        issue_backup_codes(self.request.user)
        return response

    def get_context_data(self, form, **kwargs) -> dict:
        context = super().get_context_data(form, **kwargs)
        context.pop("cancel_url", None)  # the admin it pointed to sent the user straight back here
        if "secret_key" in context:  # shown in groups of four for typing (copied, it has no spaces)
            key = context["secret_key"]
            context["secret_key_groups"] = [key[i : i + 4] for i in range(0, len(key), 4)]
        return context


class SetupCompleteView(two_factor_views.SetupCompleteView):
    """The "two-factor sign-in is on" page: the backup codes, and the way on to where the user was going.

    Upstream, this page redirects at once to the session's "next" page, so the user who came from
    the login wizard never saw it; here that page is the target of the Continue link instead.
    """

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = self.render_to_response(self.get_context_data(**kwargs))
        request.session.pop("next", None)  # used once, for this page's Continue link
        return response

    def get_context_data(self, **kwargs) -> dict:
        return {
            **super().get_context_data(**kwargs),
            "backup_codes": issue_backup_codes(self.request.user),
            "next_url": _safe_next(self.request) or reverse("admin:index"),
        }


class LogoutView(auth_views.LogoutView):
    """POST signs out (and asks the browser to drop what it cached); GET shows the sign-out button."""

    http_method_names = ["get", "post", "options"]
    template_name = "registration/logout.html"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self.render_to_response(self.get_context_data(title=gettext("Sign out")))

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        # The staff pages were no-store already; this also clears anything cached on the way.
        response["Clear-Site-Data"] = '"cache"'
        return response


@cache
def _favicon_bytes() -> bytes:
    with open(finders.find("favicon.ico"), "rb") as icon:
        return icon.read()


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """The site icon at /favicon.ico, where browsers ask for it (the pages also link static/favicon.svg)."""
    response = HttpResponse(_favicon_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = f"public, max-age={FAVICON_MAX_AGE}"
    return response


def two_factor_urls() -> tuple[list[URLPattern], str]:
    """two_factor's URL patterns (namespace "two_factor"), the setup pages served by the views above."""
    ours = {"setup": SetupView, "setup_complete": SetupCompleteView}
    patterns, namespace = two_factor_urlpatterns
    return [
        path(str(p.pattern), ours[p.name].as_view(), name=p.name) if p.name in ours else p for p in patterns
    ], namespace
