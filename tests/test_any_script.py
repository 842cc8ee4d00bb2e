"""Any text in any script: tags, themes, authors, headlines, decks and searches in Ukrainian,
Greek, German, Japanese and emoji are pages, links, feeds, sitemaps and API answers like any
other, never a 500. Fixed examples first, then generated text (Hypothesis)."""

import html
import os
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import quote, unquote, urlsplit
from zoneinfo import ZoneInfo

import feedparser
import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from taggit.models import Tag

from articles.body import typeset
from articles.models import Article, Author, Byline, Status
from articles.slugs import repair_slugs, slug_for
from articles.workflow import take_step
from pagecache.keys import reset_process_state
from search.query import clean
from themes.models import Theme

pytestmark = pytest.mark.django_db

NAMES = ["Café", "Україна", "Київ", "東京", "Ελλάδα", "Straße", "🦊 news"]
BOUNDED = examples(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "20")),  # more to hunt: HYPOTHESIS_EXAMPLES=500
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(autouse=True)
def _no_search_limit(settings):
    settings.SEARCH_RATE_LIMIT = 0


class Page(HTMLParser):
    """A page's words (what a reader reads) and its links."""

    def __init__(self, content):
        super().__init__()
        self.words, self.links, self._skip = [], set(), 0
        self.feed(content)
        self.text = " ".join("".join(self.words).split())

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.add(href)

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.words.append(data)


def words(text):
    return " ".join(text.split())


def site_links(page):
    """The links of a page to this site's public pages (not the admin, media or static files)."""
    found = set()
    for href in page.links:
        parts = urlsplit(href)
        if parts.netloc and f"{parts.scheme}://{parts.netloc}" != settings.SITE_URL:
            continue
        if parts.path.startswith(("/admin/", "/static/", "/media/")) or not parts.path.startswith("/"):
            continue
        found.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def local(url):
    return url.removeprefix(settings.SITE_URL)


def follow_every_link(client, address):
    """GET `address`, then every site link on it: each answers 200."""
    response = client.get(address)
    assert response.status_code == 200, address
    page = Page(response.content.decode())
    answers = {link: client.get(link).status_code for link in site_links(page)}
    assert {link: status for link, status in answers.items() if status != 200} == {}, address
    return page


def live_article_in_every_script(make_article, make_author, make_theme, **fields):
    theme = make_theme("Ελλάδα", slug="")
    author = make_author("Олена Петренко", slug="")
    return make_article(
        "Київ: 東京 und Straße 🦊",
        deck="Café Україна Ελλάδα",
        theme=theme,
        authors=[author],
        tags=NAMES,
        **fields,
    )


# Slugs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Café", "café"),
        ("Україна", "україна"),
        ("Київ", "київ"),
        ("東京", "東京"),
        ("Ελλάδα", "ελλάδα"),
        ("Straße", "straße"),
        ("🦊 news", "news"),
        ("🦊", "fox-face"),
        ("!!!", "exclamation-mark-exclamation-mark-exclamation-mark"),
        ("  ", "tag"),
        ("\ue000", "tag"),  # a private-use character has no name
    ],
)
def test_a_slug_keeps_the_script_and_is_never_empty(name, slug):
    assert slug_for(name, max_length=100, fallback="tag") == slug


def test_themes_and_authors_named_only_in_emoji_get_an_address_each(make_theme, make_author):
    fox, bear = make_theme("🦊", slug=""), make_theme("🦊", slug="")
    assert (fox.slug, bear.slug) == ("fox-face", "fox-face-2")
    assert make_author("東京 太郎", slug="").slug == "東京-太郎"


# Pages, feeds, sitemaps and the API ----------------------------------------------------------


