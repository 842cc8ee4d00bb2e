"""Response headers that Django's SecurityMiddleware does not set: Content-Security-Policy
per part of the site, Permissions-Policy, and safe handling of uploaded media."""

from functools import cache

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.urls import NoReverseMatch, reverse


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
