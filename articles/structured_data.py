"""schema.org JSON-LD for article pages."""

from django.conf import settings

from .text import plain_text


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def news_article(article, request=None):
    url = absolute(article.get_absolute_url())
    modified = max(filter(None, [article.updated_at, article.publish_at, article.modified_at]))
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": plain_text(article.headline)[:110],
        "description": plain_text(article.standfirst or article.deck),
        "datePublished": article.publish_at.isoformat() if article.publish_at else None,
        "dateModified": modified.isoformat(),
        "author": [
            {"@type": "Person", "name": author.name, "url": absolute(author.get_absolute_url())}
            for author in article.byline
        ],
        "publisher": {"@type": "Organization", "name": settings.SITE_PUBLISHER, "url": settings.SITE_URL + "/"},
        "keywords": [tag.name for tag in article.tags.all()],
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "inLanguage": settings.LANGUAGE_CODE,
        "isAccessibleForFree": True,
    }
    if article.theme_id:
        data["articleSection"] = article.theme.name
    if article.lead_image_id and article.lead_image.file:
        image_url = article.lead_image.file.url
        data["image"] = [absolute(image_url) if image_url.startswith("/") else image_url]
    return data
