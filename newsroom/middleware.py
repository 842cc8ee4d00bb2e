"""Response headers that Django's SecurityMiddleware does not set: Content-Security-Policy
per part of the site, Permissions-Policy, and safe handling of uploaded media."""

from dataclasses import asdict
from functools import cache

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers

# Set by django-csp's decorators on a response whose policy is its own.
OWN_POLICY = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")
_built_policies = {}  # (part of the site) → (policy, report-only policy), for answers that used no nonce


@receiver(setting_changed)
def _forget_policies(**kwargs):
    _built_policies.clear()


@cache
def admin_prefix():
    try:
        return reverse("admin:index")
    except NoReverseMatch:
        return None


def media_prefix():
    return "/" + settings.MEDIA_URL.lstrip("/") if settings.SERVE_MEDIA else None


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """The public site gets CONTENT_SECURITY_POLICY (no inline code). The admin gets
    CSP_ADMIN_DIRECTIVES (inline styles, never inline or eval'd scripts), and media
    files a sandbox so that an upload opened directly can never run as a page."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if report_only or parts.config is not None:
            return parts
        part = self.part_of_site(request.path_info)
        if part == "admin":
            return PolicyParts(settings.CSP_ADMIN_DIRECTIVES, parts.update, parts.replace, parts.nonce)
        if part == "media":
            return PolicyParts(settings.CSP_MEDIA_DIRECTIVES, None, None, None)
        return parts

    @staticmethod
    def part_of_site(path):
        admin, media = admin_prefix(), media_prefix()
        return "admin" if admin and path.startswith(admin) else "media" if media and path.startswith(media) else "site"

    def process_response(self, request, response):
        """An answer that used no nonce and has no policy of its own (every reader's page, every
        page cache hit) gets its part of the site's policy as built the first time: django-csp
        copies and joins the directives again for each response, a fifth of a plain answer under a profiler."""
        if (
            settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            or any(getattr(response, name, None) is not None for name in OWN_POLICY)
            or getattr(response, "_csp_exempt", False) is not False
            or getattr(response, "_csp_exempt_ro", False) is not False
            or HEADER in response
            or HEADER_REPORT_ONLY in response
            or (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get("EXCLUDE_URL_PREFIXES")
            or (getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None) or {}).get("EXCLUDE_URL_PREFIXES")
        ):
            return super().process_response(request, response)
        part = self.part_of_site(request.path_info)
        policies = _built_policies.get(part)
        if policies is None:
            parts, parts_ro = (self.get_policy_parts(request, response, report_only) for report_only in (False, True))
            policies = _built_policies[part] = (
                build_policy(**asdict(parts)),
                build_policy(**asdict(parts_ro), report_only=True),
            )
        if policies[0]:
            response[HEADER] = policies[0]
        if policies[1]:
            response[HEADER_REPORT_ONLY] = policies[1]
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # as django-csp: too late now
        return response


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        media = media_prefix()
        if media and request.path_info.startswith(media):
            response.headers["X-Content-Type-Options"] = "nosniff"
            content_type = response.headers.get("Content-Type", "")
            # Pictures may show inline; anything else (or an SVG, which can carry
            # script) is only ever downloaded.
            if not content_type.startswith("image/") or content_type.startswith("image/svg"):
                response.headers["Content-Disposition"] = "attachment"
        return response


class PrivateResponsesMiddleware:
    """What a signed-in person is shown is theirs alone: no shared cache may keep it. Admin
    pages are never stored at all, nor indexed (the admin's address stays out of robots.txt,
    so this header is what keeps crawlers that find it away). Runs inside WhiteNoise, so
    static files keep their own caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        admin = admin_prefix()
        if admin and request.path_info.startswith(admin):
            response["Cache-Control"] = "private, no-store"
            response["X-Robots-Tag"] = "noindex, nofollow"
        elif (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            or getattr(request, "user", None) is not None
            and (request.user.is_authenticated)
        ):
            if "no-store" not in response.get("Cache-Control", ""):
                response["Cache-Control"] = "private, no-cache"
        else:
            return response
        patch_vary_headers(response, ["Cookie"])
        return response
