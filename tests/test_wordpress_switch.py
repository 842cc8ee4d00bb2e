"""Switching from WordPress with the whole archive (issue 25, and issue 22's importer doors): every
picture wherever the export names it, galleries and embeds in the body format, pages, every old
address, dates as WordPress showed them, the history at its own dates, small commits that
resume, and no author or account taken over. The export is written by tests/wordpress/make_export.py."""

import csv
import functools
import http.server
import io
import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from PIL import Image as PILImage

from articles.models import Article, ArticleEvent, Author, Status
from images.models import Image
from pages.models import Page
from tests.ports import free_port
from tests.wordpress.make_export import export
from themes.models import Theme
from wordpress import importer as importer_module
from wordpress.models import ImportedItem

pytestmark = pytest.mark.usefixtures("away_from_new_year")

PICTURES = {"quay.jpg": "navy", "ferry.jpg": "teal", "gulls.png": "white", "crane.jpg": "orange"}


def uploads_tree(root):
    folder = root / "2009" / "05"
    folder.mkdir(parents=True)
    for name, colour in PICTURES.items():
        PILImage.new("RGB", (640, 480), colour).save(folder / name)
    return root


@pytest.fixture
def uploads(tmp_path):
    return uploads_tree(tmp_path / "uploads")


@pytest.fixture
def export_file(tmp_path):
    path = tmp_path / "export.xml"
    path.write_text(export(posts=6), encoding="utf-8")
    return path


