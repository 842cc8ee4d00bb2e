from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone

from .context import client_ip, current_request


def _content_type(obj):
    """The content type of `obj`, without creating one: loading fixtures (and the test
    runner's database restores) reach the audit signals before the content types exist."""
    opts = obj._meta.concrete_model._meta
    try:
        return ContentType.objects.get_by_natural_key(opts.app_label, opts.model_name)
    except ContentType.DoesNotExist:
        return None


class Action(models.TextChoices):
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login_failed", "Failed sign-in"
    LOGOUT = "logout", "Signed out"
    GROUPS_CHANGED = "groups_changed", "Groups changed"
    PERMISSIONS_CHANGED = "permissions_changed", "Permissions changed"
    SUPERUSER_CHANGED = "superuser_changed", "Superuser or staff flag changed"


class AuditEntry(models.Model):
    """One thing that happened. Entries are written once and never changed: the admin
    offers no add, change or delete, and `save()` refuses to update a stored entry."""

    at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    # Kept as text too, so the entry still says who it was after the account is deleted.
    actor_name = models.CharField(max_length=150, blank=True, editable=False)
    # One of Action, or what the code that recorded it names it ("article.approve").
    action = models.CharField(max_length=32, db_index=True, editable=False)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, editable=False)
    target_id = models.CharField(max_length=64, blank=True, editable=False)
    target_name = models.CharField(max_length=300, blank=True, editable=False)
    detail = models.JSONField(default=dict, blank=True, editable=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self):
        who = self.actor_name or "system"
        what = f" {self.target_name}" if self.target_name else ""
        return f"{self.at:%Y-%m-%d %H:%M:%S} {who}: {self.action_label}{what}"

    @property
    def action_label(self):
        return Action(self.action).label if self.action in Action.values else self.action

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionDenied("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Audit entries cannot be deleted.")

    @classmethod
    def record(cls, actor, action, target=None, detail="", ip_address=None, actor_name=None):
        request = current_request()
        if actor is None and request is not None:
            user = getattr(request, "user", None)
            actor = user if user is not None and user.is_authenticated else None
        if ip_address is None and request is not None:
            ip_address = client_ip(request)
        if isinstance(detail, str):
            detail = {"note": detail} if detail else {}
        return cls.objects.create(
            actor=actor if actor is not None and actor.pk else None,
            actor_name=actor_name or (actor.get_username() if actor is not None else ""),
            action=action,
            target_type=_content_type(target) if target is not None else None,
            target_id=str(target.pk) if target is not None else "",
            target_name=str(target)[:300] if target is not None else "",
            detail=detail,
            ip_address=ip_address,
        )
