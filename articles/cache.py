"""What the page cache needs to know about articles, declared to it (the page cache imports
no content): which keys a change to an article, byline, tag, author, correction or image
touches, which keys pages record for what they load, and when articles go live or expire.

Keys: `article:<id>` (everything the article shows, on its page and its cards),
`author:<id>`, `tag:<id>`, `image:<id>`, and the lists a live article is on:
`list:latest` (home, the site feeds, sitemaps), `list:theme:<id>`, `list:author:<id>`,
`list:tag:<id>`. An edit touches the article's own key (unless the article is a draft or in
review, shown on no page kept for readers: previews never are, so writing drops no page, not
even one naming `article:*`), and the lists only while it is (or was, before the edit) live."""

from django.db.models import Exists, OuterRef, Q
from taggit.models import Tag, TaggedItem

from images.models import Image
from pagecache import keys
from pagecache.signals import record_loads
from pagecache.surrogates import LATEST, article_key, author_key, image_key, list_key, tag_key

from .models import Article, Author, Byline, Correction, Status

# A draft or an article in review is on no page kept for readers (previews never are).
UNSHOWN = (Status.DRAFT, Status.IN_REVIEW)


def article_keys(pks):
    is_live = Exists(Article.objects.live().filter(pk=OuterRef("pk")))
    shown = dict(Article.all_objects.filter(pk__in=pks).exclude(status__in=UNSHOWN).values_list("pk", is_live))
    live = [pk for pk, now_live in shown.items() if now_live]
    return {article_key(pk) for pk in shown} | (lists_of(live) if live else set())


def lists_of(pks):
    """The articles' own keys and every list they are on when live."""
    found = {article_key(pk) for pk in pks} | {LATEST}
    themes = Article.all_objects.filter(pk__in=pks, theme__isnull=False).values_list("theme_id", flat=True)
    found.update(list_key("theme", theme) for theme in themes)
    authors = Byline.objects.filter(article__in=pks).values_list("author_id", flat=True)
    found.update(list_key("author", author) for author in authors)
    tagged = TaggedItem.objects.filter(object_id__in=pks, content_type__model="article")
    found.update(list_key("tag", tag) for tag in tagged.values_list("tag_id", flat=True))
    return found


def bylines_articles(pks):
    return Byline.objects.filter(pk__in=pks).values_list("article_id", flat=True)


def tagged_articles(pks):
    return TaggedItem.objects.filter(pk__in=pks, content_type__model="article").values_list("object_id", flat=True)


def correction_keys(pks):
    return {article_key(pk) for pk in Correction.objects.filter(pk__in=pks).values_list("article_id", flat=True)}


def schedule(after, until):
    """Keys of the articles that went live or expired in (after, until], and the next such moment."""
    if after >= until:
        return set(), Article.objects.next_change(until)
    # Unordered: ordered, SQLite walked every article in publication order (600 ms at 100,000).
    moved = (
        Article.objects.filter(status=Status.APPROVED)
        .order_by()
        .filter(Q(publish_at__gt=after, publish_at__lte=until) | Q(expire_at__gt=after, expire_at__lte=until))
    )
    due = set()
    pks = list(moved.values_list("pk", flat=True))
    if pks:
        # Live again for a moment to find the lists it joined or left: they are the live lists now or just before.
        due = lists_of(pks)
    return due, Article.objects.next_change(until)


def declare():
    keys.register("articles.Article", article_keys)
    keys.follow("articles.Byline", "articles.Article", bylines_articles)
    keys.follow("taggit.TaggedItem", "articles.Article", tagged_articles)
    keys.register("articles.Correction", correction_keys)
    keys.register("articles.Author", lambda pks: {author_key(pk) for pk in pks})
    keys.register("taggit.Tag", lambda pks: {tag_key(pk) for pk in pks})
    keys.register("images.Image", lambda pks: {image_key(pk) for pk in pks})
    for model, key in ((Article, article_key), (Author, author_key), (Tag, tag_key), (Image, image_key)):
        record_loads(model, key)
