"""Response headers that Django's SecurityMiddleware does not set: Content-Security-Policy
per part of the site, Permissions-Policy, and safe handling of uploaded media."""

from functools import cache

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers


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
        path = request.path_info
        admin = admin_prefix()
        media = media_prefix()
        if admin and path.startswith(admin):
            return PolicyParts(settings.CSP_ADMIN_DIRECTIVES, parts.update, parts.replace, parts.nonce)
        if media and path.startswith(media):
            return PolicyParts(settings.CSP_MEDIA_DIRECTIVES, None, None, None)
        return parts


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
