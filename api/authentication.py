from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .models import ApiToken


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer nr_…` with a key made in the admin. Revoked keys, and keys of
    accounts that are no longer active staff, are refused."""

    keyword = "Bearer"

    def authenticate(self, request):
        # As text, not bytes: DRF's reader fails (a 500) on a header a client sent as UTF-8.
        header = request.META.get("HTTP_AUTHORIZATION", "").split()
        if not header:
            return None
        if len(header) != 2 or header[0].lower() != self.keyword.lower():
            raise exceptions.AuthenticationFailed("Send the key as “Authorization: Bearer <key>”.")
        token = ApiToken.authenticate(header[1])
        if token is None:
            raise exceptions.AuthenticationFailed("This API key is not valid, or has been revoked.")
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A key made in the admin under API tokens."}
