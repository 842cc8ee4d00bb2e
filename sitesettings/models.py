"""The publication's own settings, edited by editors in the admin: its name, logo, "Follow us"
links and copyright holder. One row; environment variables only give its first values.

Public pages read them through `current()`, which costs no query in steady state: the values
are cached under the version of the page cache's `site-settings` key, which a save of either
model moves on every server at once (sitesettings/apps.py declares it), so the settings are
never older than the pages that show them, and those pages are dropped with them."""

import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import models, transaction
from django.urls import reverse
from PIL import Image as PILImage

from images import processing
from pagecache import keys, surrogates, versions

# The logo is stored scaled down (never up) to fit this box: sharp at 2× in the header, within
# what search engines and feed readers take for a publisher's logo.
LOGO_BOX = (600, 200)
SETTINGS_KEY = surrogates.SETTINGS  # the page cache's key for what every page shows of these
CACHE_KEY = "sitesettings:{version}"
http_url = URLValidator(schemes=["http", "https"], message="Enter a full web address starting with https://.")


class SiteSettings(models.Model):
    name = models.CharField(
        "publication name",
        max_length=100,
        help_text="Shown at the top of every page, in browser tabs, search results, shared links and feeds.",
    )
    logo = models.ImageField(
        upload_to="site/",
        blank=True,
        help_text="Shown at the top of every page instead of the name (which stays its text alternative), "
        "and given to search engines and feed readers. JPEG, PNG, WebP or GIF; it is scaled down to fit "
        f"{LOGO_BOX[0]} × {LOGO_BOX[1]} pixels. A PNG with a transparent background suits both light and "
        "dark mode best.",
    )
    logo_width = models.PositiveIntegerField(default=0, editable=False)
    logo_height = models.PositiveIntegerField(default=0, editable=False)
    copyright_holder = models.CharField(
        max_length=200,
        help_text="Shown as “© 2026 …” at the foot of every page and in feeds, and named as the publisher "
        "to search engines.",
    )

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"

    def __str__(self):
        return self.name

    @classmethod
    def load(cls):
        """The one row, created from the environment's values the first time it is needed."""
        row, created = cls.objects.get_or_create(pk=1, defaults=seed_values())
        if created:
            FollowLink.objects.bulk_create(
                FollowLink(site=row, label=label, url=url, position=n) for n, (label, url) in enumerate(seed_links())
            )
        return row

    def save(self, *args, **kwargs):
        self.pk = 1  # one row, whoever saves it
        previous = type(self).objects.filter(pk=1).values_list("logo", flat=True).first() or ""
        written = []
        if self.logo and not self.logo._committed:
            self._store_logo(written)
        elif not self.logo:
            self.logo_width = self.logo_height = 0
        storage = self.logo.storage
        try:
            super().save(*args, **kwargs)
        except BaseException:
            processing.delete_files(storage, written)
            raise
        if previous and previous != self.logo.name:
            transaction.on_commit(lambda: processing.delete_files(storage, [previous]))

    def _store_logo(self, written):
        prepared = processing.prepare(self.logo.file)  # the same checks and limits as the image library
        picture = prepared.picture.copy()
        picture.thumbnail(LOGO_BOX, PILImage.Resampling.LANCZOS)
        # Feed readers and search engines take PNG and JPEG everywhere; WebP and GIF become PNG.
        image_format = "JPEG" if prepared.source_format == "JPEG" else "PNG"
        name = self.logo.storage.save(
            f"site/{processing.stem_for(prepared.name)}-{secrets.token_hex(4)}.{processing.EXTENSIONS[image_format]}",
            ContentFile(processing.encode(picture, image_format, quality=90)),
        )
        written.append(name)
        self.logo.name = name
        self.logo._committed = True
        self.logo_width, self.logo_height = picture.size