def test_a_live_article_tagged_in_every_script_is_a_page_for_everyone(
    client, make_article, make_author, make_theme, editor
):
    article = live_article_in_every_script(make_article, make_author, make_theme)
    assert article.slug == "київ-東京-und-straße"
    assert article.get_absolute_url() == reverse(
        "articles:detail",
        kwargs={"year": f"{article.url_date():%Y}", "month": f"{article.url_date():%m}"}
        | {"day": f"{article.url_date():%d}", "slug": article.slug},
    )
    page = follow_every_link(client, article.get_absolute_url())
    for name in [*NAMES, "Ελλάδα", "Олена Петренко", "Київ: 東京 und Straße 🦊"]:
        assert name in page.text
    tag_pages = {unquote(link) for link in site_links(page) if link.startswith("/tags/")}
    assert {f"/tags/{slug_for(name, max_length=100, fallback='tag')}/" for name in NAMES} <= tag_pages
    for tag in article.tags.all():
        tag_page = follow_every_link(client, reverse("articles:tag", args=[tag.slug]))
        assert tag.name in tag_page.text
        for feed in ("feeds:tag-rss", "feeds:tag-atom"):
            parsed = feedparser.parse(client.get(reverse(feed, args=[tag.slug])).content)
            assert not parsed.bozo and parsed.entries[0].title == article.headline
            assert tag.name in parsed.feed.title
    for feed in ("feeds:theme-rss", "feeds:author-atom"):
        slug = article.theme.slug if "theme" in feed else article.authors.get().slug
        assert not feedparser.parse(client.get(reverse(feed, args=[slug])).content).bozo

    client.force_login(editor)
    assert client.get(reverse("articles:preview", args=[article.pk])).status_code == 200
    assert client.get(reverse("admin:articles_article_change", args=[article.pk])).status_code == 200


def test_the_api_and_sitemaps_carry_addresses_in_every_script(client, make_article, make_author, make_theme):
    article = live_article_in_every_script(make_article, make_author, make_theme)
    listed = client.get(reverse("api:article-list")).json()["results"][0]
    detail = client.get(reverse("api:article-detail", args=[article.pk])).json()
    assert sorted(tag["name"] for tag in detail["tags"]) == sorted(NAMES) == sorted(t["name"] for t in listed["tags"])
    addresses = [detail["url"], *(tag["url"] for tag in detail["tags"])]
    for url in addresses:
        assert client.get(local(url)).status_code == 200, url
    for endpoint, slug in (("api:theme-detail", article.theme.slug), ("api:author-detail", "олена-петренко")):
        answer = client.get(reverse(endpoint, args=[slug]))
        assert answer.status_code == 200 and client.get(local(answer.json()["url"])).status_code == 200
    assert client.get(reverse("api:article-list"), {"tag": "київ"}).json()["results"][0]["id"] == article.pk

    index = client.get("/sitemap.xml").content.decode()
    locations = [loc for section in re.findall(r"<loc>([^<]+)</loc>", index) for loc in sitemap(client, section)]
    assert any("%D0%BA%D0%B8%D1%97%D0%B2" in loc for loc in locations)  # київ, percent-encoded
    for loc in locations:
        assert loc.isascii() and not re.search(r"\s", loc), loc  # an address, not an IRI
        assert client.get(local(loc)).status_code == 200, loc


def sitemap(client, address):
    return re.findall(r"<loc>([^<]+)</loc>", client.get(local(html.unescape(address))).content.decode())


def test_search_in_every_script_finds_the_article(client, make_article, make_author, make_theme):
    article = live_article_in_every_script(make_article, make_author, make_theme)
    for query in ("Київ", "Straße", "Ελλάδα"):
        page = follow_every_link(client, f"{reverse('search:results')}?q={query}")
        assert article.headline in page.text, query
        found = client.get(reverse("api:search"), {"q": query}).json()["results"]
        assert [result["id"] for result in found] == [article.pk], query


