"""Bringing a WordPress export (WXR) into the newsroom, idempotently.

Everything WordPress-specific stays here; articles enter through the same doors as
any other: a normal save for the content (with a revision), and the workflow's
transitions for their state — a published post is created as a draft and then
approved at its original time by the "wordpress-import" account (`backdate=True`,
the one thing an import may do that an editor may not: publish in the past).

The whole import is one transaction: a malformed element at line 90,000 leaves
nothing behind, and image files stored before the failure are deleted again."""

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import reversion
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Byline, Effect, Status, step_between
from articles.related import refresh_related
from articles.slugs import slug_for
from articles.text import plain_text
from articles.workflow import take_step
from images import processing
from images.models import Image
from themes.models import Theme

from .content import body_markdown, headline_from_text, plain_headline
from .models import ImportedItem, LegacyAddress
from .wxr import MalformedExport, WPAuthor, WPCategory, WPItem, WPSite, WPTag, read_export

IMPORT_USERNAME = "wordpress-import"
# WordPress files every post without a category here; a theme of that name would mean nothing to readers.
UNCATEGORIZED = "uncategorized"
UPLOADS = "/wp-content/uploads/"
_SIZE_SUFFIX = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")
_WP_IMAGE_CLASS = re.compile(r"\bwp-image-(\d+)\b")

# WordPress post status → the Newsroom status a new draft is brought to, through the workflow.
STATUS_TARGETS = {
    "publish": Status.APPROVED,
    "future": Status.APPROVED,
    "pending": Status.IN_REVIEW,
    "draft": Status.DRAFT,
    "private": Status.DRAFT,
}
# Left to the import: related lists in one pass at its end, and no mail per post (its summary
# says what awaits review).
IMPORT_SKIPS = frozenset({Effect.MAIL, Effect.RELATED})
NOT_PUBLIC = {
    "private": "private in WordPress: imported as a draft, not public",
}
SKIPPED_STATUSES = {
    "trash": "in the WordPress trash",
    "auto-draft": "an empty automatic draft",
    "inherit": "a revision",
}


@dataclass
class Report:
    imported: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    skipped: list = field(default_factory=list)  # (what, reason)
    flagged: list = field(default_factory=list)  # (what, why an editor should look)
    in_review: int = 0  # submitted by this run: on the desk, awaiting review (no mail per post)

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
        if self.in_review:
            lines.append(f"Awaiting review on the editorial desk: {self.in_review}.")
        if self.flagged:
            lines.append(f"For an editor to check: {len(self.flagged)}.")
            lines += [f"  - {what}: {why}" for what, why in self.flagged]
        return lines


