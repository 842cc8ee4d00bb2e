"""Live coverage: the timestamped entries of an article made live coverage (the `start_live`
step of articles' WORKFLOW). Entries are written through live/door.py only.

An entry is public when it is published and its `publish_at` has passed, and its article is
live: `EntryQuerySet.published()` is the one definition, like `Article.objects.live()`. No
job publishes an entry: it appears at its second, and the page cache is told that second
(live/cache.py)."""

import reversion
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from articles.body import body_length
from articles.text import validate_plain_text
from pagecache.signals import ContentQuerySet


class EntryStatus(models.TextChoices):
    SUBMITTED = "SUBMITTED", "Submitted for review"
    PUBLISHED = "PUBLISHED", "Published"
    WITHDRAWN = "WITHDRAWN", "Withdrawn"


class EntryQuerySet(ContentQuerySet):
    def published(self, now=None):
        """The one definition of a public entry (its article's own publication aside)."""
        now = now or timezone.now()
        return self.filter(status=EntryStatus.PUBLISHED, publish_at__lte=now)


class Entry(models.Model):
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="entries")
    title = models.CharField(
        max_length=120,
        blank=True,
        validators=[validate_plain_text],
        help_text="A short title, needed for a key event: it is the entry's line in the key events summary.",
    )
    body = models.TextField(
        validators=[body_length],
        help_text="The same Markdown as an article's body: paragraphs, **bold**, links, [image:42], [embed:…].",
    )
    body_html = models.TextField(blank=True, editable=False)
    authors = models.ManyToManyField("articles.Author", related_name="live_entries", blank=True)
    publish_at = models.DateTimeField(
        default=timezone.now, help_text="When readers see the entry, to the second; later times schedule it."
    )
    status = models.CharField(max_length=16, choices=EntryStatus.choices, default=EntryStatus.SUBMITTED)
    key_event = models.BooleanField(default=False, help_text="Listed in the key events summary, by its title.")
    pinned = models.BooleanField(default=False, help_text="Shown first, above the others: one entry at a time.")
    updated_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When a published entry was last corrected (“Updated 14:32”)."
    )
    withdrawn_note = models.TextField(blank=True, editable=False)
    # Whether readers ever saw it: a withdrawn entry that had been public leaves a notice in its place.
    was_public = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    # Grows with every change through the door; a stale edit is merged three ways or refused.
    version = models.PositiveBigIntegerField(default=0, editable=False)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-id"]
        verbose_name_plural = "entries"
        permissions = [("publish_entry", "Can publish, correct, pin and withdraw live entries")]
        indexes = [
            models.Index(fields=["article", "status", "-publish_at"], name="entry_article_idx"),
            # The page cache's schedule asks for the next entry's second across all articles.
            models.Index(fields=["status", "publish_at"], name="entry_schedule_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["article"], condition=Q(pinned=True), name="entry_one_pinned_per_article"),
            models.CheckConstraint(
                condition=Q(key_event=False) | ~Q(title=""),
                name="entry_key_event_has_title",
                violation_error_message="A key event needs a short title for the summary.",
            ),
        ]

    def __str__(self):
        return self.title or f"Entry {self.pk} on {self.article_id}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}entries/{self.pk}/"

    def is_public(self, now=None):
        now = now or timezone.now()
        return self.status == EntryStatus.PUBLISHED and self.publish_at <= now

    is_public.boolean = True
    is_public.short_description = "Public"


reversion.register(Entry, exclude=["body_html", "version"])


class EntryIdempotencyKey(models.Model):
    """An entry create request's Idempotency-Key (the content API): the same key with the same
    request answers with the entry the first request made, so a retried wire feed never posts twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="entry_idempotency_key_once_per_user")]

    def __str__(self):
        return f"{self.key} → entry {self.entry_id}"
