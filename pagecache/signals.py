"""Changes to rows that pages show invalidate the keys their content app declared for them
(keys.register), whatever code path saved them (admin, workflow transitions, shell,
imports): the keys of the row as it was, so the lists it left go too, and as it is.
They are collected per transaction (each row's keys read once before its first change and
once at the commit) and invalidated once, after the commit.

`QuerySet.update()` sends no signal: the querysets of articles and images
(`ContentQuerySet`) invalidate their rows' keys themselves; raw SQL must call
`keys.invalidate()`."""

from django.db import models, router
from django.db.models.signals import m2m_changed, post_init, post_save, pre_delete, pre_save

from . import keys


def _invalidate_rows(model, pks, using):
    keys.invalidate_rows(model, pks, using=using)


def before_save(sender, instance, raw=False, using="default", **kwargs):
    if instance.pk is not None and not raw and keys.declared(sender):
        _invalidate_rows(sender, [instance.pk], using)


def after_save(sender, instance, raw=False, using="default", **kwargs):
    if keys.declared(sender):
        _invalidate_rows(sender, [instance.pk], using)


def before_delete(sender, instance, using="default", **kwargs):
    if keys.declared(sender):
        _invalidate_rows(sender, [instance.pk], using)


def m2m_content_changed(sender, instance, action, reverse, model, pk_set, using="default", **kwargs):
    """A many-to-many change (an article's tags): the row's keys before and after."""
    if action not in ("pre_add", "post_add", "pre_remove", "post_remove", "pre_clear", "post_clear"):
        return
    if keys.declared(type(instance)):
        _invalidate_rows(type(instance), [instance.pk], using)
    if reverse and keys.declared(model) and pk_set:
        _invalidate_rows(model, pk_set, using)


class ContentQuerySet(models.QuerySet):
    """update() on a model whose rows pages show (bookkeeping writes: related lists, a
    correction's time, regenerated renditions) invalidates their keys like a save does."""

    def update(self, **kwargs):
        if not keys.declared(self.model):
            return super().update(**kwargs)
        pks = list(self.values_list("pk", flat=True))
        using = router.db_for_write(self.model)
        _invalidate_rows(self.model, pks, using)
        rows = super().update(**kwargs)
        _invalidate_rows(self.model, pks, using)
        return rows


def recording_loads(key):
    """A post_init receiver recording `key(pk)` (a builder of surrogates.py) for every row loaded
    while a page renders: a page shows what it loads (at worst a little more)."""

    def record(sender, instance, **kwargs):
        if instance.pk is not None:
            keys.shows(key(instance.pk))

    return record


def record_loads(model, key):
    receiver = recording_loads(key)
    post_init.connect(receiver, sender=model, weak=False, dispatch_uid=f"pagecache-shows-{model._meta.label}")


def connect():
    """Listen to saves and deletes of every model: those without declared keys are passed over
    at once. Not only the models declared so far: an app listed after this one (pages) declares
    its keys in its own ready(), after this one's, and its rows' changes must invalidate too."""
    pre_save.connect(before_save, dispatch_uid="pagecache-pre-save")
    post_save.connect(after_save, dispatch_uid="pagecache-save")
    pre_delete.connect(before_delete, dispatch_uid="pagecache-delete")
    m2m_changed.connect(m2m_content_changed, dispatch_uid="pagecache-m2m")
