"""Static pages of the site (About, Contact, a corrections policy), at addresses editors choose,
such as the ones they had on WordPress.

Not django.contrib.flatpages: its pages are raw HTML shown unsanitised, rendered by Django
templates outside the readers' Jinja2 design, need django.contrib.sites, and its fallback view is
unknown to the page cache. A page here is Markdown rendered by the articles' own pipeline,
served as a public page with its own surrogate key, and listed in the sitemap."""

import re

from django.core.exceptions import ValidationError
from django.db import models

from articles.body import render_body
from articles.text import validate_plain_text

_PATH = re.compile(r"^/(?:[\w.~-]+/)+$")


def validate_path(path):
    if not _PATH.match(path) or "//" in path or "/../" in path:
        raise ValidationError("An address like /about/ or /about/contact/: words between slashes.")


class PageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def in_footer(self):
        """The pages the footer links, in the editors' order."""
        return self.published().filter(in_footer=True).order_by("footer_position", "title", "pk")


class Page(models.Model):
    title = models.CharField(max_length=200, validators=[validate_plain_text], help_text="Plain text.")
    path = models.CharField(
        max_length=300,
        unique=True,
        validators=[validate_path],
        help_text="The page's address, e.g. /about/. Imported pages keep the address they had on WordPress.",
    )
    body = models.TextField(blank=True, help_text="Markdown, as in articles.")
    body_html = models.TextField(blank=True, editable=False)
    is_published = models.BooleanField(default=True, help_text="Readers see only published pages.")
    in_footer = models.BooleanField(
        "show in the footer",
        default=False,
        help_text="Linked at the foot of every page while it is published (About, Contact, Corrections policy).",
    )
    footer_position = models.PositiveSmallIntegerField(
        default=0, help_text="Order of the footer's page links: lower numbers come first."
    )
    modified_at = models.DateTimeField(auto_now=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.path

    def save(self, *args, **kwargs):
        self.body_html = render_body(self.body)
        super().save(*args, **kwargs)
