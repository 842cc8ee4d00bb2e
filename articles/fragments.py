"""The pieces of readers' pages kept as fragments (pagecache/fragments.py), and what each shows.

- a live article's row, by its address (its page's one query);
- the subject of a list page (a theme, an author, a tag), by its address (that page's one query);
- an article's head (meta, JSON-LD) and text, by its id and version;
- a theme's newest headlines, shared by its articles' "More on" lists and the home page;
- cards, by article, version and the way they are shown.

Each is rendered without the request, so it is the same for every anonymous reader. Rows
loaded before a fragment renders are named in its `shows`; rows it loads itself it records.
"""

import pickle

from django.conf import settings
from django.template import engines
from markupsafe import Markup

from pagecache import fragments
from pagecache.surrogates import article_key, author_key, image_key, list_key, theme_key

from .body import typeset
from .models import Article, article_tags, byline_authors
from .structured_data import news_article
from .text import plain_text

MORE_ON_THEME = 20  # headlines in an article's "More on" list


def template(name):
    return engines["jinja2"].env.get_template(name)


class NotLive(Exception):
    """Only live articles' rows are kept: a draft's text must never be in a fragment."""


def live_article(queryset, slug):
    """The live article at `slug` as `queryset()` loads it (built only when the row is not kept:
    building a queryset costs more than reading a kept row), kept while it and its theme and lead
    image are unchanged (going live or expiring by the clock invalidates `article:<id>`).
    Each caller gets its own copy: what one request attaches to it (prefetched bylines) must
    not outlive that request."""

    def load():
        article = queryset().get(slug=slug)
        if not article.is_live():
            raise NotLive(slug)
        return pickle.dumps(article)

    return pickle.loads(fragments.cached(f"article-row:{slug}", load))  # noqa: S301 - written by this site


def list_subject(model, slug):
    """The row of `model` (a theme, an author, a tag) at `slug`, kept while it is unchanged (its
    load records its key); `model.DoesNotExist` when there is none, never kept (a row made at that
    address later changes no key a kept answer would show). Each caller gets its own copy."""

    def load():
        return pickle.dumps(model._default_manager.get(slug=slug))

    return pickle.loads(fragments.cached(f"subject:{model._meta.label_lower}:{slug}", load))  # noqa: S301


def render_parts(article):
    """{"meta": …, "body": …} of an article page."""
    authors, tags = byline_authors(article.pk), article_tags(article.pk)
    context = {
        "article": article,
        "authors": authors,
        "headline": typeset(plain_text(article.headline)),
        "tags": tags,
        "corrections": list(article.corrections.all()) if article.corrected_at else [],
        "structured_data": news_article(article, authors, tags),
        "site_url": settings.SITE_URL,
    }
    return {part: Markup(template(f"articles/article_{part}.html").render(context)) for part in ("meta", "body")}


def article_parts(article):
    return fragments.cached(
        f"article-parts:{article.pk}:{article.version}", lambda: render_parts(article), shows=loaded_with(article)
    )


def loaded_with(article):
    """Keys of the rows an article view loads with the article (its theme, its lead image)."""
    shown = [article_key(article.pk)]
    if article.theme_id:
        shown.append(theme_key(article.theme_id))
    if article.lead_image_id:
        shown.append(image_key(article.lead_image_id))
    return shown


def theme_headlines(theme_id):
    """(id, headline list item) of the theme's newest live articles, one more than a "More on"
    list shows, so that each article can leave itself out."""
    return themes_headlines([theme_id])[theme_id]


def themes_headlines(theme_ids, shown=MORE_ON_THEME + 1):
    """{theme id: theme_headlines(theme id)} for every theme in `theme_ids`: those kept, and the
    others loaded in one query whatever their number (the home page shows every current theme).
    The page shows `shown` of each: when fragments are not kept (the page cache off), only those
    are loaded and rendered, not the "More on" list's 21 (the home page shows 4)."""
    count = MORE_ON_THEME + 1 if fragments.kept() else min(shown, MORE_ON_THEME + 1)
    names = {theme_id: f"theme-headlines:{theme_id}" for theme_id in theme_ids}
    kept = fragments.found(names.values())
    missing = [theme_id for theme_id, name in names.items() if name not in kept]
    if missing:
        item = template("includes/headlines.html").module.headline_item
        newest = (
            Article.objects.live()
            .only("headline", "slug", "publish_at", "created_at", "dateline_offset", "theme")
            .newest_by_theme(missing, count)
        )
        for theme_id, articles in newest.items():
            shown = [list_key("theme", theme_id)] + [article_key(article.pk) for article in articles]
            kept[names[theme_id]] = fragments.cached(
                names[theme_id],
                lambda articles=articles: [(article.pk, Markup(item(article))) for article in articles],
                shows=shown,
            )
    return {theme_id: kept[name] for theme_id, name in names.items()}


CARD_STYLES = {
    "lead": {"level": 2, "lead": True, "show_theme": True},  # the home page's first
    "latest": {"show_theme": True},  # the home page's others
    "listed": {"level": 2, "show_theme": True},  # author, tag and month pages
    "timeline": {},  # a theme's page
}


def cards(rows):
    """The cards of `rows` ((id, version, style) in order, a style of CARD_STYLES): those kept,
    and the others loaded at once (two queries) and kept."""
    return list(cards_by_id(rows).values())


def cards_by_id(rows):
    """{id: card} of `rows` as cards() makes them, in their order (an article deleted meanwhile has none)."""
    names = {pk: f"card:{pk}:{version}:{style}" for pk, version, style in rows}
    styles = {pk: style for pk, _, style in rows}
    kept = fragments.found(names.values())
    missing = [pk for pk, name in names.items() if name not in kept]
    if missing:
        card = template("includes/article_card.html").module.article_card
        for article in Article.objects.filter(pk__in=missing).for_listing():
            style = CARD_STYLES[styles[article.pk]]
            shown = loaded_with(article) + [author_key(author.pk) for author in article.byline]
            kept[names[article.pk]] = fragments.cached(
                names[article.pk], lambda article=article, style=style: Markup(card(article, **style)), shows=shown
            )
    return {pk: kept[name] for pk, name in names.items() if name in kept}
