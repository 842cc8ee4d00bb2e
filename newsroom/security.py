"""Sign-in: login throttling glue for django-axes (the failure count and the lock-out page;
the client's address comes from audit.context.client_ip), and the newsroom's own password rule."""

import re

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum
from zxcvbn import zxcvbn


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses logins from a locked-out username/address before any password is checked.

    Logins without an HTTP request (the test client's `login()`, a shell's
    `authenticate()`) have no address to throttle and pass through to the next backend;
    every login a browser or an attacker can attempt comes with a request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def address_locked(request):
    """Whether the request's address has failed LOGIN_ADDRESS_FAILURE_LIMIT sign-ins within the
    cool-off, whatever the user names."""
    from axes.models import AccessAttempt

    failures = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return (failures or 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


class SignInFailures(AxesDatabaseHandler):
    """axes' count per user name + address (AXES_LOCKOUT_PARAMETERS, against AXES_FAILURE_LIMIT),
    and an address locked as a whole only at the much higher LOGIN_ADDRESS_FAILURE_LIMIT: a
    newsroom behind one office address must not be locked out by one colleague's typos, while
    someone trying many user names from one address still is. axes compares one count with one
    limit, so a locked address counts as having reached it."""

    def get_failures(self, request, credentials=None):
        failures = super().get_failures(request, credentials)
        if address_locked(request):
            return max(failures, get_failure_limit(request, credentials))
        return failures


def locked_out(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets (HTTP 429), in the admin's design."""
    from axes.helpers import get_client_username, get_cool_off
    from django.contrib import admin
    from django.template.response import TemplateResponse

    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "title": "Sign-in locked",
        "username": get_client_username(request, credentials) or "",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "address_locked": address_locked(request),
        "address_failure_limit": settings.LOGIN_ADDRESS_FAILURE_LIMIT,
        "cooloff_minutes": round(cool_off.total_seconds() / 60) if cool_off else None,
    }
    return TemplateResponse(request, "admin/locked_out.html", context, status=429).render()


class OwnWordsPasswordValidator:
    """Refuses a password built on the newsroom's own words: the publication's name and
    publisher, its description, "newsroom", the roles, and the user's own names. zxcvbn is
    given them as user inputs too, yet scores "Harbour-Gazette-2026" 4 of 4 (each word is
    cheap, the separators and year make up the rest): here they are removed, and what is left
    must be as strong as a whole password has to be."""

    def own_words(self, user=None):
        from django.contrib.auth.models import Group

        from sitesettings.models import read_publication

        publication = read_publication()
        texts = [publication.name, publication.copyright_holder, settings.SITE_DESCRIPTION, "newsroom"]
        texts += [*settings.PASSWORD_EXTRA_DICTIONARY, *Group.objects.values_list("name", flat=True)]
        if user is not None:
            texts += [user.get_username(), user.first_name, user.last_name, user.email.partition("@")[0]]
        words = {word for text in texts for word in re.findall(r"[^\W\d_]{3,}", (text or "").lower())}
        words |= {word.removesuffix("s") for word in words}  # "Editors" → "editor"
        return sorted(words, key=len, reverse=True)

    def validate(self, password, user=None):
        rest = password.lower()
        for word in self.own_words(user):
            rest = rest.replace(word, "")
        if rest == password.lower():
            return
        if not rest or zxcvbn(rest)["score"] < settings.PASSWORD_MINIMAL_STRENGTH:  # zxcvbn fails on ""
            raise ValidationError(
                "This password is built on the newsroom's own words (the publication's name, the roles, "
                "your name) and what is left is too guessable. Add words of your own.",
                code="password_own_words",
            )

    def get_help_text(self):
        return "Your password cannot be built on the publication's name, the roles or your own name."
