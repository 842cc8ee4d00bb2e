"""Reindex an article whenever something it is found by changes: its own text, its
byline, its tags, or the name of its theme, authors or tags."""

from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete
from django.dispatch import receiver
from taggit.models import Tag

from articles.models import Article, Author, Byline
from themes.models import Theme

from .backends import get_backend
from .index import index_articles, index_missing


@receiver(post_save, sender=Article)
def article_saved(sender, instance, **kwargs):
    index_articles([instance.pk])


@receiver(post_delete, sender=Article)
def article_deleted(sender, instance, **kwargs):
    get_backend().remove([instance.pk])


@receiver(post_save, sender=Byline)
@receiver(post_delete, sender=Byline)
def byline_changed(sender, instance, **kwargs):
    index_articles([instance.article_id])


@receiver(m2m_changed, sender=Article.authors.through)
@receiver(m2m_changed, sender=Article.tags.through)
def article_relation_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Article):
        index_articles([instance.pk])


@receiver(post_save, sender=Theme)
def theme_saved(sender, instance, created, **kwargs):
    if not created:
        index_articles(Article.objects.filter(theme=instance).values_list("pk", flat=True))


@receiver(post_save, sender=Author)
def author_saved(sender, instance, created, **kwargs):
    if not created:
        index_articles(Byline.objects.filter(author=instance).values_list("article_id", flat=True))


def _tagged_article_ids(tag):
    return list(Article.objects.filter(tags=tag).values_list("pk", flat=True))


@receiver(post_save, sender=Tag)
def tag_saved(sender, instance, created, **kwargs):
    if not created:
        index_articles(_tagged_article_ids(instance))


@receiver(pre_delete, sender=Tag)
@receiver(pre_delete, sender=Theme)
def remember_articles(sender, instance, **kwargs):
    if sender is Tag:
        instance._search_article_ids = _tagged_article_ids(instance)
    else:
        instance._search_article_ids = list(Article.objects.filter(theme=instance).values_list("pk", flat=True))


@receiver(post_delete, sender=Tag)
@receiver(post_delete, sender=Theme)
def reindex_remembered(sender, instance, **kwargs):
    index_articles(getattr(instance, "_search_article_ids", ()))


@receiver(post_migrate)
def after_migrate(sender, app_config=None, using="default", verbosity=1, **kwargs):
    """A database flush empties the articles but not this index: forget what it left behind. Articles
    the index lacks (search installed on an existing newsroom, its tables remade by a migration, rows
    bulk-created) are indexed, once every migration has run and the models match the tables."""
    # Sent per app with models, which search is not: on the articles' turn (all migrations have run by then).
    if app_config is None or app_config.label != "articles":
        return
    from django.db import connection

    backend = get_backend()
    if connection.alias != using or backend.table not in connection.introspection.table_names():
        return
    backend.remove_orphans()
    indexed = index_missing()
    if indexed and verbosity:
        print(f"  Indexed {indexed} articles for search.")
