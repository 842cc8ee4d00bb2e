import contextvars
import enum
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from datetime import timezone as dt_timezone
from urllib.parse import quote

import reversion
from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models import Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from taggit.managers import TaggableManager, _TaggableManager
from taggit.models import Tag, TaggedItem

from audit.models import AuditEntry
from pagecache.signals import ContentQuerySet

from .body import body_length, references, render_body
from .slugs import fold, same_name, slug_for, unique_slug
from .text import validate_plain_text

# How articles are found by their words: the search app registers its index here (articles
# imports no search). A finder takes a queryset and the words as typed and returns the ids of
# the newest matches in it (body, tags and bylines included).
WORD_FINDERS = []
# More words an article is found by, from other apps (live coverage: its public entries), read by
# search. Each has `prefetch()` (a Prefetch loading them with a batch of articles, made afresh:
# what is public changes with the clock), `text(article)` (their words, from what it loaded) and
# `places(articles, words)` ({article id: the part, with an address, where all the words are}).
FOUND_BY = []


class Author(models.Model):
    name = models.CharField(max_length=120, validators=[validate_plain_text])
    slug = models.SlugField(
        max_length=120,
        unique=True,
        blank=True,
        allow_unicode=True,
        help_text="Part of the author's web address, in any script. Made from the name when left empty.",
    )
    bio = models.TextField(blank=True, help_text="A sentence or two shown on the author's page.")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        help_text="The staff account of this author, if they have one.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})

    def save(self, *args, **kwargs):
        if not self.slug:
            others = Author.objects.exclude(pk=self.pk)
            self.slug = unique_slug(
                self.name, lambda slug: others.filter(slug=slug).exists(), max_length=120, fallback="author"
            )
        super().save(*args, **kwargs)


class ArticleTags(_TaggableManager):
    """An article's tags, set by name (the admin, the API, the importer, the shell): a name a
    reader takes for an existing tag's ("київ" for "Київ") is that tag, and one list names a
    tag once. taggit's TAGGIT_CASE_INSENSITIVE asks the database (`iexact`), and SQLite folds
    ASCII letters only: "Київ" and "київ" became two tags at two addresses."""

    def _to_tag_model_instances(self, tags, tag_kwargs):
        names, seen = {}, set()
        for tag in tags:
            if isinstance(tag, str) and fold(tag) not in seen:
                seen.add(fold(tag))
                names[tag] = slug_for(tag, max_length=100, fallback="tag")
        existing = {tag.slug: tag for tag in Tag.objects.filter(slug__in=set(names.values()))}
        chosen = []
        for tag in tags:
            if not isinstance(tag, str):
                chosen.append(tag)
            elif tag in names:
                match = existing.get(names[tag])
                chosen.append(match if match is not None and same_name(match.name, tag) else tag)
        return super()._to_tag_model_instances(chosen, tag_kwargs)


class Status(models.TextChoices):
    DRAFT = "DRAFT", "Draft"
    IN_REVIEW = "IN_REVIEW", "In review"
    APPROVED = "APPROVED", "Approved"
    WITHDRAWN = "WITHDRAWN", "Withdrawn"


