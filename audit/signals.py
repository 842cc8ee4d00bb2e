"""What the audit log records by itself: sign-ins, failed sign-ins, sign-outs, and changes
to who belongs to which group and who holds which permission. Content changes are recorded
by the code that makes them (the workflow gate, revision restores, the image library)
through `AuditEntry.record`: the log watches no content model."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from .context import is_paused
from .models import Action, AuditEntry

User = get_user_model()


@receiver(user_logged_in)
def signed_in(sender, request, user, **kwargs):
    AuditEntry.record(user, Action.LOGIN, user)


@receiver(user_logged_out)
def signed_out(sender, request, user, **kwargs):
    if user is not None:
        AuditEntry.record(user, Action.LOGOUT, user)


@receiver(user_login_failed)
def sign_in_failed(sender, credentials, request=None, **kwargs):
    # `credentials` arrives with the password already masked by Django.
    username = str(credentials.get("username", ""))[:150]
    AuditEntry.record(None, Action.LOGIN_FAILED, detail={"username": username}, actor_name=username)


def _names(model, pks):
    if model is Permission:
        rows = Permission.objects.filter(pk__in=pks).values_list("content_type__app_label", "codename")
        return sorted(f"{app}.{codename}" for app, codename in rows)
    return sorted(str(obj) for obj in model.objects.filter(pk__in=pks))


def _linked_pks(through, instance, model):
    """What `instance` is linked to through the m2m table `through` (before a clear)."""
    fields = [field for field in through._meta.concrete_fields if field.is_relation]
    source = next(field for field in fields if isinstance(instance, field.related_model))
    target = next(field for field in fields if field.related_model is model)
    return set(through.objects.filter(**{source.name: instance.pk}).values_list(target.attname, flat=True))


def _membership_changed(through, instance, action, reverse, model, pk_set, audit_action, field):
    if is_paused() or action not in ("post_add", "post_remove", "pre_clear"):
        return
    if action == "pre_clear":
        # After a clear nobody can tell what was removed, so record it before.
        pk_set = _linked_pks(through, instance, model)
    if not pk_set:
        return
    verb = "added" if action == "post_add" else "removed"
    if reverse:
        # e.g. group.user_set.add(user): one entry per user whose rights changed.
        for other in model.objects.filter(pk__in=pk_set):
            AuditEntry.record(None, audit_action, other, {verb: [str(instance)], "field": field})
    else:
        AuditEntry.record(None, audit_action, instance, {verb: _names(model, pk_set), "field": field})


@receiver(m2m_changed, sender=User.groups.through)
def groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    _membership_changed(sender, instance, action, reverse, model, pk_set, Action.GROUPS_CHANGED, "groups")


@receiver(m2m_changed, sender=User.user_permissions.through)
def user_permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    _membership_changed(
        sender, instance, action, reverse, model, pk_set, Action.PERMISSIONS_CHANGED, "user_permissions"
    )


@receiver(m2m_changed, sender=Group.permissions.through)
def group_permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    _membership_changed(sender, instance, action, reverse, model, pk_set, Action.PERMISSIONS_CHANGED, "permissions")


@receiver(pre_save, sender=User)
def _remember_user_flags(sender, instance, raw=False, **kwargs):
    instance._audit_old_flags = None
    if not raw and instance.pk and not is_paused():
        instance._audit_old_flags = (
            User.objects.filter(pk=instance.pk).values_list("is_superuser", "is_staff", "is_active").first()
        )


@receiver(post_save, sender=User)
def user_flags_changed(sender, instance, created, raw=False, **kwargs):
    old = getattr(instance, "_audit_old_flags", None)
    if raw or created or old is None:
        return
    new = (instance.is_superuser, instance.is_staff, instance.is_active)
    if old != new:
        names = ("is_superuser", "is_staff", "is_active")
        changes = {
            name: [before, after] for name, before, after in zip(names, old, new, strict=True) if before != after
        }
        AuditEntry.record(None, Action.SUPERUSER_CHANGED, instance, changes)
