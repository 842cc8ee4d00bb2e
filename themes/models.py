from django.core.cache import cache
from django.db import models
from django.urls import reverse

NAVIGATION_CACHE_KEY = "themes:navigation"


class ThemeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


def navigation():
    """The active themes as (name, url, id) for the site header, cached until a theme changes.
    Kept in the shared cache so every app server sees a change at once."""
    themes = cache.get(NAVIGATION_CACHE_KEY)
    if themes is None:
        themes = [
            {"id": theme.pk, "name": theme.name, "slug": theme.slug, "url": theme.get_absolute_url()}
            for theme in Theme.objects.active().only("name", "slug")
        ]
        cache.set(NAVIGATION_CACHE_KEY, themes, None)
    return themes


class Theme(models.Model):
    """A running story or subject that groups articles ("The harbour bridge")."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True, help_text="Part of the theme's web address.")
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
        return reverse("themes:detail", kwargs={"slug": self.slug})

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache.delete(NAVIGATION_CACHE_KEY)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        cache.delete(NAVIGATION_CACHE_KEY)
        return result