class State(models.TextChoices):
    """What staff see: the stored status combined with the clock."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"


ANY_ID = -20_261_231  # a stand-in for the id of compiled queries (newest_by_theme, CompiledOnce): no row has it


class CompiledOnce:
    """A small query by one id, compiled by the ORM once per process and database and then run
    as SQL: the ORM takes longer to compile such a query (300 µs) than SQLite or PostgreSQL to
    run it (10 µs), and a page rendered from nothing runs several. `build(id)` makes the
    queryset; calling this with an id gives its rows, as model instances (no related rows)."""

    def __init__(self, build):
        self.build = build
        self.compiled = {}

    def __call__(self, pk, using=DEFAULT_DB_ALIAS):
        if using not in self.compiled:
            queryset = self.build(ANY_ID).using(using)
            self.compiled[using] = (queryset.model, *queryset.query.sql_with_params())
        model, sql, template = self.compiled[using]
        return list(model.objects.raw(sql, [pk if value == ANY_ID else value for value in template], using=using))


class ArticleQuerySet(ContentQuerySet):
    def with_words(self, text):
        """Articles of this queryset with these words: through the search index (WORD_FINDERS),
        and by headline as typed (the index reads the newest matches only, and undated drafts
        sort oldest there)."""
        text = text.strip()
        if not text:
            return self
        found = WORD_FINDERS[0](self, text) if WORD_FINDERS else []
        return self.filter(Q(pk__in=found) | Q(headline__icontains=text))

    def update(self, **kwargs):
        refuse_bulk_gate_bypass(kwargs)
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        refuse_bulk_gate_bypass(fields)
        return super().bulk_update(objs, fields, *args, **kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for article in objs:  # no save(), no signal: the same rule as a new article's save
            refuse_gate_bypass(article, None)
        return super().bulk_create(objs, *args, **kwargs)

    def live(self, now=None):
        """The one definition of "public". Every reader-facing query starts here."""
        now = now or timezone.now()
        return self.filter(status=Status.APPROVED, publish_at__lte=now).filter(
            Q(expire_at__isnull=True) | Q(expire_at__gt=now)
        )

    def tags(self):
        """The tags these articles carry: `live().tags()` are the tags readers may see (a tag
        only on drafts names an unpublished story)."""
        return Tag.objects.filter(article__in=self.values("pk")).distinct()

    def authored_by(self, user):
        """The articles `user` wrote: created, or on the byline."""
        return self.filter(Q(created_by=user) | Q(pk__in=Byline.objects.filter(author__user=user).values("article_id")))

    def next_change(self, after):
        """The first moment after `after` at which live() changes by the clock alone for these
        articles: the earliest later publish_at or expire_at of an approved one (None if none)."""
        approved = self.filter(status=Status.APPROVED).order_by()
        publishing = approved.filter(publish_at__gt=after).order_by("publish_at").values("publish_at")[:1]
        expiring = approved.filter(expire_at__gt=after).order_by("expire_at").values("expire_at")[:1]
        # One query of two index seeks riding on any one row (an empty newsroom has no moment anyway).
        row = self.model.all_objects.order_by().annotate(
            next_publish=models.Subquery(publishing), next_expire=models.Subquery(expiring)
        )
        return min(filter(None, next(iter(row.values_list("next_publish", "next_expire")[:1]), ())), default=None)

    def in_state(self, state, now=None):
        now = now or timezone.now()
        if state == State.DRAFT:
            return self.filter(status=Status.DRAFT)
        if state == State.IN_REVIEW:
            return self.filter(status=Status.IN_REVIEW)
        if state == State.WITHDRAWN:
            return self.filter(status=Status.WITHDRAWN)
        if state == State.SCHEDULED:
            return self.filter(status=Status.APPROVED, publish_at__gt=now)
        if state == State.PUBLISHED:
            return self.live(now)
        if state == State.EXPIRED:
            return self.filter(status=Status.APPROVED, publish_at__lte=now, expire_at__lte=now)
        raise ValueError(f"Unknown state {state!r}")

    def newest_by_theme(self, theme_ids, count):
        """{theme id: its `count` newest of these articles, newest first} for every theme in
        `theme_ids`, in one query whatever their number: one index seek per theme (its newest
        `count`), joined with UNION ALL. A window over the themes' articles would read every one
        of them; a query per theme costs a round trip each (the home page had 21)."""
        found = {theme_id: [] for theme_id in theme_ids}
        if found:
            # Compiled once (the ORM takes longer to compile a query than SQLite to run it), for a
            # theme id no row has, then that parameter replaced by each theme's.
            newest = self.filter(theme_id=ANY_ID).order_by("-publish_at", "-id")[:count]
            sql, template = newest.query.sql_with_params()
            parts = [f"SELECT * FROM ({sql}) AS theme_{n}" for n in range(len(found))]  # aliases: PostgreSQL < 16
            params = [theme_id if value == ANY_ID else value for theme_id in found for value in template]
            for article in self.raw(" UNION ALL ".join(parts), params, using=self.db):
                found[article.theme_id].append(article)
        for articles in found.values():
            articles.sort(key=lambda article: (article.publish_at, article.pk), reverse=True)
        return found

    def with_byline(self):
        """Each article's authors in byline order, fetched in one more query."""
        byline = Byline.objects.select_related("author").order_by("position", "id")
        return self.prefetch_related(models.Prefetch("bylines", queryset=byline))

    def for_listing(self):
        """Only what an article card shows, with its byline fetched in one more query."""
        return (
            self.with_byline()
            .select_related("theme", "lead_image")
            .only(
                "headline",
                "slug",
                "deck",
                "standfirst",
                "publish_at",
                "updated_at",
                "dateline_offset",
                "coverage_start",
                "coverage_end",
                "theme__name",
                "theme__slug",
                "lead_image",
            )
            .order_by("-publish_at", "-id")
        )


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    """Articles not in the bin: deleting from the admin only moves an article there."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


RELATED_SHOWN = 5  # related stories a page shows; similarity/related.py stores more


class Article(models.Model):
    headline = models.CharField(
        max_length=200,
        validators=[validate_plain_text],
        help_text="Plain text, no formatting. Say what happened in under 80 characters if you can.",
    )
    slug = models.SlugField(
        max_length=200,
        unique=True,
        blank=True,
        allow_unicode=True,
        help_text="The end of the article's web address, in any script. Made from the headline; it cannot "
        "change once the article has been published, so links keep working.",
    )
    deck = models.CharField(
        max_length=300,
        blank=True,
        validators=[validate_plain_text],
        help_text="The sub-headline under the headline. Plain text, one sentence.",
    )
    standfirst = models.TextField(
        blank=True,
        validators=[validate_plain_text],
        help_text="The summary paragraph readers see first, and search engines and social cards show. Plain text.",
    )
    body = models.TextField(
        blank=True,
        validators=[body_length],
        help_text="Markdown: blank line between paragraphs, **bold**, *italic*, ## Subheading, "
        "- list item, > quotation, [link text](https://example.org). Each on a line of its own, with blank "
        "lines around it: a picture from the image library by its number, [image:42]; a gallery, "
        "[gallery:42,43,44]; a video or post, [embed:https://www.youtube.com/watch?v=…] (YouTube, Vimeo, X, "
        "Bluesky, Mastodon, Instagram: readers load it with a click).",
    )
    body_html = models.TextField(blank=True, editable=False)
    lead_image = models.ForeignKey(
        "images.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown at the top of the article and on its cards and social shares.",
    )
    authors = models.ManyToManyField(Author, through="Byline", related_name="articles", blank=True)
    theme = models.ForeignKey(
        "themes.Theme",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        help_text="The running story this article belongs to. Its other articles appear under “More on theme”.",
    )
    tags = TaggableManager(
        manager=ArticleTags, blank=True, help_text="Comma-separated subjects, e.g. “transport, council”."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(null=True, blank=True, help_text="When the article goes public, once approved.")
    expire_at = models.DateTimeField(
        null=True, blank=True, help_text="Optional: when the article leaves the site by itself."
    )
    dateline_offset = models.SmallIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="Minutes east of UTC in which the article's date and address are shown, when it was first "
        "published elsewhere on another day than the newsroom's zone gives (imports); empty: the newsroom's zone.",
    )
    updated_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Public “Updated” time, set only when an editor marks an edit as a significant update.",
    )
    corrected_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the latest correction was published."
    )
    withdrawn_reason = models.TextField(
        blank=True, editable=False, help_text="Shown to readers who open the article after it was withdrawn."
    )
    # Live coverage (live/): set only by the "start_live" and "end_live" steps of WORKFLOW.
    coverage_start = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When live coverage began: the article's page runs entries."
    )
    coverage_end = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When live coverage ended (“Coverage ended at …”)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    # Grows with every save; compared with the version a form was opened at to refuse silent overwrites.
    version = models.PositiveBigIntegerField(default=0, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    # Precomputed by similarity/related.py for articles without a theme: ids of similar articles,
    # most similar first. Filtered through live() when shown, so it may hold unpublished ones.
    related_ids = models.JSONField(default=list, blank=True, editable=False)
    # Lets revisions follow the tags, which taggit does not serialise itself.
    tagged_items = GenericRelation(TaggedItem, related_query_name="article")

    objects = ArticleManager()
    all_objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-id"]
        permissions = [
            ("submit_article", "Can submit an article for review"),
            ("publish_article", "Can approve, schedule and return articles, and edit live ones"),
            ("withdraw_article", "Can withdraw a published article and restore it to draft"),
        ]
        indexes = [
            # live() filters on status, publish_at, expire_at and (the manager) deleted_at, and listings
            # order by publish_at: with all four in the index, filtering and counting never read the
            # (large) article rows. Counting 97,000 live articles on SQLite: 170 ms → 20 ms.
            models.Index(fields=["status", "-publish_at", "expire_at", "deleted_at"], name="article_live_idx"),
            models.Index(
                fields=["theme", "status", "-publish_at", "expire_at", "deleted_at"], name="article_theme_live_idx"
            ),
            models.Index(fields=["-publish_at", "-id"], name="article_admin_order_idx"),
            models.Index(fields=["-modified_at"], name="article_modified_idx"),
            # When pages change by the clock (next_change, articles.cache.schedule): the next expiry
            # and the articles expiring in a moment are index seeks, not a read of every row
            # (100,000 articles on SQLite: 106 ms → under 1 ms).
            models.Index(fields=["status", "expire_at"], name="article_expiry_idx"),
            # Likewise for live coverage starting and ending (live.cache): every worker looks for the
            # next such moment after each invalidation; without these, a read of every article row.
            models.Index(fields=["coverage_start"], name="article_coverage_start_idx"),
            models.Index(fields=["coverage_end"], name="article_coverage_end_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="APPROVED") | Q(publish_at__isnull=False),
                name="article_approved_has_publish_at",
                violation_error_message="An approved article needs a publication time.",
            )
        ]

    def __str__(self):
        return self.headline

    # Publication ------------------------------------------------------------------

    def has_coverage(self):
        """Whether the article is or was live coverage: its page runs entries (live/)."""
        return self.coverage_start is not None

    def is_live_coverage(self, now=None):
        """Whether coverage is running now: the "Live" label (templates' includes/live_label.html)."""
        now = now or timezone.now()
        return (
            self.coverage_start is not None
            and self.coverage_start <= now
            and (self.coverage_end is None or self.coverage_end > now)
        )

    def is_live(self, now=None):
        now = now or timezone.now()
        return (
            self.status == Status.APPROVED
            and self.publish_at is not None
            and self.publish_at <= now
            and (self.expire_at is None or self.expire_at > now)
            and self.deleted_at is None  # Article.objects leaves the bin out before live()
        )

    is_live.boolean = True
    is_live.short_description = "Live"

    def related_live(self):
        """The live related stories to show, in stored order, in one query (none without ids)."""
        if not self.related_ids:
            return []
        found = {
            other.pk: other
            for other in Article.objects.live()
            .filter(pk__in=self.related_ids)
            .only("headline", "slug", "publish_at", "created_at", "dateline_offset")
        }
        return [found[pk] for pk in self.related_ids if pk in found][:RELATED_SHOWN]

    def state(self, now=None):
        now = now or timezone.now()
        if self.status != Status.APPROVED:
            return State(self.status.lower())
        if self.publish_at > now:
            return State.SCHEDULED
        if self.expire_at is not None and self.expire_at <= now:
            return State.EXPIRED
        return State.PUBLISHED

    def has_been_published(self, now=None):
        now = now or timezone.now()
        return (
            self.status in (Status.APPROVED, Status.WITHDRAWN)
            and self.publish_at is not None
            and self.publish_at <= now
        )

    # Workflow -----------------------------------------------------------------------
    # The steps are the WORKFLOW table below; `_take()` is the one way through it, called by
    # articles.workflow.take_step (which then runs the step's effects). It checks the state and
    # the user's permission, locks the row, applies the step's changes, and records its event
    # and audit entry in one transaction. Who may see or edit an article outside the steps is
    # articles/permissions.py.

    def is_authored_by(self, user):
        return self.created_by_id == user.pk or self.bylines.filter(author__user=user).exists()

    def allowed_transitions(self, user, now=None):
        """The steps `user` may take now, in the table's order."""
        return [name for name in WORKFLOW if self.refusal(name, user, now) is None]

    def refusal(self, name, user, now=None):
        """Why `user` may not take step `name` now, or None when they may."""
        now = now or timezone.now()
        step = WORKFLOW.get(name)
        if step is None:
            return f"There is no “{name}” step in the workflow."
        if (self.deleted_at is not None) != step.from_bin or self.status not in step.sources:
            where = "in the bin" if self.deleted_at is not None else self.state(now).label.lower()
            return f"An article that is {where} cannot be {step.done}."
        if step.refuse and (reason := step.refuse(self, now)):
            return reason
        if step.permits(user, self):
            return None
        return "You do not have permission to do that."

    def _take(self, name, user, *, note="", when=None):
        """Take workflow step `name` as `user`; raises TransitionNotAllowed with a reason for them.
        Private: articles.workflow.take_step is the door, and runs the step's effects after it."""
        step = WORKFLOW.get(name)
        if step is None:
            raise TransitionNotAllowed(f"There is no “{name}” step in the workflow.")
        note = note.strip()
        if step.note == "required" and not note:
            raise TransitionNotAllowed(step.note_missing)
        now = timezone.now()
        with transaction.atomic(), reversion.create_revision():
            reversion.set_user(user)
            reversion.set_comment(step.done.capitalize() + (f": {note}" if note else ""))
            current = Article.all_objects.select_for_update().get(pk=self.pk)
            refusal = current.refusal(name, user, now)
            if refusal:
                raise TransitionNotAllowed(refusal)
            default_note = step.note_for(current)
            changes = step.changes(current, user, now, note, when) if step.changes else {}
            from_status = current.status
            if step.target:
                changes["status"] = step.target
            for field, value in changes.items():
                setattr(current, field, value)
            if current.expiry_refusal():
                raise TransitionNotAllowed(current.expiry_refusal())
            with _gate_opened(current.pk):
                current.save(update_fields=list(changes))
            event = ArticleEvent.objects.create(
                article=current,
                action=step.name,
                from_status=from_status,
                to_status=current.status,
                actor=user,
                note=note or default_note,
            )
            AuditEntry.record(
                user, f"article.{step.name}", current, {"from": from_status, "to": current.status, "note": event.note}
            )
        self.refresh_from_db()
        return event

    def arrive(self, status, *, user, at, publish_at=None, note=""):
        """Bring an article created by an importer (wordpress/) into the state it had on the site
        it comes from, as one "imported" event dated `at` (its original time), never as an
        approval of today. Only a draft (or one in review) arrives; a published one also gets its "went live" at its
        own moment, so publish_scheduled does not announce ten-year-old posts today."""
        if status not in (Status.DRAFT, Status.IN_REVIEW, Status.APPROVED):
            raise TransitionNotAllowed(f"An imported article cannot arrive as {status}.")
        if status == Status.APPROVED and publish_at is None:
            raise TransitionNotAllowed("An imported article needs its publication time to arrive approved.")
        with transaction.atomic():
            current = Article.all_objects.select_for_update().get(pk=self.pk)
            if current.status not in (Status.DRAFT, Status.IN_REVIEW) or current.deleted_at is not None:
                raise TransitionNotAllowed("Only a draft or an article in review can arrive from an import.")
            from_status = current.status
            if status != from_status:
                current.status = status
                current.publish_at = publish_at if status == Status.APPROVED else None
                with _gate_opened(current.pk):
                    current.save(update_fields=["status", "publish_at"])
            event = ArticleEvent.objects.create(
                article=current,
                action=Action.IMPORT,
                from_status=from_status,
                to_status=status,
                actor=user,
                at=at,
                note=note,
            )
            if status == Status.APPROVED and publish_at <= timezone.now():
                ArticleEvent.objects.create(
                    article=current,
                    action=Action.WENT_LIVE,
                    from_status=status,
                    to_status=status,
                    moment=publish_at,
                    at=publish_at,
                )
            AuditEntry.record(user, "article.import", current, {"to": status, "note": note})
        self.refresh_from_db()
        return event

    def expiry_refusal(self):
        if self.expire_at and self.publish_at and self.expire_at <= self.publish_at:
            return "The expiry time must be after the publication time."
        return None

    # Addresses ----------------------------------------------------------------------

    def dateline_zone(self):
        """The zone the article's date is shown in: the newsroom's, or the fixed offset of the site
        that first published it when its day there differs (so /2009/05/15/ stays the 15th)."""
        if self.dateline_offset is None:
            return None
        return dt_timezone(timedelta(minutes=self.dateline_offset))

    def url_date(self):
        moment = self.publish_at or self.created_at or timezone.now()
        return timezone.localtime(moment, self.dateline_zone()).date()

    def get_absolute_url(self):
        """The `articles:detail` address, /yyyy/mm/dd/slug/ under the site's prefix. Written out
        because reverse() costs more than the rest of a headline link and a home page has a
        hundred of them; a test holds it to the URLconf."""
        day = self.url_date()
        return f"{get_script_prefix()}{day.year:04d}/{day.month:02d}/{day.day:02d}/{quote(self.slug)}/"

    # Saving ---------------------------------------------------------------------------

    def clean(self):
        super().clean()
        if self.pk and self.slug:
            stored = Article.objects.filter(pk=self.pk).values_list("slug", "status", "publish_at").first()
            if stored and stored[0] != self.slug:
                previous = Article(status=stored[1], publish_at=stored[2])
                if previous.has_been_published():
                    raise ValidationError(
                        {
                            "slug": "This article has been published, so its address cannot change: links to it "
                            f"would break. Keep “{stored[0]}”."
                        }
                    )
        if self.expiry_refusal():
            raise ValidationError({"expire_at": self.expiry_refusal()})

    def _unique_slug(self):
        others = Article.all_objects.exclude(pk=self.pk)
        return unique_slug(
            self.headline, lambda slug: others.filter(slug=slug).exists(), max_length=186, fallback="article"
        )

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        if "body" in article.__dict__ and "body_html" in article.__dict__:
            article._rendered_body = article.body
        return article

    def render_body(self):
        """Render the body now if it changed. Views call this before their transaction, so
        the save inside it finds the work done: no write lock is held while rendering."""
        if self.body != getattr(self, "_rendered_body", None):
            self.body_html = render_body(self.body)
            self._rendered_body = self.body

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._unique_slug()
        self.render_body()
        update_fields = kwargs.get("update_fields")
        stored = Article.all_objects.filter(pk=self.pk).values(*GATED_FIELDS).first() if self.pk else None
        refuse_gate_bypass(self, stored, update_fields)
        # Microseconds, and above the stored value: no save can bring back a version number
        # someone already has open.
        self.version = max((stored["version"] if stored else 0) + 1, time.time_ns() // 1000)
        if self.pk:
            self.corrected_at = self.corrections.aggregate(models.Max("published_at"))["published_at__max"]
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "body_html", "version", "modified_at", "corrected_at"}
        super().save(*args, **kwargs)

    @property
    def byline(self):
        """The authors in byline order (uses the prefetched bylines when present)."""
        return [byline.author for byline in self.bylines.all()]


class TransitionNotAllowed(PermissionDenied):
    """A workflow transition refused: wrong state, missing note or no permission.
    Its message is written for the person who tried."""


class WorkflowBypass(PermissionDenied):
    """A save that would change a workflow field outside a workflow step. Raised inside the
    save, so the transaction around it (a view's, a restore's, loaddata's) rolls back."""


# The fields only a workflow step may change: everything live() reads, and the version that
# conflict detection compares (which save() moves forward by itself).
WORKFLOW_FIELDS = ("status", "publish_at", "expire_at", "deleted_at", "coverage_start", "coverage_end")
GATED_FIELDS = (*WORKFLOW_FIELDS, "version")
# What a new article outside a step may be: a draft, not scheduled, not in the bin.
NEW_ARTICLE = {
    "status": Status.DRAFT,
    "publish_at": None,
    "expire_at": None,
    "deleted_at": None,
    "coverage_start": None,
    "coverage_end": None,
}


def themes():
    """Every theme, reached through the article's own foreign key: themes build their pages on
    articles, so articles name the theme model only as "themes.Theme" and never import it."""
    return Article._meta.get_field("theme").related_model.objects.all()


_open_gate = contextvars.ContextVar("articles_open_gate", default=frozenset())
EVERY_ARTICLE = "*"


@contextmanager
def _gate_opened(pk):
    token = _open_gate.set(_open_gate.get() | {pk})
    try:
        yield
    finally:
        _open_gate.reset(token)


@contextmanager
def system_gate():
    """Let code that builds a newsroom wholesale set workflow fields directly: the demo
    newsroom, the benchmark's archive, test fixtures. Never used by anything a request runs."""
    with _gate_opened(EVERY_ARTICLE):
        yield


def gate_is_open(pk):
    opened = _open_gate.get()
    return EVERY_ARTICLE in opened or (pk is not None and pk in opened)


def refuse_gate_bypass(article, stored, update_fields=None, *, raw=False):
    """Raise WorkflowBypass when saving `article` over `stored` (its row's GATED_FIELDS, None
    for a new row) would change a workflow field outside a step. Raw saves (loaddata, a
    library's revert) write `version` as given, so for them it is checked too."""
    if gate_is_open(article.pk):
        return
    fields = WORKFLOW_FIELDS + (("version",) if raw and stored else ())
    if update_fields is not None:
        fields = [name for name in fields if name in update_fields]
    before = stored or NEW_ARTICLE
    moved = [name for name in fields if name in before and getattr(article, name) != before[name]]
    if moved:
        raise WorkflowBypass(
            f"{', '.join(moved)} of article {article.pk or '(new)'} can only change through a workflow step."
        )


def refuse_bulk_gate_bypass(fields):
    moved = sorted(set(fields) & set(GATED_FIELDS))
    if moved and not gate_is_open(None):
        raise WorkflowBypass(f"{', '.join(moved)} of articles can only change through a workflow step.")


@receiver(pre_save)
def refuse_raw_gate_bypass(sender, instance, raw=False, **kwargs):
    """Article.save() checks its own writes; raw saves (loaddata, django-reversion's revert)
    skip it and arrive here."""
    if raw and isinstance(instance, Article):
        stored = Article.all_objects.filter(pk=instance.pk).values(*GATED_FIELDS).first()
        refuse_gate_bypass(instance, stored, raw=True)


def image_shown_live(image):
    """Whether a live article, or an approved one waiting for its time, shows `image`: as its
    lead image, or in its body as `references()` reads it (the renderer's own parse). Bodies
    that cannot place it (no extension, not its number) are not read."""
    now = timezone.now()
    shown = Article.objects.filter(status=Status.APPROVED).filter(Q(expire_at__isnull=True) | Q(expire_at__gt=now))
    if shown.filter(lead_image=image).exists():
        return True
    candidates = shown.filter(Q(body__contains="[image:") | Q(body__contains="[gallery:"))
    candidates = candidates.filter(body__contains=str(image.pk)).values_list("body", flat=True)
    return any(image.pk in references(body).pictures for body in candidates.iterator())


PAST_TOLERANCE = timedelta(minutes=1)


class Effect(enum.Enum):
    """What a step does beyond the article's row, run by articles.workflow.take_step once the
    step is taken, in the order the step lists them."""

    MAIL = "mail"  # tell the step's `mail_to` after commit, under its `mail_subject`
    WENT_LIVE = "went_live"  # live now: record “went live” once for this moment (and tell the authors)
    RELATED = "related"  # refresh related-story lists: the article's, and the others' when it went live


class Recipients(enum.Enum):
    """Whom a step's mail goes to."""

    REVIEWERS = "reviewers"  # everyone who may review the article (articles/permissions.py)
    AUTHORS = "authors"  # the article's writers who have an account with an address


@dataclass(frozen=True)
class Step:
    """One step of the editorial workflow, everything about it in one place. Buttons, guarded
    views, bulk actions, the API's steps, the history's words (`Action`) and the mails are
    generated from the WORKFLOW table of these: no code outside the table names a step; code
    that needs a particular one asks for it by what it does (`step_where`, `step_between`)."""

    name: str  # the ArticleEvent action, the audit entry's (article.<name>) and the API's step
    label: str  # the button
    done: str  # past participle, for messages: "approved"
    sources: frozenset  # the stored statuses it starts from
    target: str | None  # the status it leads to; None leaves it
    permission: str  # enough on any article ("": no permission is)
    author_permission: str = ""  # enough on the user's own article
    from_bin: bool = False  # whether it starts from the bin
    into_bin: bool = False  # what deleting in the admin does: the bin, never a real delete
    note: str = ""  # "" (none), "optional" or "required"
    note_label: str = ""
    note_missing: str = ""
    time: str = ""  # "" (none), "optional" or "required": a moment in the newsroom's zone
    time_label: str = ""  # labels the time input
    time_button: str = ""  # the button that takes the step at the chosen time
    time_initial: str = ""  # the article's field the time input starts at ("": empty)
    # (article) -> whether the plain button (the label, no time) is offered; None: unless a time is required
    offers_label: Callable | None = None
    primary: bool = False  # the default button of the article's page
    refuse: Callable | None = None  # (article, now) -> reason or None, beyond state and permission
    changes: Callable | None = None  # (article, user, now, note, when) -> {field: value}
    default_note: Callable | None = None  # (article) -> note for the history when none was typed
    history: str = ""  # how the history and the desk say it happened; "": `done`, capitalised
    effects: tuple = ()  # Effect members
    mail_subject: str = ""  # with Effect.MAIL: the mail's subject and first line
    mail_to: Recipients | None = None  # with Effect.MAIL
    schedules: bool = False  # sets the publication time: its message and mail say when it goes live
    returns_to_writer: bool = False  # its events are the writer's “Returned to me” on the desk
    calendar: bool = False  # the week's schedule moves a scheduled article with it
    bulk: str = ""  # a bulk action of the article list (the bin's, from the bin): "Approved {articles}"
    api: bool = True  # requested through the staff API's steps endpoint

    def __post_init__(self):
        if (Effect.MAIL in self.effects) != bool(self.mail_subject and self.mail_to):
            raise ImproperlyConfigured(f"Step {self.name!r}: Effect.MAIL goes with a mail_subject and mail_to.")

    @property
    def history_label(self):
        return self.history or self.done.capitalize()

    def note_for(self, article):
        return self.default_note(article) if self.default_note else ""

    def label_offered(self, article):
        return self.offers_label(article) if self.offers_label else self.time != "required"

    def permits(self, user, article=None):
        """Whether `user`'s permissions allow this step on `article` (whatever its state), or,
        without an article, on some article (their own, for an author's step)."""
        if self.permission and user.has_perm(self.permission):
            return True
        if not (self.author_permission and user.has_perm(self.author_permission)):
            return False
        return article is None or article.is_authored_by(user)

    def bulk_message(self, count):
        return self.bulk.format(articles=f"{count} article" if count == 1 else f"{count} articles")


def _future(when, now, message):
    if when is None or when < now - PAST_TOLERANCE:
        raise TransitionNotAllowed(message)
    return when


def _approve(article, user, now, note, when):
    publish_at = _future(
        when or now.replace(microsecond=0),
        now,
        "Choose a publication time from now on; a time in the past would backdate it.",
    )
    return {"publish_at": publish_at}


def _already_public(article, now):
    if article.publish_at <= now:
        return "This article is already public: it can no longer be rescheduled."
    return None


def _was_scheduled(article):
    return f"Was {timezone.localtime(article.publish_at):%Y-%m-%d %H:%M %Z}" if article.publish_at else ""


def _expiry(article, user, now, note, when):
    if when is None and article.expire_at is None:
        raise TransitionNotAllowed("This article has no expiry time to remove.")
    if when is not None and when <= now:
        raise TransitionNotAllowed("Choose an expiry time in the future; to take an article down now, withdraw it.")
    return {"expire_at": when}


def _coverage_running(article, now):
    if article.coverage_start is not None and (article.coverage_end is None or article.coverage_end > now):
        return "This article is already live coverage."
    return None


def _no_coverage(article, now):
    if article.coverage_start is None or (article.coverage_end is not None and article.coverage_end <= now):
        return "This article is not live coverage now."
    return None


def _start_coverage(article, user, now, note, when):
    return {"coverage_start": when or now.replace(microsecond=0), "coverage_end": None}


def _end_coverage(article, user, now, note, when):
    end = when or now.replace(microsecond=0)
    if end < article.coverage_start or end < now - PAST_TOLERANCE:
        raise TransitionNotAllowed("Choose an end from now on, after the coverage began.")
    return {"coverage_end": end}


ALL_STATUSES = frozenset(Status.values)

WORKFLOW = {
    step.name: step
    for step in [
        Step(
            "submit",
            "Submit for review",
            "submitted",
            frozenset({Status.DRAFT}),
            Status.IN_REVIEW,
            "articles.publish_article",
            author_permission="articles.submit_article",
            primary=True,
            history="Submitted for review",
            effects=(Effect.MAIL,),
            mail_subject="Submitted for review",
            mail_to=Recipients.REVIEWERS,
            bulk="Submitted {articles} for review",
        ),
        Step(
            # A writer takes back what they submitted; only their own, so no bulk action.
            "recall",
            "Recall to draft",
            "recalled",
            frozenset({Status.IN_REVIEW}),
            Status.DRAFT,
            "",
            author_permission="articles.submit_article",
            history="Recalled to draft",
        ),
        Step(
            "return",
            "Return to writer",
            "returned",
            frozenset({Status.IN_REVIEW}),
            Status.DRAFT,
            "articles.publish_article",
            note="required",
            note_label="Note to the writer",
            note_missing="Say what needs to change: returning an article needs a note.",
            history="Returned to draft",
            effects=(Effect.MAIL,),
            mail_subject="Returned to you",
            mail_to=Recipients.AUTHORS,
            returns_to_writer=True,
        ),
        Step(
            "approve",
            "Approve & publish now",
            "approved",
            frozenset({Status.DRAFT, Status.IN_REVIEW}),
            Status.APPROVED,
            "articles.publish_article",
            time="optional",
            time_label="Or schedule for",
            time_button="Approve & schedule",
            primary=True,
            changes=_approve,
            history="Approved",
            effects=(Effect.MAIL, Effect.WENT_LIVE, Effect.RELATED),
            mail_subject="Approved",
            mail_to=Recipients.AUTHORS,
            schedules=True,
            bulk="Approved {articles}",
        ),
        Step(
            "reschedule",
            "Reschedule",
            "rescheduled",
            frozenset({Status.APPROVED}),
            Status.APPROVED,
            "articles.publish_article",
            time="required",
            time_label="New time",
            time_button="Reschedule",
            time_initial="publish_at",
            refuse=_already_public,
            changes=lambda article, user, now, note, when: {
                "publish_at": _future(when, now, "Choose a new publication time from now on.")
            },
            default_note=_was_scheduled,
            history="Rescheduled",
            effects=(Effect.MAIL, Effect.RELATED),
            mail_subject="Rescheduled",
            mail_to=Recipients.AUTHORS,
            schedules=True,
            calendar=True,
        ),
        Step(
            "expiry",
            "Never expire",
            "given a new expiry time",
            frozenset({Status.DRAFT, Status.IN_REVIEW, Status.APPROVED}),
            None,
            "articles.publish_article",
            time="optional",
            time_label="Leaves the site at",
            time_button="Set expiry time",
            time_initial="expire_at",
            offers_label=lambda article: article.expire_at is not None,
            changes=_expiry,
            history="Expiry time set",
            bulk="Removed the expiry time of {articles}",
        ),
        Step(
            "withdraw",
            "Withdraw",
            "withdrawn",
            frozenset({Status.APPROVED}),
            Status.WITHDRAWN,
            "articles.withdraw_article",
            note="required",
            note_label="Public reason",
            note_missing="Give the public reason for withdrawing: readers see it at the article's address.",
            changes=lambda article, user, now, note, when: {"withdrawn_reason": note},
            history="Withdrawn",
            effects=(Effect.MAIL,),
            mail_subject="Withdrawn",
            mail_to=Recipients.AUTHORS,
        ),
        Step(
            "restore",
            "Restore to draft",
            "restored",
            frozenset({Status.WITHDRAWN}),
            Status.DRAFT,
            "articles.withdraw_article",
            changes=lambda article, user, now, note, when: {"withdrawn_reason": ""},
            history="Restored to draft",
            bulk="Restored {articles} to draft",
        ),
        Step(
            # Live coverage (live/): the article's page runs timestamped entries from the start.
            "start_live",
            "Start live coverage",
            "made live coverage",
            frozenset({Status.DRAFT, Status.IN_REVIEW, Status.APPROVED}),
            None,
            "articles.publish_article",
            time="optional",
            time_label="Coverage starts at",
            time_button="Start coverage then",
            refuse=_coverage_running,
            changes=_start_coverage,
            history="Live coverage started",
            effects=(Effect.MAIL,),
            mail_subject="Live coverage started",
            mail_to=Recipients.AUTHORS,
        ),
        Step(
            "end_live",
            "End live coverage",
            "ended as live coverage",
            frozenset({Status.APPROVED}),
            None,
            "articles.publish_article",
            time="optional",
            time_label="Coverage ends at",
            time_button="End coverage then",
            refuse=_no_coverage,
            changes=_end_coverage,
            history="Live coverage ended",
            effects=(Effect.MAIL,),
            mail_subject="Live coverage ended",
            mail_to=Recipients.AUTHORS,
        ),
        Step(
            "delete",
            "Move to the bin",
            "moved to the bin",
            ALL_STATUSES,
            None,
            "articles.delete_article",
            into_bin=True,
            changes=lambda article, user, now, note, when: {"deleted_at": now, "deleted_by": user},
            bulk="Moved {articles} to the bin",
        ),
        Step(
            "undelete",
            "Restore from the bin",
            "restored from the bin",
            ALL_STATUSES,
            None,
            "articles.publish_article",
            from_bin=True,
            changes=lambda article, user, now, note, when: {"deleted_at": None, "deleted_by": None},
            bulk="Restored {articles} from the bin",
            api=False,  # the bin is the admin's
        ),
    ]
}


def step_where(**attributes):
    """The one step of the table with these attributes (`step_where(into_bin=True)`)."""
    found = [step for step in WORKFLOW.values() if all(getattr(step, k) == v for k, v in attributes.items())]
    if len(found) != 1:
        raise LookupError(f"{len(found)} workflow steps have {attributes}, not one.")
    return found[0]


def step_between(source, target):
    """The step that moves an article outside the bin from status `source` to another status
    `target`, or None when no one step does (or several do)."""
    found = [
        step
        for step in WORKFLOW.values()
        if not step.from_bin and source in step.sources and step.target == target and target != source
    ]
    return found[0] if len(found) == 1 else None


# What an ArticleEvent records: a step of the table, or one of these, which are not steps.
OTHER_EVENTS = {
    "went_live": "Went live",
    "expired": "Expired",
    "revert": "Restored an earlier revision",
    "correct": "Correction published",
    "update": "Marked as a significant update",
    "share": "Share link created",
    "unshare": "Share link revoked",
    "not_duplicate": "Duplicate warning dismissed",
    "import": "Imported",
}
Action = models.TextChoices(
    "Action",
    [(step.name.upper(), (step.name, step.history_label)) for step in WORKFLOW.values()]
    + [(name.upper(), (name, label)) for name, label in OTHER_EVENTS.items()],
)


class ArticleEvent(models.Model):
    """One step in an article's history: who moved it from where to where, when, and why."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=Action.choices)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    # For "went live" and "expired": the publish_at/expire_at the event is about,
    # unique per article so that two servers running publish_scheduled record it once.
    moment = models.DateTimeField(null=True, blank=True)
    # For "duplicate warning dismissed": the article this one was said not to duplicate.
    other_article = models.ForeignKey(
        "Article", null=True, blank=True, on_delete=models.CASCADE, related_name="+", editable=False
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["article", "-at"], name="event_article_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "action", "moment"],
                condition=Q(action__in=["went_live", "expired"]),
                name="event_moment_once",
            )
        ]

    def __str__(self):
        return f"{self.get_action_display()}: {self.article}"


class Byline(models.Model):
    """An author's place in an article's byline."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="byline_unique_author")]

    def __str__(self):
        return f"{self.author} on {self.article}"


# An article page's authors in byline order and its tags in the order given, one query each.
byline_authors = CompiledOnce(
    lambda pk: Author.objects.filter(bylines__article_id=pk).order_by("bylines__position", "bylines__id")
)
article_tags = CompiledOnce(
    lambda pk: Tag.objects.filter(
        taggit_taggeditem_items__object_id=pk,
        taggit_taggeditem_items__content_type__app_label="articles",
        taggit_taggeditem_items__content_type__model="article",
    ).order_by("taggit_taggeditem_items__id")
)


class Correction(models.Model):
    """A published correction, shown dated at the foot of the article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    text = models.TextField(
        help_text="What was wrong and what is right now. Plain sentences; readers see it as written."
    )
    published_at = models.DateTimeField(default=timezone.now, help_text="Shown to readers with the correction.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["published_at", "id"]

    def __str__(self):
        return f"Correction to {self.article}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.article_corrected()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.article_corrected()
        return result

    def article_corrected(self):
        """Keep the article's `corrected_at` in step, so pages without corrections need no query for them."""
        latest = Correction.objects.filter(article_id=self.article_id).aggregate(models.Max("published_at"))
        Article.all_objects.filter(pk=self.article_id).update(corrected_at=latest["published_at__max"])


def default_share_expiry():
    return timezone.now() + timedelta(hours=48)


class ShareLink(models.Model):
    """A signed, expiring link that lets someone without an account read one unpublished article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="share_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=default_share_expiry)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Share link for {self.article}"

    def is_valid(self, now=None):
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now

    def url(self):
        """The address to hand out. Not get_absolute_url(): generic views such as Django's
        "view on site" would mint a token for anyone who can name the link's id."""
        from django.core import signing

        return reverse("articles:share", kwargs={"token": signing.dumps(self.pk, salt=SHARE_SALT)})


SHARE_SALT = "articles.share-link"


class BinManager(models.Manager.from_queryset(ArticleQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=False)


class ArticleInBin(Article):
    """Articles deleted from the admin, waiting to be restored or purged."""

    objects = BinManager()

    class Meta:
        proxy = True
        verbose_name = "article in the bin"
        verbose_name_plural = "bin"
        ordering = ["-deleted_at"]


reversion.register(Byline)
reversion.register(TaggedItem)
# Bookkeeping fields are not part of a revision: restoring one must not move the
# version counter back or undo corrections; `save()` recomputes them.
REVISION_EXCLUDE = [
    "body_html",
    "version",
    "modified_by",
    "deleted_at",
    "deleted_by",
    "corrected_at",
    "related_ids",
]
reversion.register(Article, follow=["bylines", "tagged_items"], exclude=REVISION_EXCLUDE)


class DraftCopy(models.Model):
    """What one person typed in an article's form and has not saved, kept on the server every few
    seconds (issue 27): not a revision, never public, seen only by its author, offered back
    when they next open the form in any browser, and removed by their save. `article` is empty
    for a new article not saved yet (one such copy per person)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    fields = models.JSONField(default=dict)
    saved_at = models.DateTimeField()

    # What a copy keeps, and the most each may hold (the body's limit is BODY_LIMIT).
    FIELDS = {"headline": 200, "deck": 300, "standfirst": 5_000, "tags": 2_000, "slug": 200}

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="draft_copy_one_per_person_and_article"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(article__isnull=True), name="draft_copy_one_new_article_per_person"
            ),
        ]

    def __str__(self):
        return f"Draft copy of {self.article or 'a new article'} by {self.user}"
