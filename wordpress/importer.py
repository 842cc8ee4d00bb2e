"""Bringing a WordPress export (WXR) into the newsroom, idempotently and in small steps.

Everything WordPress-specific stays here; articles enter through the same doors as any
other: a normal save for the content (with a revision), and `Article.arrive()` for the state
the post had in WordPress, recorded as one "imported" event at the post's own date.

Each post is committed on its own (with its byline, tags and theme); each picture too, and
its files are written before its short transaction. So an import never holds the database's
write lock for longer than one post takes (measured: docs/wordpress.md), and a run that was
stopped resumes where it was: what is already here is recognised (ImportedItem) and skipped.
The file is read whole once before anything is written, so a broken export changes nothing."""

import csv
import re
import tempfile
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from articles.door import save_content
from articles.models import Article, Author, Status, TransitionNotAllowed
from articles.slugs import slug_for
from articles.text import plain_text, validate_plain_text
from images import processing
from images.models import Image
from similarity.related import refresh_related
from themes.models import Theme

from .content import BodyReader, body_markdown, headline_from_text, plain_headline
from .models import ImportedItem, LegacyAddress
from .wxr import MalformedExport, WPAuthor, WPCategory, WPItem, WPSite, WPTag, read_export

IMPORT_USERNAME = "wordpress-import"
# WordPress files every post without a category here; a theme of that name would mean nothing to readers.
UNCATEGORIZED = "uncategorized"
UPLOADS = "/wp-content/uploads/"
_SIZE_SUFFIX = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")
_SCALED_SUFFIX = re.compile(r"-(?:scaled|rotated)(?=\.[A-Za-z0-9]+$)")
_DATED_PATH = re.compile(r"(?:^|/)(\d{4}/\d{2}/[^/]+)$")
_WP_IMAGE_CLASS = re.compile(r"\bwp-image-(\d+)\b")
_PROXY_HOST = re.compile(r"^i\d\.wp\.com$")
_WPCOM_FILES = re.compile(r"\.files\.wordpress\.com$")

# --fetch-media: what one download may cost.
FETCH_TIMEOUT = 20  # seconds per file
FETCH_MAX_BYTES = processing.MAX_UPLOAD_BYTES
FETCH_MAX_REDIRECTS = 3

# WordPress post status → the state the article arrives in.
ARRIVES_AS = {
    "publish": Status.APPROVED,
    "future": Status.APPROVED,
    "pending": Status.IN_REVIEW,
    "draft": Status.DRAFT,
    "private": Status.DRAFT,
}
NOT_PUBLIC = {
    "private": "private in WordPress: imported as a draft, not public",
}
SKIPPED_STATUSES = {
    "trash": "in the WordPress trash",
    "auto-draft": "an empty automatic draft",
    "inherit": "a revision",
}
ORDER = {Status.DRAFT: 0, Status.IN_REVIEW: 1, Status.APPROVED: 2}
THEMES_FROM = ("categories", "tags", "none")


class ImportRefused(Exception):
    """The import cannot start safely; the message says why and what to do."""


@dataclass
class Report:
    imported: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    skipped: list = field(default_factory=list)  # (what, reason)
    flagged: list = field(default_factory=list)  # (what, why an editor should look)
    missing: dict = field(default_factory=dict)  # upload path → where it was looked for
    shortcodes: Counter = field(default_factory=Counter)  # name → how many removed
    addresses: list = field(default_factory=list)  # (old address, new address, what)
    in_review: int = 0  # arrived in review by this run: on the desk (no mail per post)

    def skip(self, what, reason):
        self.skipped.append((what, reason))

    def lines(self):
        def counts(counter):
            return ", ".join(f"{n} {kind}" for kind, n in sorted(counter.items())) or "nothing"

        lines = [
            f"Imported: {counts(self.imported)}.",
            f"Updated: {counts(self.updated)}.",
            f"Unchanged: {counts(self.unchanged)}.",
            f"Skipped: {len(self.skipped)}.",
        ]
        lines += [f"  - {what}: {reason}" for what, reason in self.skipped]
        if self.missing:
            lines.append(f"Files not found: {len(self.missing)}.")
            lines += [f"  - {path}: {where}" for path, where in sorted(self.missing.items())]
        if self.shortcodes:
            lines.append(f"Shortcodes removed (their text kept where they had some): {counts(self.shortcodes)}.")
        if self.in_review:
            lines.append(f"Awaiting review on the editorial desk: {self.in_review}.")
        if self.flagged:
            lines.append(f"For an editor to check: {len(self.flagged)}.")
            lines += [f"  - {what}: {why}" for what, why in self.flagged]
        return lines


