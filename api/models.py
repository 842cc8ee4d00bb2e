import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "nr_"


def hash_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A secret that lets one staff account use the content API's write endpoints with that
    account's permissions. Only its SHA-256 is stored: the key is shown once, when it is made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="The token acts as this account, with its permissions: a writer's token cannot publish.",
    )
    name = models.CharField(max_length=100, help_text="What uses it, e.g. “Wire feed” or “Ana's phone”.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(
        max_length=12, editable=False, help_text="The start of the key, to recognise it; the rest is never stored."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    def new_key(self):
        """Give the (unsaved) token a fresh key and return it: the key exists only in the return value."""
        key = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.key_hash, self.key_prefix = hash_key(key), key[:10]
        return key

    @classmethod
    def issue(cls, *, user, name, created_by=None):
        token = cls(user=user, name=name, created_by=created_by)
        key = token.new_key()
        token.save()
        return token, key

    @classmethod
    def authenticate(cls, key):
        """The active token for `key` (its account active and staff), or None."""
        if not key.startswith(TOKEN_PREFIX) or len(key) > 100:
            return None
        token = cls.objects.active().select_related("user").filter(key_hash=hash_key(key)).first()
        if token is None or not token.user.is_active or not token.user.is_staff:
            return None
        return token

    def revoke(self, by):
        self.revoked_at = timezone.now()
        self.revoked_by = by
        self.save(update_fields=["revoked_at", "revoked_by"])

    @property
    def is_active(self):
        return self.revoked_at is None


class IdempotencyKey(models.Model):
    """A create request's Idempotency-Key: the same key with the same request answers with the
    article the first request made, so a retried import never duplicates."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]

    def __str__(self):
        return f"{self.key} → article {self.article_id}"
