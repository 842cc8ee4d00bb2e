"""Reindex an article whenever something it is found by changes: the article itself (its
text, byline, tags: one `article_changed` per transaction), or the name of its theme,
authors or tags."""

from django.db.models.signals import post_delete, post_migrate, post_save, pre_delete
from django.dispatch import receiver
from taggit.models import Tag

from articles.events import article_changed
from articles.models import Article, Author, Byline
from themes.models import Theme

from .backends import get_backend
from .index import index_articles, index_missing


@receiver(article_changed)
def articles_changed(sender, ids, fields, **kwargs):
    """Once per transaction that changed articles (their text, bylines, tags, state or the bin):
    reindexed together; those deleted or in the bin leave the index."""
    index_articles(ids)


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
