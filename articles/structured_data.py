"""schema.org JSON-LD for article pages."""

from django.conf import settings

from sitesettings.models import current

from .text import cut_at_word, plain_text

HEADLINE_LIMIT = 110


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def lead_image_urls(image):
    """The social card crop and the widest rendition, absolute, for `NewsArticle.image`."""
    storage = image.file.storage
    chosen = [image.social_card, *image.sources(image.fallback_format)[-1:]]
    urls = [storage.url(rendition["name"]) for rendition in chosen if rendition]
    return [absolute(url) if url.startswith("/") else url for url in urls or [image.file.url]]


def modified_time(article):
    """The article's one modification time: its last save, its latest correction or its
    publication, whichever is latest. `article:modified_time`, JSON-LD `dateModified`,
    sitemap `lastmod` and `Last-Modified` all state it.
    The sitemap spells it as a database expression, `newsroom.sitemaps.article_lastmod()`."""
    published = article.publish_at or article.created_at
    return max(filter(None, [published, article.modified_at, article.corrected_at]))


def news_article(article, authors, tags):
    url = absolute(article.get_absolute_url())
    published = article.publish_at or article.created_at
    modified = modified_time(article)
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        # Google reads at most 110 characters of a headline.
        "headline": cut_at_word(plain_text(article.headline), HEADLINE_LIMIT),
        "description": plain_text(article.standfirst or article.deck),
        "datePublished": published.isoformat(timespec="seconds"),
        "dateModified": modified.isoformat(timespec="seconds"),
        "author": [
            {"@type": "Person", "name": author.name, "url": absolute(author.get_absolute_url())} for author in authors
        ],
        "publisher": current().organization(),
        "keywords": [tag.name for tag in tags],
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "inLanguage": settings.LANGUAGE_CODE,
        "isAccessibleForFree": True,
    }
    if article.theme_id:
        data["articleSection"] = article.theme.name
    if article.lead_image_id and article.lead_image.file:
        data["image"] = lead_image_urls(article.lead_image)
    return data