def test_an_article_of_29_february_in_any_script(client, make_article):
    leap_day = datetime(2028, 2, 29, 12, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(leap_day, tick=False):
        article = make_article("Україна: високосний день", publish_at=leap_day - timedelta(hours=1))
        assert article.get_absolute_url() == f"/2028/02/29/{quote('україна-високосний-день')}/"
        follow_every_link(client, article.get_absolute_url())


# The admin -------------------------------------------------------------------------------------


def test_the_admin_takes_names_in_every_script_and_makes_their_addresses(client, editor):
    client.force_login(editor)
    theme = {"name": "🦊", "slug": "", "description": "", "summary": "", "lead_article": "", "position": "100"}
    assert client.post(reverse("admin:themes_theme_add"), theme | {"is_active": "on"}).status_code == 302
    assert Theme.objects.get(name="🦊").slug == "fox-face"
    author = {"name": "Γιώργος Παπαδόπουλος", "slug": "", "bio": "", "user": ""}
    assert client.post(reverse("admin:articles_author_add"), author).status_code == 302
    assert Author.objects.get(name=author["name"]).slug == "γιώργος-παπαδόπουλος"
    article = post_article(client, headline="東京で初雪", deck="Straße", tags=", ".join(NAMES))
    assert article.slug == "東京で初雪"
    assert sorted(article.tags.names()) == sorted(NAMES)


def test_the_admin_fills_addresses_in_the_script_typed_and_refuses_overlong_tags(client, editor):
    client.force_login(editor)
    for address in (reverse("admin:themes_theme_add"), reverse("admin:articles_author_add")):
        assert "allowUnicode&quot;: true" in client.get(address).content.decode()  # the slug JS keeps "Київ"
    page = client.post(
        reverse("admin:articles_article_add"),
        {"headline": "Довгий тег", "body": "Text.", "tags": "я" * 101, "bylines-TOTAL_FORMS": "0"}
        | {"bylines-INITIAL_FORMS": "0"},
    )
    assert page.status_code == 200 and "A tag has at most 100 characters" in page.content.decode()
    assert not Article.objects.filter(headline="Довгий тег").exists()


def post_article(client, **fields):
    data = {"headline": "", "deck": "", "standfirst": "", "body": "Text.", "tags": "", "slug": ""}
    data |= {"bylines-TOTAL_FORMS": "0", "bylines-INITIAL_FORMS": "0"} | fields
    response = client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code in (200, 302)
    return Article.objects.order_by("-pk").first() if response.status_code == 302 else None


def test_names_that_differ_only_in_case_are_one_tag_and_accents_make_two(client, make_article):
    kyiv = make_article("Kyiv story", tags=["Київ"])
    lower = make_article("Another Kyiv story", tags=["київ", "КИЇВ"])
    assert list(lower.tags.all()) == list(kyiv.tags.all())
    cafe = make_article("Coffee", tags=["Café", "cafe", "CAFÉ"])
    assert sorted(cafe.tags.values_list("name", "slug")) == [("Café", "café"), ("cafe", "cafe")]
    for slug in ("київ", "café", "cafe"):
        assert client.get(reverse("articles:tag", args=[slug])).status_code == 200


# Existing rows --------------------------------------------------------------------------------------


def test_slugs_made_badly_before_are_repaired_and_good_ones_kept(client, make_article, make_theme, make_author):
    """What the data migrations run: an empty slug (taggit made "" of "🦊") or one that is no
    address ("a b", "a/b") gets one from the name; a good ASCII slug (a known address) stays."""
    good = make_article("Kept", tags=["keep"])
    bad = make_article("Київ сьогодні", tags=["🦊"])
    Tag.objects.filter(name="🦊").update(slug="")
    Article.all_objects.filter(pk=bad.pk).update(slug="київ сьогодні")
    theme, author = make_theme("Straße/Weg", slug="ok"), make_author("Ελλάδα", slug="ok")
    Theme.objects.filter(pk=theme.pk).update(slug="straße/weg")
    Author.objects.filter(pk=author.pk).update(slug="")
    for model, source, length, fallback in (
        (Tag, "name", 100, "tag"),
        (Article, "headline", 200, "article"),
        (Theme, "name", 120, "theme"),
        (Author, "name", 120, "author"),
    ):
        repair_slugs(model, source, length, fallback)
    assert Tag.objects.get(name="🦊").slug == "fox-face"
    assert Article.objects.get(pk=bad.pk).slug == "київ-сьогодні"
    assert Theme.objects.get(pk=theme.pk).slug == "straßeweg"
    assert Author.objects.get(pk=author.pk).slug == "ελλάδα"
    assert Article.objects.get(pk=good.pk).slug == "kept"
    cache.clear()
    reset_process_state()
    follow_every_link(client, bad.get_absolute_url())


# Tags of unpublished articles (issue 22) -------------------------------------------------------------


def test_a_tag_only_on_unpublished_articles_is_no_page_until_one_goes_live(client, make_article, editor, now):
    draft = make_article("Merger talks", tags=["Злиття"], status=Status.DRAFT, publish_at=None)
    make_article("Embargoed", tags=["Злиття"], publish_at=now + timedelta(days=1))
    for address in (
        reverse("articles:tag", args=["злиття"]),
        reverse("feeds:tag-rss", args=["злиття"]),
        reverse("feeds:tag-atom", args=["злиття"]),
    ):
        assert client.get(address).status_code == 404
        assert client.get(address).status_code == 404  # the stored answer
    assert client.get(reverse("articles:tag", args=["unknown"])).status_code == 404
    assert "Злиття" not in str(client.get(reverse("api:tag-list")).json())

    take_step(draft, "approve", user=editor)
    assert client.get(reverse("articles:tag", args=["злиття"])).status_code == 200
    assert client.get(reverse("feeds:tag-rss", args=["злиття"])).status_code == 200


def test_the_writers_tag_list_names_only_tags_they_may_see(client, make_article, writer, editor, now):
    make_article("Live", tags=["Київ"])
    make_article("Someone else's draft", tags=["Злиття"], status=Status.DRAFT, publish_at=None)
    mine = make_article("My draft", tags=["東京"], status=Status.DRAFT, publish_at=None, created_by=writer)
    hidden = Tag.objects.get(name="Злиття")
    client.force_login(writer)
    listed = Page(client.get(reverse("admin:taggit_tag_changelist")).content.decode()).text
    assert "Київ" in listed and "東京" in listed and "Злиття" not in listed
    assert client.get(reverse("admin:taggit_tag_change", args=[hidden.pk])).status_code in (302, 404)
    shown = client.get(reverse("admin:taggit_tag_change", args=[mine.tags.get().pk])).content.decode()
    assert "Someone else" not in shown and "tagged_items" not in shown
    client.force_login(editor)
    assert "Злиття" in Page(client.get(reverse("admin:taggit_tag_changelist")).content.decode()).text


def test_a_headline_pasted_with_a_vertical_tab_leaves_the_feeds_standing(client, editor):
    """Word processors paste \x0b between lines; XML 1.0 cannot carry it, and Django's feed
    writer refused the whole site feed (found by the generated-text test below)."""
    client.force_login(editor)
    article = post_article(client, headline="Київ\x0bнавесні", tags="Київ\x0bзима")
    take_step(article, "approve", user=editor)
    client.logout()
    for address in ("/feeds/rss/", "/feeds/atom/", reverse("feeds:tag-rss", args=[article.tags.get().slug])):
        parsed = feedparser.parse(client.get(address).content)
        assert not parsed.bozo and parsed.entries[0].title == "Київ навесні", address


def test_feed_channel_titles_reach_feed_readers_as_text(client, make_article, make_author, make_theme):
    """An imported author named "<img …>" (imports and the ORM skip form validation): a reader
    that shows HTML as HTML (feedparser without sanitising) still shows the name as words. RSS
    readers take a channel title for HTML, so it is escaped as HTML; Atom's is text (RFC 4287)."""
    hostile = '<img src=x onerror="alert(1)"> & Co'
    author = make_author(hostile, slug="")
    theme = make_theme(hostile, slug="")
    make_article("Harbour news", authors=[author], theme=theme, tags=["<b>bold</b>"])
    tag = Tag.objects.get(name="<b>bold</b>")
    for feed, slug, name in (
        ("author", author.slug, hostile),
        ("theme", theme.slug, hostile),
        ("tag", tag.slug, tag.name),
    ):
        rss = feedparser.parse(client.get(reverse(f"feeds:{feed}-rss", args=[slug])).content, sanitize_html=False)
        assert "<" not in rss.feed.title and name in html.unescape(rss.feed.title), (feed, rss.feed.title_detail)
        atom = feedparser.parse(client.get(reverse(f"feeds:{feed}-atom", args=[slug])).content, sanitize_html=False)
        assert atom.feed.title_detail.type == "text/plain" and name in atom.feed.title, (feed, atom.feed.title_detail)


# Generated text -------------------------------------------------------------------------------


def typed_text(max_size, exclude=""):
    """What a person types: any script, emoji, combining marks, other spaces; no control
    characters (the form fields refuse them) and not only spaces."""
    alphabet = st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters=exclude + "\x00")
    typed = st.text(alphabet, min_size=1, max_size=max_size) | st.sampled_from(NAMES)
    return typed.filter(lambda text: text.strip())