def run(path, *args):
    out = io.StringIO()
    call_command("import_wordpress", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def by_slug(slug):
    return Article.all_objects.get(slug=slug)


@pytest.fixture
def imported(db, media_root, export_file, uploads):
    return run(export_file, "--media-dir", str(uploads))


# Pictures --------------------------------------------------------------------------------


def test_pictures_are_found_by_their_path_on_any_host_and_size(imported):
    article = by_slug("late-night")
    quay = Image.objects.get(title="quay.jpg")
    ferry = Image.objects.get(alt_text="The ferry leaving")
    # files.wordpress.com in a [caption], i0.wp.com with a -300x200 variant: the library's originals.
    assert f"[image:{quay.pk}]" in article.body
    assert f"[image:{ferry.pk}]" in article.body
    assert article.lead_image == ferry
    assert quay.caption == "The quay at dusk"
    assert Image.objects.count() == 4  # each file once
    assert "Files not found: 1." in imported
    assert "  - 2009/05/lost.jpg: not under" in imported


def test_a_run_with_the_media_folder_fills_in_what_a_run_without_it_left_out(db, media_root, export_file, uploads):
    first = run(export_file)
    assert Image.objects.count() == 0
    assert "Files not found: 5." in first
    assert "quay.jpg" in by_slug("late-night").body  # a link meanwhile
    second = run(export_file, "--media-dir", str(uploads))
    assert Image.objects.count() == 4
    article = by_slug("late-night")
    assert f"[image:{Image.objects.get(title='quay.jpg').pk}]" in article.body
    assert article.lead_image is not None
    assert "Updated: 2 articles." in second


class _Uploads(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/elsewhere/"):  # a redirect to another host
            self.send_response(302)
            self.send_header("Location", "http://localhost:1/evil.jpg")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture
def media_server(tmp_path):
    root = uploads_tree(tmp_path / "served" / "wp-content" / "uploads")
    (root / "2009" / "05" / "crane.jpg").write_bytes(b"<?php echo 'not a picture'; ?>")
    port = free_port()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(_Uploads, directory=str(tmp_path / "served"))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


def test_fetch_media_downloads_from_the_exports_own_hosts_and_checks_the_content(
    db, media_root, tmp_path, media_server
):
    path = tmp_path / "fetch.xml"
    text = export(posts=0, media_host=media_server)
    text = text.replace(f"{media_server}/wp-content/uploads/2009/05/gulls.png", f"{media_server}/elsewhere/gulls.png")
    path.write_text(text, encoding="utf-8")
    report = run(path, "--fetch-media")
    titles = set(Image.objects.values_list("title", flat=True))
    assert "ferry.jpg" in titles  # fetched from the export's own host
    assert "gulls.png" not in titles  # redirected to another host: refused
    assert "crane.jpg" not in titles  # not a picture: the library's checks refuse it
    assert "image 2009/05/crane.jpg" in report
    assert "  - 2009/05/gulls.png: not fetched from 127.0.0.1" in report
    assert titles == {"quay.jpg", "ferry.jpg"}
    again = run(path, "--fetch-media")
    assert Image.objects.count() == len(titles)
    assert "Imported: nothing." in again


# Body ------------------------------------------------------------------------------------


def test_galleries_captions_embeds_and_strikes_become_the_body_format(imported):
    body = by_slug("late-night").body
    quay, ferry, gulls = (Image.objects.get(title=name).pk for name in ("quay.jpg", "ferry.jpg", "gulls.png"))
    assert f"\n[gallery:{quay},{ferry},{gulls}]\n" in body
    assert "\n[embed:https://www.youtube.com/watch?v=dQw4w9WgXcQ]\n" in body
    assert "\n[embed:https://vimeo.com/22439234]\n" in body
    assert "~~Cancelled~~ ~~struck~~ text." in body
    assert "| Ferry | Departs | Arrives | Notes |" in body
    assert "```" in body and "[crossing for crossing in crossings if" in body  # code untouched
    assert "[sic]" in body and "A quote" in body and "contact-form" not in body
    assert "](https://" not in body.replace("](https://example.org", "")  # no picture left as a link
    # [gallery] without ids: the post's attached pictures, in their order (the lost one left out).
    crane = Image.objects.get(title="crane.jpg").pk
    assert f"[gallery:{gulls},{crane}]" in by_slug("leap-day").body
    assert "Shortcodes removed" in imported and "[contact-form]" in imported and "[pullquote]" in imported


# Dates and history -------------------------------------------------------------------------


def test_the_day_wordpress_showed_is_kept_and_the_time_is_exact(imported, client):
    article = by_slug("late-night")
    assert article.publish_at == datetime(2009, 5, 16, 6, 30, tzinfo=UTC)  # post_date_gmt
    assert article.get_absolute_url() == "/2009/05/15/late-night/"  # post_date's day in Los Angeles
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    assert '<time datetime="2009-05-16T06:30:00Z">Fri 15 May 2009, 23:30 UTC-07:00</time>' in page.text
    # When the newsroom's zone shows the same day, it shows it as usual.
    assert by_slug("leap-day").dateline_offset is None
    assert by_slug("leap-day").get_absolute_url() == "/2012/02/29/leap-day/"
    # 31 December 14:59 in Los Angeles is already New Year's Day in Helsinki: the 31st stays.
    assert by_slug("years-end").get_absolute_url() == "/2016/12/31/years-end/"


def test_dates_out_of_range_or_malformed_are_reported_and_never_published_now(imported, client):
    for slug in ("far-future", "year-one", "year-9999", "broken-date", "no-date"):
        article = by_slug(slug)
        assert article.status == Status.DRAFT, slug
        assert article.publish_at is None
    assert "out of range" in imported and "cannot be read" in imported and "no publication date" in imported
    assert client.get("/2150/01/").status_code == 404
    assert client.get("/0001/01/").status_code == 404


def test_imported_posts_join_the_history_at_their_own_dates(imported):
    events = ArticleEvent.objects.filter(action="import")
    assert events.count() == Article.all_objects.count()
    late = events.get(article__slug="late-night")
    assert late.at == datetime(2009, 5, 16, 6, 30, tzinfo=UTC)
    assert not ArticleEvent.objects.filter(action="approve").exists()
    assert ArticleEvent.objects.filter(action="went_live", at__year__gte=2020).count() == 0
    from articles.workflow import due_moments

    assert due_moments() == []  # publish_scheduled announces nothing of the archive today


# Authors and the import account -------------------------------------------------------------


def test_existing_authors_are_never_reused_or_renamed_without_a_map(db, media_root, export_file, tmp_path):
    ours = Author.objects.create(name="Our Editor", slug="editor")
    report = run(export_file)
    ours.refresh_from_db()
    assert ours.name == "Our Editor" and not ours.bylines.exists()
    imported = by_slug("leap-day").byline[0]
    assert imported.slug == "editor-2" and imported.name == "Олена Коваль"
    assert "an author at /authors/editor/ is already here" in report
    hostile = by_slug("years-end").byline[0]
    assert "<" not in hostile.name and "onerror" not in hostile.name
    run(export_file)
    ours.refresh_from_db()
    assert ours.name == "Our Editor"


def test_map_authors_joins_a_login_to_an_existing_author(db, media_root, tmp_path):
    ours = Author.objects.create(name="Olena Koval", slug="olena")
    mapping = tmp_path / "authors.csv"
    mapping.write_text("wordpress login,newsroom author\neditor,olena\n")
    path = tmp_path / "export.xml"
    path.write_text(export(posts=0))
    run(path, "--map-authors", str(mapping))
    assert by_slug("leap-day").byline == [ours]
    ours.refresh_from_db()
    assert ours.name == "Olena Koval"  # joined, not renamed


def test_an_existing_account_named_like_the_importer_is_not_taken_over(db, django_user_model, export_file):
    django_user_model.objects.create_user("wordpress-import", password="someone-else's-2026-pass")
    with pytest.raises(CommandError, match="already exists and is someone's"):
        run(export_file)
    assert not Article.all_objects.exists()
    user = django_user_model.objects.get(username="wordpress-import")
    assert not user.user_permissions.exists()


def test_the_import_account_cannot_sign_in_and_holds_no_permission(imported, django_user_model):
    user = django_user_model.objects.get(username="wordpress-import")
    assert not user.is_active and not user.has_usable_password() and not user.is_staff
    assert not user.has_perm("articles.publish_article")
    old = Permission.objects.get(codename="publish_article")
    user.user_permissions.add(old)  # given by imports before this one
    importer_module.import_account()
    assert not user.user_permissions.filter(pk=old.pk).exists()


# Small commits that resume -------------------------------------------------------------------


def test_each_post_commits_on_its_own_and_a_stopped_run_resumes(db, media_root, export_file, monkeypatch):
    real = importer_module.WordPressImport.post
    calls = []

    def stop_at_the_fourth(self, item):
        calls.append(item.post_id)
        if len(calls) == 4:
            raise KeyboardInterrupt  # the operator's ^C, or a kill
        return real(self, item)

    monkeypatch.setattr(importer_module.WordPressImport, "post", stop_at_the_fourth)
    with pytest.raises(KeyboardInterrupt):
        run(export_file)
    assert Article.all_objects.count() == 3  # the first three were committed
    monkeypatch.setattr(importer_module.WordPressImport, "post", real)
    report = run(export_file)
    assert "Unchanged: 3 articles." in report
    assert Article.all_objects.count() == 8 + 6
    assert ImportedItem.objects.filter(kind="post").count() == Article.all_objects.count()


# Old addresses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "old, new",
    [
        ("/feed/", "/feeds/rss/"),
        ("/feed/atom/", "/feeds/atom/"),
        ("/?feed=rss2", "/feeds/rss/"),
        ("/?feed=atom", "/feeds/atom/"),
        ("/category/news/local/harbour/feed/", "/themes/news/feed/"),
        ("/category/news/feed/atom/", "/themes/news/feed/atom/"),
        ("/tag/kyiv/feed/", "/tags/kyiv/feed/"),
        ("/author/ana/", "/authors/ana/"),
        ("/author/ana/feed/", "/authors/ana/feed/"),
        ("/?author=2", "/authors/ana/"),
        ("/2009/05/", "/archive/2009/05/"),
        ("/?p=10", "/2009/05/15/late-night/"),
        ("/?page_id=20", "/about/"),
        ("/?attachment_id=101", "/2009/05/15/late-night/"),
        ("/?cat=7", "/themes/news/"),
        ("/?cat=8", "/themes/sport/"),
    ],
)
def test_every_old_address_answers_301_to_its_new_place(imported, client, old, new):
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (301, new)


def test_old_addresses_in_other_scripts_answer_301_as_readers_type_them(db, media_root, tmp_path, client):
    """WordPress writes a Cyrillic slug percent-encoded in its export; readers' browsers send the
    address encoded too, and Django reads it decoded: /tag/київ/ and the post's own address."""
    kyiv, night = quote("київ").lower(), quote("нічний-пором").lower()
    path = tmp_path / "export.xml"
    path.write_text(export(posts=0).replace(">kyiv<", f">{kyiv}<").replace('"kyiv"', f'"{kyiv}"').replace(
        "late-night", night), encoding="utf-8")  # fmt: skip
    run(path)
    article = Article.objects.get(headline="Late night at the quay")
    for old, new in (("/tag/київ/", "/tags/київ/"), (f"/tag/{kyiv}/feed/", "/tags/київ/feed/")):
        response = client.get(old)
        assert (response.status_code, unquote(response["Location"])) == (301, new), old
    # The post keeps its address (its day and slug): the old one is the article itself.
    assert unquote(article.get_absolute_url()) == "/2009/05/15/нічний-пором/"
    assert client.get("/2009/05/15/нічний-пором/").status_code == 200
    assert client.get("/?p=10")["Location"] == article.get_absolute_url()


def test_unknown_old_addresses_answer_404_and_are_not_kept(imported, client, settings):
    settings.PAGE_CACHE_ENABLED = True
    for old in ("/?p=99999", "/?page_id=2", "/?attachment_id=1", "/?cat=12345", "/?p=abc", "/category/nope/feed/",
                "/tag/nope/feed/", "/?feed=nonsense", "/2009/13/", "/?page_id=22"):  # fmt: skip
        first, second = client.get(old), client.get(old)
        assert (first.status_code, second.status_code) == (404, 404), old
        assert "X-Page-Cache" not in second, old
    assert client.get("/2009/05/15/far-future/").status_code == 404
    client.get("/about/")
    assert client.get("/about/")["X-Page-Cache"] == "hit"  # the cache is on: the misses above were not kept


def test_the_report_lists_every_old_address_with_its_new_one(db, media_root, export_file, uploads, tmp_path):
    report_file = tmp_path / "addresses.csv"
    out = run(export_file, "--media-dir", str(uploads), "--report", str(report_file))
    rows = list(csv.reader(report_file.open(encoding="utf-8")))
    assert rows[0] == ["old address", "new address", "kind", "answers"]
    found = {row[0]: row for row in rows[1:]}
    assert found["/?p=10"][1].endswith("/2009/05/15/late-night/") and found["/?p=10"][3] == "301"
    assert found["/?page_id=22"][3] == "404 until published"
    assert found["/category/news/local/harbour/"][1].endswith("/themes/news/")
    assert found["/?page_id=21"][1].endswith("/about/contact/") and found["/?page_id=21"][2] == "page"
    assert f"Old addresses: {len(rows) - 1}" in out


# Pages --------------------------------------------------------------------------------------------


def test_wordpress_pages_become_static_pages_at_their_old_addresses(imported, client):
    about = client.get("/about/")
    assert about.status_code == 200 and "Who we are." in about.text
    assert "Write to us." in client.get("/about/contact/").text
    assert not Page.objects.get(path="/policy/").is_published
    assert client.get("/policy/").status_code == 404
    sitemap = client.get("/sitemap-pages.xml").text
    assert "/about/contact/</loc>" in sitemap and "/policy/" not in sitemap


def test_editors_keep_pages_and_writers_cannot(db, client, editor, writer):
    client.force_login(writer)
    assert client.get("/admin/pages/page/add/").status_code == 403
    client.force_login(editor)
    response = client.post(
        "/admin/pages/page/add/",
        {"title": "Corrections policy", "path": "/corrections/", "body": "We *correct* openly.", "is_published": "on"}
        | {"footer_position": "0"},
    )
    assert response.status_code == 302
    client.logout()
    assert "<em>correct</em>" in client.get("/corrections/").text


def footer_pages(html):
    """The footer's page links, as (title, address)."""
    links = html.split('<ul class="follow footer-pages">')[1:]
    return re.findall(r'<li><a href="(/[^"]*)">([^<]*)</a></li>', links[0].split("</ul>")[0]) if links else []


def test_editors_choose_the_pages_the_footer_links_and_no_cached_page_is_stale_about_it(
    db, client, editor, make_article
):
    about = Page.objects.create(title="Про нас", path="/про-нас/", body="Хто ми.")
    Page.objects.create(title="Contact", path="/contact/", body="Write to us 📮.", in_footer=True, footer_position=1)
    policy = Page.objects.create(title="Corrections policy", path="/corrections/", body="We correct openly.")
    article = make_article("Ferry timetable changes")
    pages = ["/", article.get_absolute_url(), "/contact/"]
    for path in pages:
        assert footer_pages(client.get(path).text) == [("/contact/", "Contact")]
        assert client.get(path)["X-Page-Cache"] == "hit"

    staff = client.__class__()
    staff.force_login(editor)
    change = f"/admin/pages/page/{about.pk}/change/"
    fields = {"title": "Про нас", "path": "/про-нас/", "body": "Хто ми.", "is_published": "on"}
    assert staff.post(change, {**fields, "in_footer": "on", "footer_position": "2"}).status_code == 302
    for path in pages:
        response = client.get(path)
        assert response["X-Page-Cache"] == "miss", path
        assert footer_pages(response.text) == [("/contact/", "Contact"), ("/про-нас/", "Про нас")], path

    policy.body = "We correct openly, and say so."
    policy.save()  # a page the footer does not link: the others stay cached
    assert client.get("/")["X-Page-Cache"] == "hit"

    assert (
        staff.post(change, {**fields, "is_published": "", "in_footer": "on", "footer_position": "2"}).status_code == 302
    )
    for path in pages:
        response = client.get(path)
        assert response["X-Page-Cache"] == "miss" and footer_pages(response.text) == [("/contact/", "Contact")], path
    assert client.get("/про-нас/").status_code == 404


# Themes --------------------------------------------------------------------------------------------


def test_categories_map_to_themes_as_the_newsroom_wants(db, media_root, export_file, tmp_path):
    mapping = tmp_path / "themes.csv"
    mapping.write_text("news/local/harbour,waterfront\nsport,-\n")
    run(export_file, "--map", str(mapping))
    assert by_slug("late-night").theme.slug == "waterfront"
    assert by_slug("leap-day").theme is None
    assert set(Theme.objects.values_list("slug", flat=True)) == {"waterfront", "news"}


def test_only_categories_some_post_has_become_themes(db, media_root, tmp_path):
    path = tmp_path / "export.xml"
    used = '<category domain="category" nicename="sport"><![CDATA[Sport]]></category>'
    path.write_text(export(posts=0).replace(used, ""), encoding="utf-8")
    run(path)
    assert set(Theme.objects.values_list("slug", flat=True)) == {"news"}  # "sport" is declared, never used


@pytest.mark.parametrize("choice, themes", [("none", set()), ("tags", {"kyiv"})])
def test_themes_from_tags_or_none(db, media_root, export_file, choice, themes):
    run(export_file, "--themes-from", choice)
    assert set(Theme.objects.values_list("slug", flat=True)) == themes


# The gallery post's attachments in the excerpt (1687, 1691): its [gallery] shortcodes show them.
GALLERY_FILES = ("2013/09/dsc20050604_133440_34211.jpg", "2014/01/dsc20050315_145007_132.jpg")
GALLERY_TITLES = ("dsc20050604_133440_34211", "dsc20050315_145007_132")


def test_wordpresss_own_theme_unit_test_export_imports_twice(db, media_root, tmp_path, client):
    """Verbatim items of the theme unit test data: a WordPress.com export whose pictures are
    named by i0.wp.com addresses of files.wordpress.com uploads, and its old-style captions."""
    real = Path(__file__).parent / "wordpress" / "theme-unit-test-excerpt.xml"
    uploads = tmp_path / "uploads"
    for path in (
        "2013/09/dsc20040724_152504_532.jpg",
        "2012/12/unicorn-wallpaper.jpg",
        "2013/03/featured-image-vertical.jpg",
        "2008/06/100_5478.jpg",  # named only in post 1163's [caption]
        *GALLERY_FILES,
    ):
        (uploads / path).parent.mkdir(parents=True, exist_ok=True)
        PILImage.new("RGB", (640, 480), "olive").save(uploads / path)
    first = run(real, "--media-dir", str(uploads))
    linked = by_slug("post-format-image-linked")
    husk = Image.objects.get(title="dsc20040724_152504_532")
    assert linked.body == f"[image:{husk.pk}]"
    assert husk.alt_text == "chunk of resinous blackboy husk"
    assert husk.caption.startswith("Chunk of resinous blackboy husk, Clarkson")
    assert Image.objects.count() == 6  # the unicorn, the vertical one and the gallery's were attachments
    assert "Files not found: 1." in first  # image-alignment-1200x4002.jpg was not in the folder
    gallery = by_slug("post-format-gallery")
    attached = ",".join(
        str(pk) for pk in Image.objects.filter(title__in=GALLERY_TITLES).order_by("pk").values_list("pk", flat=True)
    )
    assert gallery.body.count(f"[gallery:{attached}]") == 10  # [gallery] and its nine columns="…" forms
    assert "[gallery " not in gallery.body and "gallery with no picture found" not in first
    assert client.get(gallery.get_absolute_url()).text.count('<div class="gallery">') == 10
    bell = Image.objects.get(alt_text="Bell on Wharf")
    assert by_slug("post-format-image-caption").body == f"[image:{bell.pk}]"
    assert bell.caption == "Bell on wharf in San Francisco"
    assert by_slug("post-format-video-youtube").body.startswith("[embed:https://www.youtube.com/watch?v=SQEQr7c0-dw]")
    assert by_slug("edge-case-no-content").body == "" and by_slug("edge-case-no-title").status == Status.IN_REVIEW
    assert by_slug("template-password-protected").status == by_slug("draft").status == Status.DRAFT
    scheduled = by_slug("scheduled")
    assert scheduled.status == Status.APPROVED and scheduled.publish_at.year == 2030
    with time_machine.travel(scheduled.publish_at - timedelta(days=1), tick=False):
        assert client.get("/?p=1153").status_code == 404  # not live before its time
    for slug in ("post-format-video-youtube", "edge-case-no-content", "post-format-aside"):
        assert client.get(by_slug(slug).get_absolute_url()).status_code == 200, slug
    assert linked.get_absolute_url() == "/2010/08/06/post-format-image-linked/"
    assert client.get(linked.get_absolute_url()).status_code == 200
    assert client.get("/?p=568")["Location"] == linked.get_absolute_url()
    assert ImportedItem.objects.filter(site="https://wpthemetestdata.wordpress.com").exists()
    again = run(real, "--media-dir", str(uploads))
    assert "Imported: nothing." in again and "Updated: nothing." in again


def test_the_theme_unit_test_excerpt_imports_with_fetch_media_from_its_hosts(
    db, media_root, tmp_path, client, media_server
):
    """The same verbatim items, their files downloaded: the export's WordPress.com and i0.wp.com
    hosts stand for the local server that serves them."""
    served = tmp_path / "served"
    for path in ("2013/09/dsc20040724_152504_532.jpg", "2012/12/unicorn-wallpaper.jpg", *GALLERY_FILES):
        (served / path).parent.mkdir(parents=True, exist_ok=True)
        PILImage.new("RGB", (640, 480), "olive").save(served / path)
    text = (Path(__file__).parent / "wordpress" / "theme-unit-test-excerpt.xml").read_text(encoding="utf-8")
    for host in (
        "https://i0.wp.com/wpthemetestdata.files.wordpress.com",
        "https://wpthemetestdata.files.wordpress.com",
    ):
        text = text.replace(host, media_server)
    export_path = tmp_path / "real-fetch.xml"
    export_path.write_text(text, encoding="utf-8")
    first = run(export_path, "--fetch-media")
    assert set(Image.objects.values_list("title", flat=True)) == {
        "dsc20040724_152504_532",
        "Unicorn Wallpaper",
        *GALLERY_TITLES,
    }
    assert "Files not found: 3." in first  # the vertical one, image-alignment-1200x4002 and the bell: not served
    articles = list(Article.all_objects.all())
    assert articles and by_slug("post-format-image-linked").body.startswith("[image:")
    for article in articles:
        page = client.get(article.get_absolute_url()).text if article.is_live() else article.body_html
        for text in ("[gallery", "[caption", "~~"):  # in the body, only the body format's own [gallery:…]
            assert text not in article.body.replace("[gallery:", "") and text not in page, (article.slug, text)
    assert client.get("/?p=568")["Location"] == "/2010/08/06/post-format-image-linked/"
    assert client.get("/?p=99999").status_code == 404
    again = run(export_path, "--fetch-media")
    assert "Imported: nothing." in again and "Updated: nothing." in again


def test_a_generated_export_of_two_thousand_posts_imports_with_every_address(db, media_root, tmp_path, client):
    """A site's whole archive, as tests/wordpress/make_export.py writes it: 2,000 posts in nested
    categories, pages under pages and menu items (skipped and listed: editors tick the footer's
    pages). The suite's slowest test: 40 s to 2 minutes on SQLite, by the machine."""
    path = tmp_path / "archive.xml"
    path.write_text(export(posts=2000), encoding="utf-8")
    summary = run(path)
    notes = Article.all_objects.filter(slug__startswith="harbour-notes-")
    assert notes.count() == 2000 and notes.filter(status=Status.APPROVED).count() == 2000
    assert Page.objects.filter(path__startswith="/about/timetable-").count() == 20
    assert summary.count("nav_menu_item") >= 21  # the About item and one per timetable page
    assert {theme.slug for theme in Theme.objects.all()} == {"news", "sport"}  # local and harbour: News
    for n in (0, 1, 999, 1998, 1999):
        article = by_slug(f"harbour-notes-{n}")
        local = datetime(2009, 5, 16, 6, 30, tzinfo=UTC) + timedelta(hours=7 * n)
        permalink = f"{local.astimezone(ZoneInfo('America/Los_Angeles')):/%Y/%m/%d}/harbour-notes-{n}/"
        assert article.get_absolute_url() == permalink  # the day WordPress showed
        assert client.get(f"/?p={1000 + n}")["Location"] == article.get_absolute_url()
        assert client.get(permalink).status_code == 200
    assert client.get("/about/timetable-19/").status_code == 200
    assert client.get("/?page_id=200019")["Location"] == "/about/timetable-19/"
    assert client.get("/?p=3000").status_code == 404
    assert client.get("/?p=300000").status_code == 404  # a menu item has no address


def test_addresses_kept_encoded_by_an_earlier_import_are_decoded_by_migrate(db, client, make_article):
    import importlib

    from django.apps import apps as django_apps

    from wordpress.models import LegacyAddress

    article = make_article("Нічний пором")
    encoded = "/tag/" + quote("київ").lower() + "/"
    LegacyAddress.objects.create(path=encoded, article=article)
    LegacyAddress.objects.create(path=quote("/тест/"), article=article)
    LegacyAddress.objects.create(path="/тест/", article=article)  # both spellings kept: one stays
    importlib.import_module("wordpress.migrations.0003_decoded_legacy_paths").decode(django_apps, None)
    assert sorted(LegacyAddress.objects.values_list("path", flat=True)) == ["/tag/київ/", "/тест/"]
    assert client.get("/tag/київ/")["Location"] == article.get_absolute_url()
