"""Surrogate keys are made in one place (pagecache/surrogates.py): every key a public page shows
is of a known kind, and every kind a page shows is one that some change invalidates. A key typed
by hand with a typo would be shown and never invalidated: the page would stay stale an hour."""

import html
import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from taggit.models import Tag

from articles import cache as article_cache
from articles.models import Article, Author, Byline, Correction, system_gate
from images.models import Image
from live.models import Entry
from pagecache import keys, surrogates
from pages.models import Page
from sitesettings.models import FollowLink, SiteSettings
from themes import cache as theme_cache
from themes.models import Theme

from .conftest import ensure_roles

pytestmark = pytest.mark.usefixtures("away_from_new_year")

LINK = re.compile(r'(?:href="|<loc>|<link>|"(?:url|link|next|previous|href)": ?")(?:https?://[^/"<\s]+)?(/[^"<\s#]*)')
NOT_PUBLIC = ("/admin", "/accounts", "/static/", "/media/", "/api/v1/staff", "/api/v1/schema", "/preview", "/share")
CRAWL_LIMIT = 400


def kind(key):
    head, _, tail = key.rpartition(":")
    return head if head and (tail.isdigit() or tail == "*") else key


def test_the_builders_make_known_keys_and_nothing_else():
    made = [
        surrogates.article_key(12),
        surrogates.row_key("tag", "7"),
        surrogates.list_key("author", 3),
        surrogates.list_key("latest"),
        surrogates.every("article"),
        surrogates.every("list:theme"),
        surrogates.NAVIGATION,
        surrogates.SETTINGS,
    ]
    assert made == ["article:12", "tag:7", "list:author:3", "list:latest", "article:*", "list:theme:*"] + [
        "navigation",
        "site-settings",
    ]
    assert all(surrogates.is_known(key) for key in made)
    typos = ["artcle:12", "list:authr:3", "article:None", "article:", "article:12a", "list:latest:1", "Article:1"]
    typos += ["list:article:1", "navigation ", "list:theme", "theme:-1", "site-setting", "tag:１２"]
    assert [key for key in typos if surrogates.is_known(key)] == []
    for wrong in (
        lambda: surrogates.row_key("artcle", 1),
        lambda: surrogates.list_key("authr", 3),
        lambda: surrogates.list_key("theme"),
        lambda: surrogates.article_key(None),
        lambda: surrogates.article_key("12a"),
        lambda: surrogates.every("navigation"),
    ):
        with pytest.raises((ValueError, TypeError)):
            wrong()


def crawl(client, start):
    """Every public address reachable from `start` (links in pages, feeds, sitemaps, the API),
    with the keys its answer names."""
    shown, queue, seen = {}, list(start), set(start)
    while queue and len(seen) <= CRAWL_LIMIT:
        path = queue.pop(0)
        response = client.get(path)
        if response.get("xkey"):
            shown[path] = response["xkey"].split()
        if response.status_code != 200 or response.streaming:
            continue
        for found in LINK.findall(html.unescape(response.content.decode(errors="replace"))):
            if found not in seen and not found.startswith(NOT_PUBLIC):
                seen.add(found)
                queue.append(found)
    return shown


@pytest.fixture
def demo(db, settings, media_root):
    ensure_roles()  # the demo's users join the roles, which a flushing test before may have dropped
    settings.DEBUG = True
    call_command("loaddemo", stdout=io.StringIO())
    settings.DEBUG = False
    Page.objects.create(title="お問い合わせ", path="/about/contact/", body="Write to us 📮.")
    return Article.objects.live().filter(lead_image__isnull=False).first()


def test_every_key_a_public_page_shows_is_known_and_some_change_invalidates_its_kind(client, settings, demo):
    settings.PAGE_CACHE_KEY_HEADER = "xkey"
    start = ["/", "/about/contact/", "/sitemap.xml", "/news-sitemap.xml", "/feeds/rss/", "/search/?q=harbour"]
    start += ["/api/v1/articles/", "/api/v1/themes/", f"/api/v1/articles/{demo.pk}/", "/api/v1/articles/0/"]
    shown = crawl(client, start)

    unknown = {(path, key) for path, names in shown.items() for key in names if not surrogates.is_known(key)}
    assert unknown == set()
    kinds_shown = {kind(key) for names in shown.values() for key in names}
    assert kinds_shown >= {"article", "theme", "author", "tag", "image", "page", "list:latest", "list:theme"}
    assert kinds_shown >= {"list:author", "list:tag", "navigation", "site-settings"}
    assert len(shown) > 100  # the crawl reached the demo's articles, not just the start

    invalidated = set()
    real = keys.invalidate_now
    keys_invalidate_now = lambda found, **kwargs: (invalidated.update(found), real(found, **kwargs))  # noqa: E731
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keys, "invalidate_now", keys_invalidate_now)
        with system_gate():
            demo.headline = "Київ: the ferry runs on 31 December"
            demo.save()
        demo.tags.add("новий рік")
        author = Author.objects.create(name="Ōta Hiroshi", slug="ota-hiroshi")
        Byline.objects.create(article=demo, author=author, position=5)
        author.save()
        Tag.objects.filter(name="новий рік").get().save()
        theme = Theme.objects.first()
        theme.summary = "Everything on the harbour 🚢"
        theme.save()
        Image.objects.first().save()
        Correction.objects.create(article=demo, text="An earlier version misspelt Київ.")
        Page.objects.get().save()
        Entry.objects.first().save()  # an entry of the demo's live coverage
        SiteSettings.objects.create(name="The Harbour Gazette", copyright_holder="Harbour Media")
        FollowLink.objects.create(site=SiteSettings.objects.get(), label="Mastodon", url="https://social.example/@g")
    now = timezone.now()
    for hook in (article_cache.schedule, theme_cache.schedule):  # going live, expiring, themes turning dormant
        due, _ = hook(now - timedelta(days=400), now + timedelta(days=400))
        invalidated |= due

    assert {key for key in invalidated if not surrogates.is_known(key)} == set()
    assert kinds_shown - {kind(key) for key in invalidated} == set()


def test_an_edited_static_page_is_not_served_from_the_cache(client, db):
    """The pages app is listed after the page cache and declares its keys in its own ready():
    its saves invalidated nothing, so an edited page stayed as it was for an hour."""
    page = Page.objects.create(title="Impressum", path="/über-uns/", body="Redaktion: Київ, 29 лютого.")
    url = page.get_absolute_url()
    assert "Київ" in client.get(url).content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"
    page.body = "Redaktion: 東京, 31 December."
    page.save()
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss" and "東京" in response.content.decode()