@BOUNDED
@given(
    headline=typed_text(80),
    deck=typed_text(80),
    theme_name=typed_text(40),
    author_name=typed_text(40),
    tag_names=st.lists(typed_text(30, exclude=',"'), min_size=1, max_size=3),
)
def test_whatever_is_typed_is_shown_as_typed_and_every_link_answers(
    editor, headline, deck, theme_name, author_name, tag_names
):
    cache.clear()
    reset_process_state()
    staff, reader = Client(), Client()
    staff.force_login(editor)
    theme_form = {"name": theme_name, "slug": "", "description": "", "summary": "", "lead_article": ""}
    response = staff.post(reverse("admin:themes_theme_add"), theme_form | {"is_active": "on", "position": "100"})
    assert response.status_code in (200, 302)
    theme = Theme.objects.filter(name=theme_name.strip()).order_by("-pk").first()
    author_form = {"name": author_name, "slug": "", "bio": "", "user": ""}
    response = staff.post(reverse("admin:articles_author_add"), author_form)
    assert response.status_code in (200, 302)
    author = Author.objects.filter(name=author_name.strip()).order_by("-pk").first()
    tags = ", ".join(f'"{name}"' if " " in name else name for name in tag_names)
    article = post_article(staff, headline=headline, deck=deck, tags=tags, theme=theme.pk if theme else "")
    event("refused" if article is None else "published")
    if article is None:  # refused with a message (markup in a plain-text field): never a 500
        return
    if author is not None:
        Byline.objects.create(article=article, author=author, position=0)
    take_step(article, "approve", user=editor)
    article.refresh_from_db()

    page = follow_every_link(reader, article.get_absolute_url())
    # As typed, its spaces as one (Python's: "\x1f" is one too), set in type: quotes curled, dashes made
    # dashes (issue 29), nothing else changed. A quote after such a space opens.
    assert typeset(words(article.headline)) in page.text
    assert typeset(words(article.deck)) in page.text
    for shown in filter(None, [theme and theme.name, author and author.name, *article.tags.names()]):
        assert words(shown) in page.text
    for tag in article.tags.all():
        follow_every_link(reader, reverse("articles:tag", args=[tag.slug]))
        for kind in ("rss", "atom"):
            assert not feedparser.parse(reader.get(reverse(f"feeds:tag-{kind}", args=[tag.slug])).content).bozo
    detail = reader.get(reverse("api:article-detail", args=[article.pk]))
    assert detail.status_code == 200 and detail.json()["headline"] == words(article.headline)
    for url in [detail.json()["url"], *(tag["url"] for tag in detail.json()["tags"])]:
        assert reader.get(local(url)).status_code == 200, url
    for section in re.findall(r"<loc>([^<]+)</loc>", reader.get("/sitemap.xml").content.decode()):
        for loc in sitemap(reader, section):
            assert reader.get(local(loc)).status_code == 200, loc


@BOUNDED
@given(query=typed_text(60))
def test_any_search_answers_and_shows_the_query_as_typed(db, query):
    cache.clear()
    reader = Client()
    response = reader.get(reverse("search:results"), {"q": query})
    assert response.status_code == 200
    assert clean(query) in Page(response.content.decode()).text  # as typed, less control and format characters
    assert reader.get(reverse("api:search"), {"q": query}).status_code in (200, 400)