class FollowLink(models.Model):
    site = models.ForeignKey(SiteSettings, on_delete=models.CASCADE, related_name="follow_links")
    label = models.CharField(max_length=50, help_text="What readers see, e.g. “Mastodon” or “Newsletter”.")
    url = models.URLField(
        "address", max_length=500, validators=[http_url], help_text="The full address, starting with https://."
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "“Follow us” link"

    def __str__(self):
        return self.label


# Reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Logo:
    url: str
    width: int
    height: int

    @property
    def absolute_url(self):
        return absolute(self.url)


@dataclass(frozen=True)
class Publication:
    """What public pages show of the site settings, as plain values to cache."""

    name: str
    copyright_holder: str
    logo: Logo | None = None
    follow_links: tuple = field(default_factory=tuple)  # (label, url) pairs the editors added
    footer_pages: tuple = field(default_factory=tuple)  # (title, path) of the static pages in the footer

    def organization(self):
        """The publisher as schema.org JSON-LD, the same on the home page and in every NewsArticle."""
        home = settings.SITE_URL + "/"
        data = {"@type": "NewsMediaOrganization", "@id": f"{home}#publisher", "name": self.copyright_holder}
        data["url"] = home
        if self.logo:
            data["logo"] = {
                "@type": "ImageObject",
                "url": self.logo.absolute_url,
                "width": self.logo.width,
                "height": self.logo.height,
            }
        if self.follow_links:
            data["sameAs"] = [url for _label, url in self.follow_links]
        return data


def absolute(url):
    return f"{settings.SITE_URL}{url}" if url.startswith("/") else url


def seed_values():
    return {"name": settings.SITE_NAME, "copyright_holder": settings.SITE_PUBLISHER}


def seed_links():
    """FOLLOW_LINKS from the environment, made absolute; the site's own feeds are always
    shown anyway and invalid addresses are left out."""
    feeds = {absolute(reverse("feeds:rss")), absolute(reverse("feeds:atom"))}
    links = []
    for label, url in settings.FOLLOW_LINKS:
        url = absolute(url.strip())
        try:
            http_url(url)
        except Exception:
            continue
        if url not in feeds and label.strip():
            links.append((label.strip()[:50], url))
    return links


def publication_from(row, footer_pages=()):
    logo = None
    if row.logo and row.logo_width:
        logo = Logo(url=row.logo.url, width=row.logo_width, height=row.logo_height)
    links = tuple((link.label, link.url) for link in row.follow_links.all())
    return Publication(
        name=row.name, copyright_holder=row.copyright_holder, logo=logo, follow_links=links, footer_pages=footer_pages
    )


def read_footer_pages():
    """The static pages the footer links, read and cached with the settings: pages/apps.py makes a
    change to one of them a change to the settings, so the footer costs no query of its own."""
    from pages.models import Page

    return tuple(Page.objects.in_footer().values_list("title", "path"))


def read_publication():
    row = SiteSettings.objects.filter(pk=1).prefetch_related("follow_links").first()
    if row is None:  # not edited yet: the environment's values, without writing on a reader's request
        return Publication(**seed_values(), follow_links=tuple(seed_links()), footer_pages=read_footer_pages())
    return publication_from(row, read_footer_pages())


def current():
    """The site settings public pages show. In steady state no query and no round trip: the
    settings are kept in this process under their key's version as this process knows it
    (pagecache/versions.py: at most PAGE_CACHE_SYNC_INTERVAL old, as for kept pages), and in the
    cache for the other processes; after any change, one query per server (per process with the
    local-memory cache)."""
    keys.shows(SETTINGS_KEY)
    try:
        version = versions.local.version(SETTINGS_KEY, synced=keys.rendered_at() is not None)
    except Exception:  # noqa: BLE001 - no key versions yet, or their store is failing: read them fresh
        return read_publication()
    key = CACHE_KEY.format(version=version)
    publication = versions.local.values.get(key)
    if publication is None:
        publication = cache.get(key)
        if publication is None:
            publication = read_publication()
            cache.set(key, publication, settings.PAGE_CACHE_TIMEOUT)
        versions.local.values = {key: publication}
    return publication
