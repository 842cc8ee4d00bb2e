"""Any change to what public pages show bumps the page-cache generation, whatever
code path saved it (admin, workflow transitions, shell, imports): model signals,
not view code. `QuerySet.update()` sends no signal: the querysets of articles and images
(`ContentQuerySet`) drop cached pages themselves; raw SQL, or update() on another watched
model, must call `content_changed(Model)`."""

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .pages import bump_generation


def content_changed(sender, using="default", **kwargs):
    if kwargs.get("action", "post_").startswith("pre_"):
        return
    # Now, so this process and every other stop serving the old pages at once; and
    # again after the commit, so that a page rendered between the two from the
    # not yet committed data cannot survive under the new generation.
    bump_generation()
    transaction.on_commit(bump_generation, using=using)


class ContentQuerySet(models.QuerySet):
    """update() on a model whose rows pages show (bookkeeping writes: related lists, a
    correction's time, regenerated renditions) drops the cached pages like a save does."""

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        if rows:
            content_changed(self.model, using=self.db)
        return rows


def watched_models():
    """The listed models that exist, and their proxies (a proxy's saves signal with the proxy as sender)."""
    labels = set(settings.PAGE_CACHE_WATCHED_MODELS)
    for model in apps.get_models():
        if model._meta.label in labels or model._meta.concrete_model._meta.label in labels:
            yield model


def m2m_content_changed(sender, instance, **kwargs):
    labels = set(settings.PAGE_CACHE_WATCHED_MODELS)
    if sender._meta.label in labels or instance._meta.label in labels:
        content_changed(sender, **kwargs)


def connect():
    for model in watched_models():
        post_save.connect(content_changed, sender=model, dispatch_uid=f"pagecache-save-{model._meta.label}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"pagecache-delete-{model._meta.label}")
    m2m_changed.connect(m2m_content_changed, dispatch_uid="pagecache-m2m")
