from datetime import timedelta
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import Max, Min, OuterRef, Subquery
from django.urls import get_script_prefix
from django.utils import timezone

from articles.models import Article
from articles.slugs import unique_slug
from pagecache.keys import shows
from pagecache.surrogates import NAVIGATION

NAVIGATION_CACHE_KEY = "themes:navigation"


class ThemeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


NAVIGATION_MAX_AGE = 600  # seconds; bounds what no signal reports (bulk updates, the bin)


def theme_activity(now=None):
    """Every active theme with the publication times of its first and latest live articles,
    cached in the shared cache until the next scheduled publication or expiry in any
    active theme (the moment a theme could revive or lose its latest article), and dropped
    whenever a theme or an article is saved. Dormancy is judged from these dates when
    read, so a theme turns dormant on time without the cache having to expire."""
    now = now or timezone.now()
    cached = cache.get(NAVIGATION_CACHE_KEY)
    # The moment it is good until is kept with it, so it is never used past that, whatever the cache does.
    if cached is not None and now < cached["until"]:
        return cached["themes"]
    live = Article.objects.live(now).filter(theme=OuterRef("pk"))
    themes = [
        {
            "id": theme.pk,
            "name": theme.name,
            "slug": theme.slug,
            "url": theme.get_absolute_url(),
            "first": theme.first,
            "latest": theme.latest,
        }
        for theme in Theme.objects.active()
        .only("name", "slug")
        .annotate(
            first=Subquery(live.order_by("publish_at").values("publish_at")[:1]),
            latest=Subquery(live.order_by("-publish_at").values("publish_at")[:1]),
        )
    ]
    upcoming = Article.objects.filter(theme__is_active=True).next_change(now)
    until = min(filter(None, [now + timedelta(seconds=NAVIGATION_MAX_AGE), upcoming]))
    cache.set(NAVIGATION_CACHE_KEY, {"themes": themes, "until": until}, NAVIGATION_MAX_AGE)
    return themes


def forget_activity(**kwargs):
    cache.delete(NAVIGATION_CACHE_KEY)


def dormant_since(latest):
    """When a theme whose latest live article went out at `latest` turned (or turns) dormant."""
    if latest is None:
        return None
    return latest + timedelta(days=settings.THEME_DORMANT_DAYS)


def is_dormant(latest, now=None):
    """No live article for THEME_DORMANT_DAYS days (or none at all)."""
    now = now or timezone.now()
    return latest is None or dormant_since(latest) <= now


def navigation(now=None):
    """The active themes that are not dormant, as dicts (id, name, slug, url, first, latest),
    for the site header and the home page."""
    shows(NAVIGATION)
    now = now or timezone.now()
    return [theme for theme in theme_activity(now) if not is_dormant(theme["latest"], now)]


class Theme(models.Model):
    """A running story or subject that groups articles ("The harbour bridge")."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=120,
        unique=True,
        blank=True,
        allow_unicode=True,
        help_text="Part of the theme's web address, in any script. Made from the name when left empty.",
    )
    description = models.TextField(
        blank=True, help_text="One or two sentences shown at the top of the theme page and in search results."
    )
    is_active = models.BooleanField(
        default=True, help_text="Active themes appear in the site navigation and on the home page."
    )
    position = models.PositiveSmallIntegerField(
        default=100, help_text="Lower numbers come first in the navigation and on the home page."
    )
    summary = models.TextField(
        "What we know",
        blank=True,
        help_text="A few short sentences on where the story stands now, shown at the top of the theme page. "
        "Keep it current: readers arriving late start here.",
    )
    lead_article = models.ForeignKey(
        "articles.Article",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Pinned at the top of the theme page while it is live, e.g. the explainer.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    objects = ThemeQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        indexes = [models.Index(fields=["is_active", "position", "name"], name="theme_nav_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        """The `themes:detail` address, written out as Article's (reverse() costs more than the rest
        of a link, and a page links its theme twice); a test holds it to the URLconf."""
        return f"{get_script_prefix()}themes/{quote(self.slug)}/"

    def activity(self, now=None):
        """First and latest live publication times and dormancy, from the cached activity when
        the theme is active (no query), else from one query."""
        now = now or timezone.now()
        found = next((theme for theme in theme_activity(now) if theme["id"] == self.pk), None)
        if found is None:
            found = (
                Article.objects.live(now)
                .filter(theme=self)
                .aggregate(first=Min("publish_at"), latest=Max("publish_at"))
            )
        return {
            "first": found["first"],
            "latest": found["latest"],
            "dormant": is_dormant(found["latest"], now),
            "dormant_since": dormant_since(found["latest"]),
        }

    def save(self, *args, **kwargs):
        if not self.slug:
            others = Theme.objects.exclude(pk=self.pk)
            self.slug = unique_slug(
                self.name, lambda slug: others.filter(slug=slug).exists(), max_length=120, fallback="theme"
            )
        super().save(*args, **kwargs)
        cache.delete(NAVIGATION_CACHE_KEY)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        cache.delete(NAVIGATION_CACHE_KEY)
        return result