def read_mapping(path, what):
    """A two-column CSV (old, new) as a dict; '#' lines and a header row starting with 'wordpress' are skipped."""
    mapping = {}
    with open(path, newline="", encoding="utf-8-sig") as stream:
        for number, row in enumerate(csv.reader(stream), 1):
            if not row or row[0].startswith("#") or row[0].strip().lower().startswith("wordpress"):
                continue
            if len(row) < 2 or not row[0].strip() or not row[1].strip():
                raise ImportRefused(f"{path}, line {number}: a {what} mapping needs two columns, old and new.")
            mapping[row[0].strip().strip("/")] = row[1].strip()
    return mapping


class WordPressImport:
    def __init__(
        self,
        path,
        *,
        media_dir=None,
        fetch_media=False,
        dry_run=False,
        progress=None,
        themes_from="categories",
        theme_map=None,
        author_map=None,
    ):
        self.path = Path(path)
        self.media_dir = Path(media_dir).resolve() if media_dir else None
        self.fetch_media = fetch_media
        self.dry_run = dry_run
        self.progress = progress or (lambda done, total: None)
        self.themes_from = themes_from
        self.theme_map = theme_map or {}
        self.author_map = author_map or {}
        self.report = Report()
        self.site = WPSite()
        self.categories = {}  # nicename → WPCategory, for parents and /category/a/b/ addresses
        self.attachments = {}  # post id → WPItem of the attachment (found in a first pass)
        self.attached = {}  # post id → its attachments' ids in menu order ([gallery] without ids)
        self.fetch_hosts = set()  # hosts --fetch-media may download from: the export's own
        self.approved = []  # articles published by this run, whose related stories are worked out at the end
        self.authors = {}  # login → Author, for this run
        self.posts = {}  # post id → Article or Page, for attachment pages

    # Running ------------------------------------------------------------------------------

    def run(self):
        total = self._first_pass()
        self.actor = import_account()
        if self.dry_run:
            # A dry run keeps everything in one transaction rolled back at the end (so later posts
            # see earlier authors and themes); it stores no file. Run it on a copy if it is big.
            with transaction.atomic():
                self._import_all(total)
                transaction.set_rollback(True)
        else:
            self._import_all(total)
            for article in Article.objects.filter(pk__in=self.approved, theme__isnull=True):
                with transaction.atomic():
                    refresh_related(article)
        return self.report

    def _import_all(self, total):
        done = 0
        with self.path.open("rb") as stream:
            for entry in read_export(stream, self.site):
                self._import(entry)
                if isinstance(entry, WPItem):
                    done += 1
                    self.progress(done, total)
        self._attachment_addresses()
        self._category_addresses()

    def _first_pass(self):
        """Attachments (a post's featured image may come after the post), which posts they are
        attached to, the export's hosts and the number of items. Reads the whole file, so a
        malformed one is refused before anything is written."""
        total = 0
        site = WPSite()
        with self.path.open("rb") as stream:
            for entry in read_export(stream, site):
                if isinstance(entry, WPItem):
                    total += 1
                    if entry.post_type == "attachment":
                        self.attachments[entry.post_id] = entry
                        if entry.post_parent and entry.post_parent != "0":
                            self.attached.setdefault(entry.post_parent, []).append(entry)
                        if host := urlsplit(entry.attachment_url).hostname:
                            self.fetch_hosts.add(host)
        for url in (site.base_site_url, site.base_blog_url):
            if host := urlsplit(url).hostname:
                self.fetch_hosts.add(host)
        self.fetch_hosts.discard("wordpress.com")  # shared by every WordPress.com blog: not one site's own
        for children in self.attached.values():
            children.sort(key=lambda item: (item.menu_order, int(item.post_id) if item.post_id.isdigit() else 0))
        return total

    def _import(self, entry):
        if isinstance(entry, WPAuthor):
            author = self.author(entry.login, entry.display_name)
            if author is not None and entry.author_id.isdigit():
                self._legacy(f"/?author={entry.author_id}", author=author)
        elif isinstance(entry, WPCategory):
            self.category(entry)
        elif isinstance(entry, WPTag):
            pass  # made when a post uses it: a tag no post has is no page
        elif entry.post_type == "attachment":
            self.image_for_attachment(entry.post_id)  # a file not found is listed once, under "Files not found"
        elif entry.post_type == "post":
            self.post(entry)
        elif entry.post_type == "page":
            self.page(entry)
        else:
            self.report.skip(f"{entry.post_type} {entry.post_id} “{plain_headline(entry.title)}”", "not a post")

    # Bookkeeping --------------------------------------------------------------------------

    def _known(self, kind, wordpress_id, model):
        row = ImportedItem.objects.filter(site=self.site.address, kind=kind, wordpress_id=wordpress_id).first()
        if row is None:
            return None
        manager = getattr(model, "all_objects", model._default_manager)
        return manager.filter(pk=row.object_id).first()

    def _remember(self, kind, wordpress_id, obj):
        ImportedItem.objects.update_or_create(
            site=self.site.address, kind=kind, wordpress_id=wordpress_id, defaults={"object_id": obj.pk}
        )

    def _legacy(self, url_or_path, **target):
        parts = urlsplit(url_or_path)
        # Decoded, as Django gives request.path: WordPress writes slugs in other scripts
        # percent-encoded ("/tag/%d0%ba%d0%b8%d1%97%d0%b2/" is /tag/київ/).
        path = unquote(parts.path) or "/"
        if parts.query:
            path += f"?{parts.query}"
        if path == "/" or len(path) > 500:
            return
        address, _ = LegacyAddress.objects.update_or_create(path=path, defaults={**LegacyAddress.NO_TARGET, **target})
        self.report.addresses.append(address)

    # Authors ------------------------------------------------------------------------------

    def author(self, login, display_name=""):
        """The author for a WordPress login: the one this import made before, the one
        --map-authors names, else a new one. An author already in the newsroom is never taken
        over (nor renamed) because a login matches their address: that is what --map-authors is for."""
        if not login:
            return None
        if login in self.authors:
            return self.authors[login]
        author = self._known(ImportedItem.Kind.AUTHOR, login, Author)
        if author is None and login in self.author_map:
            author = Author.objects.filter(slug=self.author_map[login]).first()
            if author is None:
                raise ImportRefused(f"--map-authors: there is no author “{self.author_map[login]}” for “{login}”.")
            with transaction.atomic():
                self._remember(ImportedItem.Kind.AUTHOR, login, author)
        if author is None:
            name = self._plain_name(display_name) or self._plain_name(login) or "WordPress author"
            base = slug_for(unquote(login), max_length=110, fallback="") or slug_for(
                name, max_length=110, fallback="author"
            )
            slug, n = base, 1
            while Author.objects.filter(slug=slug).exists():
                n += 1
                slug = f"{base}-{n}"
            if slug != base:
                self.report.flagged.append(
                    (f"author {login}", f"an author at /authors/{base}/ is already here: imported apart as “{slug}” "
                     "(name them in --map-authors to join them)")
                )  # fmt: skip
            with transaction.atomic():
                author = Author.objects.create(name=name[:120], slug=slug)
                self._remember(ImportedItem.Kind.AUTHOR, login, author)
            self.report.imported["authors"] += 1
        self.authors[login] = author
        self._legacy(f"/author/{login}/", author=author)
        return author

    def _plain_name(self, text):
        name = plain_headline(text)[:120]
        try:
            validate_plain_text(name)
        except ValidationError:
            return ""
        return name

    # Themes and tags ------------------------------------------------------------------------

    def category(self, category):
        if category.nicename in self.categories:
            known = self.categories[category.nicename]
            category.parent = category.parent or known.parent
            category.description = category.description or known.description
            category.name = category.name or known.name
        self.categories[category.nicename] = category

    def _category_path(self, nicename):
        path, seen = [], set()
        while nicename and nicename not in seen:
            seen.add(nicename)
            path.insert(0, nicename)
            nicename = self.categories[nicename].parent if nicename in self.categories else ""
        return path

    def _theme_for_category(self, nicename, *, create=True):
        """The theme a category maps to: --map by its path ("news/local") or slug, else its top
        category's (nested categories flatten to their top); "-" or Uncategorized: none."""
        path = self._category_path(nicename)
        for key in ("/".join(path), nicename, *("/".join(path[:n]) for n in range(len(path) - 1, 0, -1))):
            if key in self.theme_map:
                target = self.theme_map[key]
                if target == "-":
                    return None
                top = self.categories.get(key.rsplit("/", 1)[-1])
                if not create:
                    return self._known(ImportedItem.Kind.CATEGORY, target, Theme)
                return self.theme(target, top.name if top else target, top.description if top else "")
        top = path[0]
        if top == UNCATEGORIZED:
            return None
        if not create:
            return self._known(ImportedItem.Kind.CATEGORY, top, Theme)
        category = self.categories.get(top) or WPCategory(nicename=top, name=top)
        return self.theme(top, category.name, category.description)

    def theme(self, slug, name, description=""):
        """The theme with this slug: made by this import or reused (themes are not accounts)."""
        theme = self._known(ImportedItem.Kind.CATEGORY, slug, Theme)
        if theme is None:
            slug_field = slug_for(unquote(slug), max_length=120, fallback="") or slug_for(
                plain_headline(name), max_length=120, fallback="theme"
            )
            theme = Theme.objects.filter(slug=slug_field).first()
            if theme is None:
                theme = Theme.objects.create(
                    name=plain_headline(name)[:120] or slug_field, slug=slug_field, description=plain_text(description)
                )
                self.report.imported["themes"] += 1
            self._remember(ImportedItem.Kind.CATEGORY, slug, theme)
        return theme

    def _category_addresses(self):
        """/category/a/b/ of every category that leads to a theme, and its feed (in the middleware)."""
        if self.themes_from != "categories":
            return
        for nicename in self.categories:
            with transaction.atomic():
                theme = self._theme_for_category(nicename, create=False)  # only themes some post got
                if theme is not None:
                    self._legacy(f"/category/{'/'.join(self._category_path(nicename))}/", theme=theme)
                    term_id = self.categories[nicename].term_id
                    if term_id.isdigit():
                        self._legacy(f"/?cat={term_id}", theme=theme)

    def tag(self, wp_tag):
        name = plain_headline(wp_tag.name)[:100] or wp_tag.slug
        if not name:
            return None
        tag = self._known(ImportedItem.Kind.TAG, wp_tag.slug or name, Tag)
        if tag is None:
            tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.filter(slug=wp_tag.slug).first()
            if tag is None:
                tag = Tag.objects.create(
                    name=name, slug=slug_for(unquote(wp_tag.slug or name), max_length=100, fallback="tag")
                )
                self.report.imported["tags"] += 1
            self._remember(ImportedItem.Kind.TAG, wp_tag.slug or name, tag)
        if wp_tag.slug:
            self._legacy(f"/tag/{wp_tag.slug}/", tag=tag)
        return tag

    # Pictures ------------------------------------------------------------------------------

    def upload_path(self, url):
        """The path under the uploads folder (`2008/06/canola2.jpg`) that a picture's address
        names, wherever it is served from: /wp-content/uploads/, <blog>.files.wordpress.com,
        the i0.wp.com proxy, or any host with a year/month path. None when it names none."""
        parts = urlsplit(unquote(url or "").strip())
        host, path = (parts.hostname or "").lower(), parts.path
        if _PROXY_HOST.match(host):  # i0.wp.com/<host>/<path>
            inner = path.lstrip("/")
            parts = urlsplit("https://" + inner)
            host, path = (parts.hostname or "").lower(), parts.path
        if UPLOADS in path:
            return path.split(UPLOADS, 1)[1]
        if _WPCOM_FILES.search(host):
            return path.lstrip("/")
        if match := _DATED_PATH.search(path):
            return match.group(1)
        return None

    def _candidates(self, relative):
        """The original before WordPress's size suffix (-300x200) or -scaled, then the name as given."""
        original = _SCALED_SUFFIX.sub("", _SIZE_SUFFIX.sub("", relative))
        return list(dict.fromkeys([original, _SIZE_SUFFIX.sub("", relative), relative]))

    def _find_file(self, relative):
        if not self.media_dir:
            return None
        for candidate in self._candidates(relative):
            path = (self.media_dir / candidate).resolve()
            if path.is_relative_to(self.media_dir) and path.is_file():
                return path
        return None

    def image_for_attachment(self, post_id):
        attachment = self.attachments.get(post_id)
        if attachment is None:
            return None
        alt = attachment.meta.get("_wp_attachment_image_alt", "")
        url = attachment.attachment_url
        relative = attachment.meta.get("_wp_attached_file") or self.upload_path(url)
        return self.image(url, relative=relative, alt=alt, title=attachment.title, caption=attachment.excerpt)

    def image(self, url, *, relative=None, alt="", title="", caption=""):
        relative = relative or self.upload_path(url)
        if not relative:
            return None
        key = self._candidates(relative)[0]
        image = self._known(ImportedItem.Kind.IMAGE, key, Image) or self._known(
            ImportedItem.Kind.IMAGE, relative, Image
        )
        if image is not None:
            return image
        if key in self.report.missing:
            return None
        title = plain_headline(title) or Path(key).stem
        alt = plain_headline(alt)[:300]
        if self.dry_run:
            if self._find_file(relative):
                self.report.imported["images"] += 1
            return None
        with tempfile.TemporaryDirectory(prefix="wordpress-media-") as scratch:
            path = self._find_file(relative) or (self._fetch(url, key, Path(scratch)) if self.fetch_media else None)
            if path is None:
                self.report.missing[key] = self._where_looked(url)
                return None
            if not alt:
                alt = title[:300]
                self.report.flagged.append((f"image {key}", "no alt text in WordPress: its title was used"))
            with path.open("rb") as upload:
                image = Image(
                    title=title[:200], alt_text=alt, caption=plain_text(caption)[:500], uploaded_by=self.actor
                )
                image.file = File(upload, name=Path(key).name)
                try:
                    with transaction.atomic():
                        image.save()
                        self._remember(ImportedItem.Kind.IMAGE, key, image)
                except ValidationError as error:
                    self.report.skip(f"image {key}", " ".join(error.messages))
                    return None
        self.report.imported["images"] += 1
        return image

    def _where_looked(self, url):
        places = []
        if self.media_dir:
            places.append(f"not under {self.media_dir}")
        if self.fetch_media:
            host = urlsplit(url).hostname or "no host"
            places.append(f"not fetched from {host}" if host in self.fetch_hosts else f"{host} is not the export's")
        return "; ".join(places) or "no --media-dir or --fetch-media given"

    def _fetch(self, url, key, scratch):
        """Download a picture from the export's own hosts only: http(s), no redirect elsewhere,
        FETCH_TIMEOUT seconds and FETCH_MAX_BYTES at most. The image library checks the content."""
        for candidate in dict.fromkeys([url.split("?", 1)[0], url]):
            path = _download(candidate, self.fetch_hosts, scratch / Path(key).name)
            if path is not None:
                return path
        return None

    def caption_image(self, image_id, text):
        """A caption written in a post for a picture that has none in the library."""
        text = plain_text(plain_headline(text))[:500]
        if text and not self.dry_run:
            Image.objects.filter(pk=image_id, caption="").update(caption=text)

    # Posts ---------------------------------------------------------------------------------

    def _reader(self, item):
        importer = self

        class Reader(BodyReader):
            def image(self, src, alt, classes):
                match = _WP_IMAGE_CLASS.search(classes or "")
                attachment = importer.attachments.get(match.group(1)) if match else None
                if attachment is not None:
                    image = importer.image_for_attachment(attachment.post_id)
                else:
                    image = importer.image(src, alt=alt) if src else None
                return image.pk if image else src

            def gallery(self, ids, pictures):
                found = []
                if ids is None and not pictures:
                    ids = [child.post_id for child in importer.attached.get(item.post_id, [])]
                for post_id in ids or []:
                    image = importer.image_for_attachment(post_id)
                    if image is None and post_id not in importer.attachments:
                        importer.report.flagged.append(
                            (f"post {item.post_id}", f"gallery attachment {post_id} unknown")
                        )
                    found.append(image.pk if image else None)
                found += [self.image(*picture) for picture in pictures]
                found = [pk for pk in found if isinstance(pk, int)]
                if not found:
                    importer.report.flagged.append(
                        (f"post {item.post_id}", "a gallery with no picture found: left out")
                    )
                return found

            def caption(self, image_id, text):
                importer.caption_image(image_id, text)

        return Reader()

    def _body(self, item, label):
        reader = self._reader(item)
        body = body_markdown(item.content, reader)
        for name in reader.shortcodes:
            self.report.shortcodes[f"[{name}]"] += 1
        if reader.shortcodes:
            self.report.flagged.append(
                (label, f"shortcodes removed: {', '.join(sorted(set(f'[{n}]' for n in reader.shortcodes)))}")
            )
        return body

    def _arrival(self, item, label):
        """The state the post arrives in and when it was published, or a reason to keep it a draft."""
        status = ARRIVES_AS[item.status]
        if item.status in NOT_PUBLIC:
            self.report.flagged.append((label, NOT_PUBLIC[item.status]))
        if item.password:
            status = Status.DRAFT
            self.report.flagged.append((label, "password-protected in WordPress: imported as a draft, not public"))
        if item.date_problem and status != Status.DRAFT:
            self.report.flagged.append((label, f"{item.date_problem}: kept as a draft, not published"))
            status = Status.DRAFT
        elif item.post_date is None and status == Status.APPROVED:
            self.report.flagged.append((label, "no publication date: kept as a draft, not published"))
            status = Status.DRAFT
        return status

    def _dateline_offset(self, item):
        """The site's offset, kept only when the newsroom's zone would show another day."""
        if item.post_date is None or item.dateline_offset is None:
            return None
        site_day = (item.post_date + timedelta(minutes=item.dateline_offset)).date()
        return item.dateline_offset if site_day != timezone.localtime(item.post_date).date() else None

    def post(self, item):
        label = f"post {item.post_id} “{plain_headline(item.title) or '(no title)'}”"
        if item.status in SKIPPED_STATUSES:
            self.report.skip(label, SKIPPED_STATUSES[item.status])
            return
        if item.status not in ARRIVES_AS:
            self.report.skip(label, f"unknown WordPress status “{item.status}”")
            return
        status = self._arrival(item, label)
        body = self._body(item, label)
        headline = plain_headline(item.title)
        if not headline:
            headline = headline_from_text(item.excerpt, body)
            self.report.flagged.append((label, f"no title: headline “{headline}” written from its text, in review"))
            status = min(status, Status.IN_REVIEW, key=ORDER.get)
        lead_image = self.image_for_attachment(item.meta.get("_thumbnail_id", ""))
        try:
            with transaction.atomic():
                article = self._save_post(item, status, headline, body, lead_image)
        except (ValidationError, TransitionNotAllowed) as error:
            self.report.skip(label, " ".join(getattr(error, "messages", [str(error)])))
            return
        self.posts[item.post_id] = article

    def _save_post(self, item, status, headline, body, lead_image):
        fields = {
            "headline": headline,
            "standfirst": plain_text(plain_headline(item.excerpt) if item.excerpt else ""),
            "body": body,
            "theme": self._post_theme(item),
            "lead_image": lead_image,
        }
        authors = [a for a in [self.author(item.creator)] if a]
        tags = [t for t in (self.tag(tag) for tag in item.tags) if t]
        article = self._known(ImportedItem.Kind.POST, item.post_id, Article)
        created = article is None
        if created:
            article = Article(slug=self._free_slug(item.post_name), dateline_offset=self._dateline_offset(item))
        changed = created or any(getattr(article, name) != value for name, value in fields.items())
        if not created:
            changed |= set(article.tags.all()) != set(tags)
            changed |= [b.author_id for b in article.bylines.all()] != [a.pk for a in authors]
        if changed:
            for name, value in fields.items():
                setattr(article, name, value)
            save_content(
                article,
                {**fields, "tags": [tag.name for tag in tags], "authors": authors},
                user=self.actor,
                expected_version=None if created else article.version,
                comment="Imported from WordPress" if created else "Updated from WordPress",
                imported=True,
            )
            self._remember(ImportedItem.Kind.POST, item.post_id, article)
        counter = self.report.imported if created else self.report.updated if changed else self.report.unchanged
        counter["articles"] += 1
        self._arrive(article, status, item)
        self._legacy(f"/?p={item.post_id}", article=article)
        if item.link:
            self._legacy(item.link, article=article)
        if item.post_date and item.post_name:
            day = timezone.localtime(item.post_date, article.dateline_zone())
            self._legacy(f"/{day:%Y/%m/%d}/{item.post_name}/", article=article)
        return article

    def _arrive(self, article, status, item):
        """Bring the article as far as WordPress had it. One already moved on here (approved,
        withdrawn, returned by an editor) keeps the state the newsroom gave it."""
        moves_on = article.status in ORDER and ORDER[status] > ORDER[article.status]
        first_time = not article.events.filter(action="import").exists()
        if article.deleted_at or not (moves_on or (first_time and status == article.status == Status.DRAFT)):
            return
        publish_at = item.post_date.replace(microsecond=0) if item.post_date else None
        article.arrive(
            status,
            user=self.actor,
            at=publish_at if publish_at and publish_at <= timezone.now() else timezone.now(),
            publish_at=publish_at,
            note=f"WordPress post {item.post_id} ({item.status})",
        )
        if status == Status.IN_REVIEW:
            self.report.in_review += 1
        if status == Status.APPROVED:
            self.approved.append(article.pk)

    def _post_theme(self, item):
        if self.themes_from == "none":
            return None
        if self.themes_from == "tags":
            return self.theme(item.tags[0].slug, item.tags[0].name) if item.tags and item.tags[0].slug else None
        for category in item.categories:
            if category.nicename not in self.categories:
                self.category(category)
        # The most specific category decides (a child before its parent), then it maps.
        named = [c.nicename for c in item.categories if c.nicename != UNCATEGORIZED]
        for nicename in sorted(named, key=lambda n: -len(self._category_path(n))):
            theme = self._theme_for_category(nicename)
            if theme is not None:
                return theme
        return None

    def _free_slug(self, post_name):
        base = slug_for(unquote(post_name), max_length=180, fallback="")
        if not base:
            return ""  # the article makes one from its headline
        slug, n = base, 1
        while Article.all_objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug

    # Pages and attachment pages ---------------------------------------------------------------

    def page(self, item):
        from pages.models import Page  # the static pages app: About, Contact, policies

        label = f"page {item.post_id} “{plain_headline(item.title) or '(no title)'}”"
        if item.status in SKIPPED_STATUSES or item.status not in ARRIVES_AS:
            self.report.skip(label, SKIPPED_STATUSES.get(item.status, f"unknown WordPress status “{item.status}”"))
            return
        path = urlsplit(item.link).path if item.link else ""
        if not path or path == "/" or "?" in item.link:
            path = f"/{slugify(unquote(item.post_name)) or item.post_id}/"
        if not path.endswith("/"):
            path += "/"
        published = item.status == "publish" and not item.password
        fields = {
            "title": plain_headline(item.title) or "Untitled page",
            "body": self._body(item, label),
            "is_published": published,
        }
        with transaction.atomic():
            page = self._known(ImportedItem.Kind.PAGE, item.post_id, Page)
            created = page is None
            if created:
                page = Page.objects.filter(path=path).first()
                if page is not None:
                    self.report.skip(label, f"a page at {path} is already here: left as it is")
                    self._legacy(f"/?page_id={item.post_id}", page=page)
                    return
                page = Page(path=path, **fields)
            changed = created or any(getattr(page, name) != value for name, value in fields.items())
            if changed:
                for name, value in fields.items():
                    setattr(page, name, value)
                page.full_clean()
                page.save()
                self._remember(ImportedItem.Kind.PAGE, item.post_id, page)
            counter = self.report.imported if created else self.report.updated if changed else self.report.unchanged
            counter["pages"] += 1
            if not published:
                self.report.flagged.append((label, "not public in WordPress: imported unpublished"))
            self._legacy(f"/?page_id={item.post_id}", page=page)
            self.posts[item.post_id] = page

    def _attachment_addresses(self):
        """An attachment's page (/?attachment_id=N and its permalink) leads to the post or page it belongs to."""
        for post_id, attachment in self.attachments.items():
            parent = self.posts.get(attachment.post_parent) or self._known(
                ImportedItem.Kind.POST, attachment.post_parent, Article
            )
            if parent is None:
                continue
            target = {"page": parent} if not isinstance(parent, Article) else {"article": parent}
            with transaction.atomic():
                self._legacy(f"/?attachment_id={post_id}", **target)
                if attachment.link and "?" not in attachment.link:
                    self._legacy(attachment.link, **target)