class WordPressImport:
    def __init__(self, path, *, media_dir=None, dry_run=False, progress=None):
        self.path = Path(path)
        self.media_dir = Path(media_dir).resolve() if media_dir else None
        self.dry_run = dry_run
        self.progress = progress or (lambda done, total: None)
        self.report = Report()
        self.site = WPSite()
        self.categories = {}  # nicename → WPCategory, for the parents of /category/a/b/ addresses
        self.attachments = {}  # post id → WPItem of the attachment (found in a first pass)
        self.stored_files = []  # image files written, removed again if the import fails
        self.approved = []  # articles approved by this run, whose related stories are worked out at the end

    # Running ------------------------------------------------------------------------------

    def run(self):
        total = self._first_pass()
        try:
            with transaction.atomic():
                self.actor = import_account()
                done = 0
                with self.path.open("rb") as stream:
                    for entry in read_export(stream, self.site):
                        self._import(entry)
                        if isinstance(entry, WPItem):
                            done += 1
                            self.progress(done, total)
                if not self.dry_run:
                    for article in Article.objects.filter(pk__in=self.approved, theme__isnull=True):
                        refresh_related(article)
                if self.dry_run:
                    transaction.set_rollback(True)
        except BaseException:
            self._delete_stored_files()
            raise
        if self.dry_run:
            self._delete_stored_files()
        return self.report

    def _first_pass(self):
        """Attachments (a post's featured image may come after the post) and the number of items."""
        total = 0
        with self.path.open("rb") as stream:
            for entry in read_export(stream, WPSite()):
                if isinstance(entry, WPItem):
                    total += 1
                    if entry.post_type == "attachment":
                        self.attachments[entry.post_id] = entry
        return total

    def _delete_stored_files(self):
        if self.stored_files:
            processing.delete_files(Image._meta.get_field("file").storage, self.stored_files)
            self.stored_files = []

    def _import(self, entry):
        if isinstance(entry, WPAuthor):
            self.author(entry.login, entry.display_name)
        elif isinstance(entry, WPCategory):
            self.theme(entry)
        elif isinstance(entry, WPTag):
            self.tag(entry)
        elif entry.post_type == "attachment":
            if self.image_for_attachment(entry.post_id) is None and not self.media_dir:
                self.report.skip(f"attachment {entry.post_id} ({entry.attachment_url})", "no --media-dir given")
        elif entry.post_type == "post":
            self.post(entry)
        else:
            self.report.skip(f"{entry.post_type} {entry.post_id} “{plain_headline(entry.title)}”", "not a post")

    # Bookkeeping --------------------------------------------------------------------------

    def _known(self, kind, wordpress_id, model):
        row = ImportedItem.objects.filter(site=self.site.base_site_url, kind=kind, wordpress_id=wordpress_id).first()
        if row is None:
            return None
        manager = getattr(model, "all_objects", model._default_manager)
        return manager.filter(pk=row.object_id).first()

    def _remember(self, kind, wordpress_id, obj):
        ImportedItem.objects.update_or_create(
            site=self.site.base_site_url, kind=kind, wordpress_id=wordpress_id, defaults={"object_id": obj.pk}
        )

    def _count(self, counter, kind):
        counter[kind] += 1

    def _legacy(self, url_or_path, **target):
        parts = urlsplit(url_or_path)
        path = parts.path or "/"
        if parts.query:
            path += f"?{parts.query}"
        if path == "/":
            return
        LegacyAddress.objects.update_or_create(
            path=path[:500], defaults={"article": None, "theme": None, "tag": None, **target}
        )

    # Authors, themes, tags ---------------------------------------------------------------------

    def author(self, login, display_name=""):
        if not login:
            return None
        author = self._known(ImportedItem.Kind.AUTHOR, login, Author)
        if author is not None:
            if display_name and author.name != display_name:
                author.name = display_name
                author.save()
                self._count(self.report.updated, "authors")
            return author
        slug = slug_for(login, max_length=120, fallback="author")
        author = Author.objects.filter(slug=slug).first()
        if author is None:
            author = Author.objects.create(name=display_name or login, slug=slug)
            self._count(self.report.imported, "authors")
        self._remember(ImportedItem.Kind.AUTHOR, login, author)
        return author

    def theme(self, category):
        if category.nicename == UNCATEGORIZED:
            return None
        if category.nicename in self.categories:
            known = self.categories[category.nicename]
            category.parent = category.parent or known.parent
            category.description = category.description or known.description
        self.categories[category.nicename] = category
        name = plain_headline(category.name)[:120] or category.nicename
        theme = self._known(ImportedItem.Kind.CATEGORY, category.nicename, Theme)
        if theme is None:
            slug = slug_for(unquote(category.nicename), max_length=120, fallback="") or slug_for(
                name, max_length=120, fallback="theme"
            )
            theme = Theme.objects.filter(slug=slug).first()
            if theme is None:
                theme = Theme.objects.create(name=name, slug=slug, description=plain_text(category.description))
                self._count(self.report.imported, "themes")
            self._remember(ImportedItem.Kind.CATEGORY, category.nicename, theme)
        elif theme.name != name:
            theme.name = name
            theme.save()
            self._count(self.report.updated, "themes")
        self._legacy(f"/category/{'/'.join(self._category_path(category.nicename))}/", theme=theme)
        return theme

    def _category_path(self, nicename):
        path, seen = [], set()
        while nicename and nicename not in seen:
            seen.add(nicename)
            path.insert(0, nicename)
            nicename = self.categories[nicename].parent if nicename in self.categories else ""
        return path

    def tag(self, wp_tag):
        name = plain_headline(wp_tag.name)[:100] or wp_tag.slug
        if not name:
            return None
        tag = self._known(ImportedItem.Kind.TAG, wp_tag.slug or name, Tag)
        if tag is None:
            slug = slug_for(unquote(wp_tag.slug or name), max_length=100, fallback="")
            tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.filter(slug=slug).first()
            if tag is None:
                tag = Tag.objects.create(name=name, slug=slug)
                self._count(self.report.imported, "tags")
            self._remember(ImportedItem.Kind.TAG, wp_tag.slug or name, tag)
        if wp_tag.slug:
            self._legacy(f"/tag/{wp_tag.slug}/", tag=tag)
        return tag

    # Images ------------------------------------------------------------------------------

    def _upload_path(self, url):
        """The file under --media-dir for an uploads URL, never outside it; the original before a size suffix."""
        if not self.media_dir or UPLOADS not in url:
            return None, None
        relative = unquote(urlsplit(url).path.split(UPLOADS, 1)[1])
        for candidate in (relative, _SIZE_SUFFIX.sub("", relative)):
            path = (self.media_dir / candidate).resolve()
            if path.is_relative_to(self.media_dir) and path.is_file():
                return path, path.relative_to(self.media_dir).as_posix()
        return None, relative

    def image_for_attachment(self, post_id):
        attachment = self.attachments.get(post_id)
        if attachment is None:
            return None
        alt = attachment.meta.get("_wp_attachment_image_alt", "")
        return self.image(attachment.attachment_url, alt=alt, title=attachment.title, caption=attachment.excerpt)

    def image(self, url, *, alt="", title="", caption=""):
        path, relative = self._upload_path(url)
        if path is None:
            if relative and self.media_dir:
                self.report.skip(f"image {relative}", f"not found under {self.media_dir}")
            return None
        image = self._known(ImportedItem.Kind.IMAGE, relative, Image)
        if image is not None:
            return image
        title = plain_headline(title) or path.stem
        alt = plain_headline(alt)[:300]
        if not alt:
            alt = title[:300]
            self.report.flagged.append((f"image {relative}", "no alt text in WordPress: its title was used"))
        if self.dry_run:
            self._count(self.report.imported, "images")
            return None
        with path.open("rb") as upload:
            image = Image(title=title[:200], alt_text=alt, caption=plain_text(caption)[:500], uploaded_by=self.actor)
            image.file = File(upload, name=path.name)
            try:
                image.save()
            except ValidationError as error:
                self.report.skip(f"image {relative}", " ".join(error.messages))
                return None
        self.stored_files += [image.file.name, *(r["name"] for r in image.renditions)]
        self._remember(ImportedItem.Kind.IMAGE, relative, image)
        self._count(self.report.imported, "images")
        return image

    def _resolve_body_image(self, src, alt, classes):
        """An image library id for a picture in a post, or the address to link to instead."""
        match = _WP_IMAGE_CLASS.search(classes)
        attachment = self.attachments.get(match.group(1)) if match else None
        if attachment is not None:
            image = self.image(
                attachment.attachment_url,
                alt=attachment.meta.get("_wp_attachment_image_alt", "") or alt,
                title=attachment.title,
                caption=attachment.excerpt,
            )
            src = src or attachment.attachment_url
        else:
            image = self.image(src, alt=alt) if src else None
        return image.pk if image else src

    # Posts --------------------------------------------------------------------------------

    def post(self, item):
        label = f"post {item.post_id} “{plain_headline(item.title) or '(no title)'}”"
        if item.status in SKIPPED_STATUSES:
            self.report.skip(label, SKIPPED_STATUSES[item.status])
            return
        if item.status not in STATUS_TARGETS:
            self.report.skip(label, f"unknown WordPress status “{item.status}”")
            return
        target = STATUS_TARGETS[item.status]
        if item.status in NOT_PUBLIC:
            self.report.flagged.append((label, NOT_PUBLIC[item.status]))
        if item.password:
            target = Status.DRAFT
            self.report.flagged.append((label, "password-protected in WordPress: imported as a draft, not public"))

        body = body_markdown(item.content, self._resolve_body_image)
        headline = plain_headline(item.title)
        if not headline:
            headline = headline_from_text(item.excerpt, body)
            self.report.flagged.append((label, f"no title: headline “{headline}” written from its text, in review"))
            target = Status.IN_REVIEW if target != Status.DRAFT else Status.DRAFT
        fields = {
            "headline": headline,
            "standfirst": plain_text(plain_headline(item.excerpt) if item.excerpt else ""),
            "body": body,
            "theme": self._post_theme(item),
            "lead_image": self.image_for_attachment(item.meta.get("_thumbnail_id", "")),
        }
        authors = [a for a in [self.author(item.creator)] if a]
        tags = [t for t in (self.tag(tag) for tag in item.tags) if t]

        article = self._known(ImportedItem.Kind.POST, item.post_id, Article)
        created = article is None
        if created:
            article = Article(slug=self._free_slug(item.post_name), **fields)
        changed = created or any(getattr(article, name) != value for name, value in fields.items())
        changed |= set(article.tags.all()) != set(tags) if not created else False
        changed |= [b.author_id for b in article.bylines.all()] != [a.pk for a in authors] if not created else False
        if changed:
            for name, value in fields.items():
                setattr(article, name, value)
            with reversion.create_revision():
                reversion.set_user(self.actor)
                reversion.set_comment("Imported from WordPress" if created else "Updated from WordPress")
                article.modified_by = self.actor
                article.save()
                Byline.objects.filter(article=article).exclude(author__in=authors).delete()
                for position, author in enumerate(authors):
                    Byline.objects.update_or_create(article=article, author=author, defaults={"position": position})
                article.tags.set(tags)
            self._remember(ImportedItem.Kind.POST, item.post_id, article)
        self._count(
            self.report.imported if created else self.report.updated if changed else self.report.unchanged, "articles"
        )
        self._bring_to(article, target, item)
        self._legacy(f"/?p={item.post_id}", article=article)
        if item.link:
            self._legacy(item.link, article=article)
        if item.post_date and item.post_name:
            day = timezone.localtime(item.post_date)
            self._legacy(f"/{day:%Y/%m/%d}/{item.post_name}/", article=article)

    def _post_theme(self, item):
        """The most specific of the post's categories (a child before its parent)."""
        themes = []
        for category in item.categories:
            if category.nicename == UNCATEGORIZED:
                continue
            if category.nicename not in self.categories:
                self.theme(category)
            themes.append(category.nicename)
        if not themes:
            return None
        deepest = max(themes, key=lambda nicename: len(self._category_path(nicename)))
        return self._known(ImportedItem.Kind.CATEGORY, deepest, Theme)

    def _free_slug(self, post_name):
        base = slug_for(unquote(post_name), max_length=180, fallback="")
        if not base:
            return ""  # the article makes one from its headline
        slug, n = base, 1
        while Article.all_objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug

    def _bring_to(self, article, target, item):
        """Bring a draft as far as WordPress had it (in review, or approved at its original time)
        through the workflow's own step. An article already moved on here (approved,
        withdrawn) is left as the newsroom has it: only a step forward from a draft or from
        review is taken, never one back to a draft."""
        if target == Status.DRAFT or article.status not in (Status.DRAFT, Status.IN_REVIEW):
            return
        step = step_between(article.status, target)
        if step is None:
            return
        if target == Status.APPROVED:
            publish_at = (item.post_date or timezone.now()).replace(microsecond=0)
            take_step(article, step.name, user=self.actor, when=publish_at, backdate=True, skip_effects=IMPORT_SKIPS)
            self.approved.append(article.pk)
        else:
            take_step(article, step.name, user=self.actor, skip_effects=IMPORT_SKIPS)
            self.report.in_review += 1


def import_account():
    """The account imports act as: it may approve (so the workflow accepts its steps), and it
    cannot sign in anywhere (no usable password, not staff)."""
    user, created = get_user_model().objects.get_or_create(
        username=IMPORT_USERNAME, defaults={"is_active": True, "is_staff": False}
    )
    if created:
        user.set_unusable_password()
        user.save()
    permission = Permission.objects.get(content_type__app_label="articles", codename="publish_article")
    if not user.user_permissions.filter(pk=permission.pk).exists():
        user.user_permissions.add(permission)
    return get_user_model().objects.get(pk=user.pk)  # fresh, without a stale permission cache


__all__ = ["MalformedExport", "Report", "WordPressImport"]
