"""Machine-readable metadata: JSON-LD parsed strictly, Open Graph, canonical and pagination links, noindex."""

import io
import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as Picture

from articles.models import Status
from images.models import Image

pytestmark = pytest.mark.django_db


def json_ld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def meta(html, key):
    return re.findall(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)


def test_home_describes_the_website_and_its_search(client, settings):
    settings.FOLLOW_LINKS = [("Mastodon", "https://social.example/@gazette")]
    data = json_ld(client.get("/").content.decode())
    assert data["@context"] == "https://schema.org"
    website, publisher = data["@graph"]
    assert website["@type"] == "WebSite"
    assert website["name"] == settings.SITE_NAME and website["url"] == settings.SITE_URL + "/"
    action = website["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["target"]["urlTemplate"] == f"{settings.SITE_URL}/search/?q={{search_term_string}}"
    assert action["query-input"] == "required name=search_term_string"
    assert publisher["@type"] == "NewsMediaOrganization" and publisher["name"] == settings.SITE_PUBLISHER
    assert website["publisher"] == {"@id": publisher["@id"]}
    assert publisher["sameAs"] == ["https://social.example/@gazette"]


def test_article_metadata_is_complete(client, make_article, make_author, make_theme, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Picture.new("RGB", (64, 48), "teal").save(buffer, "PNG")
    image = Image.objects.create(
        file=SimpleUploadedFile("quay.png", buffer.getvalue()), title="Quay", alt_text="Boats at the quay"
    )
    article = make_article(
        "Quay repairs begin",
        standfirst="Work on the north quay starts on Monday.",
        theme=make_theme("Harbour"),
        authors=[make_author("Ana Reyes", slug="ana-reyes")],
        tags=["harbour"],
        lead_image=image,
    )
    html = client.get(article.get_absolute_url()).content.decode()
    data = json_ld(html)
    url = settings.SITE_URL + article.get_absolute_url()
    assert data["@type"] == "NewsArticle"
    for key in (
        "headline",
        "description",
        "image",
        "datePublished",
        "dateModified",
        "author",
        "publisher",
        "articleSection",
        "keywords",
        "mainEntityOfPage",
    ):
        assert data[key], key
    assert data["mainEntityOfPage"]["@id"] == url
    image.refresh_from_db()
    social_card = settings.SITE_URL + image.file.storage.url(image.social_card["name"])
    assert data["image"][0] == social_card  # renditions, never the uploaded original
    assert data["author"][0]["url"] == settings.SITE_URL + "/authors/ana-reyes/"
    assert meta(html, "og:type") == ["article"]
    assert meta(html, "og:url") == [url]
    assert meta(html, "og:image") == [social_card]
    assert meta(html, "og:image:alt") == ["Boats at the quay"]
    assert meta(html, "twitter:card") == ["summary_large_image"]
    assert meta(html, "article:author") == [settings.SITE_URL + "/authors/ana-reyes/"]
    assert meta(html, "article:tag") == ["harbour"]
    assert meta(html, "description") == ["Work on the north quay starts on Monday."]
    assert f'<link rel="canonical" href="{url}">' in html


def test_every_public_page_has_title_description_canonical_and_social_tags(
    client, make_article, make_theme, make_author
):
    theme = make_theme(slug="weather")
    author = make_author(slug="writer")
    article = make_article("Fog", theme=theme, authors=[author], tags=["fog"])
    for path in ("/", article.get_absolute_url(), "/themes/", "/themes/weather/", "/authors/writer/", "/tags/fog/"):
        html = client.get(path).content.decode()
        assert re.search(r"<title>[^<]+</title>", html), path
        assert meta(html, "description")[0], path
        assert re.search(r'<link rel="canonical" href="http[^"]+">', html), path
        for key in ("og:title", "og:description", "og:url", "twitter:card", "twitter:title"):
            assert meta(html, key), (path, key)


def test_paginated_listing_has_canonical_and_prev_next(client, make_article, make_theme, settings, now):
    theme = make_theme(slug="weather")
    for n in range(45):
        make_article(f"Rain {n}", theme=theme, publish_at=now - timedelta(minutes=n + 1))
    base = f"{settings.SITE_URL}/themes/weather/"
    first = client.get("/themes/weather/").content.decode()
    assert f'<link rel="canonical" href="{base}">' in first
    assert f'<link rel="next" href="{base}?page=2">' in first and 'rel="prev"' not in first.split("</head>")[0]
    second = client.get("/themes/weather/?page=2").content.decode()
    assert f'<link rel="canonical" href="{base}?page=2">' in second
    assert f'<link rel="prev" href="{base}">' in second and f'<link rel="next" href="{base}?page=3">' in second


def test_search_results_and_previews_are_not_indexed(client, make_article):
    draft = make_article("Secret plans", status=Status.DRAFT, publish_at=None)
    assert '<meta name="robots" content="noindex">' in client.get("/search/?q=plans").content.decode()
    client.force_login(User.objects.create_user("editor", is_staff=True, is_superuser=True))
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()
