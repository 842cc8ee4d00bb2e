"""`manage.py import_wordpress`: WXR files written for these tests (tests/wordpress/) cover each
mapping, the old addresses, re-runs, and hostile or broken files."""

import io
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from PIL import Image as PILImage

from articles.models import Article, ArticleEvent, Author, State, Status
from images.models import Image
from themes.models import Theme

EXPORTS = Path(__file__).parent / "wordpress"
EXPORT = EXPORTS / "export-1.2.xml"


@pytest.fixture
def uploads(tmp_path):
    """The old site's wp-content/uploads tree: the featured picture and a PNG, not the lost one."""
    root = tmp_path / "uploads"
    (root / "2024" / "03").mkdir(parents=True)
    PILImage.new("RGB", (800, 600), "navy").save(root / "2024" / "03" / "quay.jpg")
    PILImage.new("RGB", (640, 480), "teal").save(root / "2024" / "03" / "ferry.png")
    return root


def run(export=EXPORT, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_wordpress", str(export), *args, stdout=out, stderr=err)
    return out.getvalue()


def by_slug(slug):
    return Article.all_objects.get(slug=slug)


@pytest.fixture
def imported(db, media_root, uploads):
    return run(EXPORT, "--media-dir", str(uploads))


def test_a_published_post_arrives_live_at_its_wordpress_time_as_imported_then(imported):
    article = by_slug("quay-lights")
    assert article.status == Status.APPROVED
    assert article.publish_at == datetime(2024, 3, 5, 8, 30, tzinfo=UTC)
    assert Article.objects.live().filter(pk=article.pk).exists()
    arrival = ArticleEvent.objects.get(article=article, action="import")
    assert arrival.actor.username == "wordpress-import"
    assert (arrival.from_status, arrival.to_status) == (Status.DRAFT, Status.APPROVED)
    assert arrival.at == article.publish_at  # in the history at its own date, not today
    went_live = ArticleEvent.objects.get(article=article, action="went_live")
    assert went_live.at == went_live.moment == article.publish_at
    assert not ArticleEvent.objects.filter(action="approve").exists()


def test_titles_with_markup_and_entities_become_plain_headlines(imported):
    assert by_slug("quay-lights").headline == "Title With Markup & the quay’s lights"


def test_categories_tags_and_authors_are_mapped(imported):
    article = by_slug("quay-lights")
    assert article.theme.slug == "news"  # nested categories flatten to their top
    assert list(Theme.objects.values_list("slug", flat=True)) == ["news"]
    assert sorted(t.name for t in article.tags.all()) == ["Ferries", "Night life"]
    assert [a.name for a in article.byline] == ["Maja Lindqvist"]
    assert Author.objects.filter(slug="mlindqvist").count() == 1


def test_featured_images_and_pictures_in_the_body_enter_the_image_library(imported):
    article = by_slug("quay-lights")
    quay = article.lead_image
    assert quay.alt_text == "Lamps along the quay at dusk"
    assert quay.renditions
    assert f"[image:{quay.pk}]" in article.body
    timetable = by_slug("ferry-timetable")
    ferry = Image.objects.get(title="Ferry")
    assert f"[image:{ferry.pk}]" in timetable.body
    assert Image.objects.count() == 2  # each file once, however often it is shown
    assert "image 2024/03/ferry.png: no alt text in WordPress: its title was used" in imported
    assert "Files not found: 1." in imported
    assert "  - 2023/01/lost.jpg: not under" in imported


def test_post_html_becomes_sanitised_markdown_with_embeds_as_links(imported):
    classic = by_slug("quay-lights")
    assert "**Two hundred** lamps line the water." in classic.body
    assert "<https://video.example/watch?v=quaylights>" in classic.body
    assert "alert" not in classic.body and "javascript" not in classic.body and "onclick" not in classic.body
    block = by_slug("ferry-timetable")
    assert "wp:" not in block.body
    assert "## What changes" in block.body
    assert "- Fewer evening crossings" in block.body
    assert "https://video.example/watch?v=timetable" in block.body
    assert "https://maps.example/embed?harbour" in block.body
    assert "iframe" not in block.body and "steal" not in block.body
    assert "<em>winter</em>" in block.body_html


def test_statuses_map_onto_the_workflow(imported, now):
    assert by_slug("new-pier").state() == State.SCHEDULED
    assert by_slug("new-pier").publish_at == datetime(2030, 6, 1, 10, 0, tzinfo=UTC)
    draft = Article.all_objects.get(headline="Harbour fees: a draft")
    assert draft.status == Status.DRAFT
    assert by_slug("dredging").status == Status.IN_REVIEW
    assert by_slug("staff-rota").status == Status.DRAFT
    assert by_slug("regatta-results").status == Status.DRAFT
    assert not Article.all_objects.filter(headline="An old mistake").exists()
    assert "post 14 “Staff rota”: private in WordPress: imported as a draft, not public" in imported
    assert "post 15 “Members only: the regatta results”: password-protected" in imported
    assert "post 16 “An old mistake”: in the WordPress trash" in imported
    assert "1 pages" in imported
    assert "nav_menu_item 40" in imported


def test_a_post_without_a_title_gets_one_from_its_excerpt_and_waits_for_review(imported):
    article = by_slug("ferry-late")
    assert article.headline == "The morning ferry ran late again"
    assert article.status == Status.IN_REVIEW
    assert "no title: headline “The morning ferry ran late again”" in imported


def test_pending_posts_wait_on_the_desk_without_a_mail_each(
    db, media_root, uploads, editor, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        out = run(EXPORT, "--media-dir", str(uploads))
    assert "Awaiting review on the editorial desk: 2." in out
    assert mailoutbox == []


def test_old_addresses_answer_301_to_the_new_pages(imported, client):
    article = by_slug("quay-lights")
    assert client.get("/?p=10").headers["Location"] == article.get_absolute_url()
    assert client.get("/?p=10").status_code == 301
    timetable = by_slug("ferry-timetable")
    assert client.get("/?p=18")["Location"] == timetable.get_absolute_url()
    response = client.get("/category/news/waterfront/")
    assert (response.status_code, response["Location"]) == (301, "/themes/news/")
    assert client.get("/category/news/")["Location"] == "/themes/news/"
    assert client.get("/tag/ferries/")["Location"] == "/tags/ferries/"
    assert client.get("/tag/ferries", follow=True).redirect_chain[-1] == ("/tags/ferries/", 301)
    # Not public here: no redirect that would tell the world it exists.
    assert client.get("/?p=12").status_code == 404
    assert client.get("/2024/05/06/ferry-late/").status_code == 404
    assert client.get("/?p=999").status_code == 404


def test_a_second_run_updates_and_never_duplicates(imported, uploads, tmp_path):
    counts = (Article.all_objects.count(), Image.objects.count(), Theme.objects.count(), Author.objects.count())
    again = run(EXPORT, "--media-dir", str(uploads))
    assert (Article.all_objects.count(), Image.objects.count(), Theme.objects.count(), Author.objects.count()) == counts
    assert "Imported: nothing." in again
    assert "Unchanged:" in again and "8 articles" in again
    changed = tmp_path / "changed.xml"
    changed.write_text(EXPORT.read_text().replace("Block editor: the ferry timetable", "The winter ferry timetable"))
    report = run(changed, "--media-dir", str(uploads))
    assert "Updated: 1 articles." in report
    assert by_slug("ferry-timetable").headline == "The winter ferry timetable"
    assert Article.all_objects.count() == counts[0]


def test_a_dry_run_changes_nothing(db, media_root, uploads):
    report = run(EXPORT, "--media-dir", str(uploads), "--dry-run")
    assert "Dry run: nothing was changed" in report
    assert "Imported: 2 authors" not in report  # one author
    assert "8 articles" in report
    assert Article.all_objects.count() == 0
    assert Image.objects.count() == 0
    assert not any(path.is_file() for path in media_root.rglob("*"))


def test_the_https_namespace_form_of_wxr_1_1_is_read(db):
    report = run(EXPORTS / "export-1.1-https.xml")
    article = by_slug("snow-closes-road")
    assert article.is_live()
    assert article.body == "Ploughs are out.\n\nThe road should reopen by noon."
    assert [t.name for t in article.tags.all()] == ["Weather"]
    assert article.theme is None  # WordPress's "Uncategorized" is no theme
    assert not Theme.objects.exists()
    assert "Imported: 1 articles, 1 authors, 1 tags." in report


def test_malformed_xml_is_refused_with_its_line_and_nothing_is_half_imported(db, media_root, uploads, tmp_path):
    broken = tmp_path / "broken.xml"
    text = EXPORT.read_text()
    # Everything up to the last attachment is fine: the break comes after posts were read.
    cut = text.index("<title>Home</title>")
    broken.write_text(text[:cut] + "<title>Home</titel>\n</item></channel></rss>")
    line = text[:cut].count("\n") + 1
    with pytest.raises(CommandError, match=f"not well-formed XML at line {line}"):
        run(broken, "--media-dir", str(uploads))
    assert Article.all_objects.count() == 0
    assert Theme.objects.count() == 0
    assert not any(path.is_file() for path in media_root.rglob("*"))


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',
    ],
    ids=["entity expansion", "external entity"],
)
def test_entities_are_never_expanded(db, tmp_path, doctype):
    hostile = tmp_path / "hostile.xml"
    text = (EXPORTS / "export-1.1-https.xml").read_text()
    text = text.replace("<rss ", doctype + "\n<rss ", 1).replace("Ploughs are out.", "&b; &secret;")
    hostile.write_text(text)
    with pytest.raises(CommandError, match="declares a DTD or entities"):
        run(hostile)
    assert Article.all_objects.count() == 0


def test_a_file_that_is_not_a_wordpress_export_is_refused(db, tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item/></channel></rss>')
    with pytest.raises(CommandError, match="not a WordPress export"):
        run(feed)
    with pytest.raises(CommandError, match="There is no file"):
        run(tmp_path / "missing.xml")


def test_media_paths_cannot_escape_the_media_directory(db, media_root, tmp_path, uploads):
    secret = tmp_path / "secret.jpg"
    shutil.copy(uploads / "2024" / "03" / "quay.jpg", secret)
    sneaky = tmp_path / "sneaky.xml"
    sneaky.write_text(
        EXPORT.read_text().replace("/wp-content/uploads/2024/03/quay.jpg", "/wp-content/uploads/../secret.jpg")
    )
    report = run(sneaky, "--media-dir", str(uploads))
    assert by_slug("quay-lights").lead_image is None
    assert "  - ../secret.jpg: not under" in report