class _SameHosts(urllib.request.HTTPRedirectHandler):
    def __init__(self, hosts):
        self.hosts = hosts
        self.followed = 0

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        self.followed += 1
        target = urlsplit(urljoin(req.full_url, newurl))
        if self.followed > FETCH_MAX_REDIRECTS or target.scheme not in ("http", "https"):
            return None
        if (target.hostname or "").lower() not in self.hosts:
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _download(url, hosts, destination):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() not in hosts:
        return None
    opener = urllib.request.build_opener(_SameHosts(hosts))
    request = urllib.request.Request(url, headers={"User-Agent": "Newsroom WordPress import"})
    try:
        with opener.open(request, timeout=FETCH_TIMEOUT) as response, destination.open("wb") as out:
            if response.status != 200:
                return None
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > FETCH_MAX_BYTES:
                return None
            copied = 0
            while chunk := response.read(64 * 1024):
                copied += len(chunk)
                if copied > FETCH_MAX_BYTES:
                    return None
                out.write(chunk)
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return destination


def import_account():
    """The account imports act as, in histories and revisions. It cannot sign in (no usable
    password, inactive) and holds no permission: an import needs none, it arrives through
    `Article.arrive()`. An account of that name made by someone else is never taken over."""
    user = get_user_model().objects.filter(username=IMPORT_USERNAME).first()
    if user is None:
        user = get_user_model()(username=IMPORT_USERNAME, is_active=False, is_staff=False)
        user.set_unusable_password()
        user.save()
        return user
    if user.has_usable_password() or user.is_staff or user.is_superuser or user.last_login:
        raise ImportRefused(
            f"An account named “{IMPORT_USERNAME}” already exists and is someone's: the import will not act "
            "as it. Rename that account, then run the import again."
        )
    # Imports before this one gave the account the right to approve: take it back.
    permission = Permission.objects.filter(content_type__app_label="articles", codename="publish_article").first()
    if permission and user.user_permissions.filter(pk=permission.pk).exists():
        user.user_permissions.remove(permission)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    return user


__all__ = ["ImportRefused", "MalformedExport", "Report", "WordPressImport", "read_mapping"]
