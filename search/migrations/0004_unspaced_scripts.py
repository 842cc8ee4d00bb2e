from django.db import migrations
from django.db.models import Q


def forget_unspaced(apps, schema_editor):
    """Articles with text in a script written without spaces (Chinese, Japanese, Korean) leave the
    index, so `migrate` indexes them again when it ends (search.signals.after_migrate), each of
    those characters set apart (search.query.set_apart): until then they were found only by whole
    runs of text. Other articles keep their entries."""
    from articles.text import UNSPACED
    from search.backends import get_backend

    connection = schema_editor.connection
    backend = get_backend(connection.vendor)
    if backend.table not in connection.introspection.table_names():
        return
    unspaced = UNSPACED.pattern  # a character class, which both databases' regexes read
    Article, TaggedItem = apps.get_model("articles", "Article"), apps.get_model("taggit", "TaggedItem")
    found = Q()
    for name in ("headline", "deck", "standfirst", "body", "bylines__author__name", "theme__name"):
        found |= Q(**{f"{name}__regex": unspaced})
    tagged = TaggedItem.objects.filter(
        tag__name__regex=unspaced, content_type__app_label="articles", content_type__model="article"
    )
    ids = set(Article._base_manager.filter(found).values_list("pk", flat=True))
    backend.remove(ids | set(tagged.values_list("object_id", flat=True)))


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_phrase_pairs"),
        ("articles", "0018_merge_0017_article_coverage_0017_draft_copy"),
        ("themes", "0003_unicode_slugs"),
    ]

    operations = [migrations.RunPython(forget_unspaced, migrations.RunPython.noop)]
