"""schema.org `LiveBlogPosting` for a live article's page: the coverage's start and end, and its
entries as `liveBlogUpdate` (each a `BlogPosting` with its own address)."""

from articles.structured_data import HEADLINE_LIMIT, absolute, modified_time
from articles.text import cut_at_word, plain_text


def blog_posting(entry, article_url):
    data = {
        "@type": "BlogPosting",
        "url": f"{article_url}entries/{entry.pk}/",
        "datePublished": entry.publish_at.isoformat(timespec="seconds"),
        "dateModified": (entry.updated_at or entry.publish_at).isoformat(timespec="seconds"),
        "articleBody": plain_text(entry.body_html),
    }
    if entry.title:
        data["headline"] = cut_at_word(plain_text(entry.title), HEADLINE_LIMIT)
    authors = list(entry.authors.all())
    if authors:
        data["author"] = [{"@type": "Person", "name": author.name} for author in authors]
    return data


def live_blog_posting(article, entries):
    """`entries`: those the page shows, newest first."""
    url = absolute(article.get_absolute_url())
    modified = max([modified_time(article), *((e.updated_at or e.publish_at) for e in entries)])
    data = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "@id": f"{url}#live",
        "url": url,
        "headline": cut_at_word(plain_text(article.headline), HEADLINE_LIMIT),
        "description": plain_text(article.standfirst or article.deck),
        "datePublished": (article.publish_at or article.created_at).isoformat(timespec="seconds"),
        "dateModified": modified.isoformat(timespec="seconds"),
        "coverageStartTime": article.coverage_start.isoformat(timespec="seconds"),
        "liveBlogUpdate": [blog_posting(entry, url) for entry in entries],
    }
    if article.coverage_end:
        data["coverageEndTime"] = article.coverage_end.isoformat(timespec="seconds")
    return data
