from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from PIL import Image as PILImage

from pagecache.signals import ContentQuerySet

from . import processing

INLINE_SYNTAX = "[image:{pk}]"

# Whether a live page shows an image, or an approved one will at its time: the articles app
# registers its check here (the library knows no content app).
SHOWN_LIVE = []


class Image(models.Model):
    """A picture in the newsroom's library, reusable as any article's lead image.

    Uploading stores a re-encoded original (upright, without metadata) and all
    its renditions at once; `renditions` lists them so that pages need no query
    and no image work to show them."""

    file = models.ImageField(
        upload_to="images/%Y/%m/",
        help_text="JPEG, PNG, WebP or GIF (first frame), up to 25 MB and 50 megapixels. Location and camera "
        "details are removed from every stored copy.",
    )
    title = models.CharField(max_length=200, help_text="For finding the image in the library; not shown to readers.")
    alt_text = models.CharField(
        max_length=300,
        help_text="What the picture shows, for readers who cannot see it. Required.",
    )
    caption = models.CharField(max_length=500, blank=True, help_text="Shown under the picture.")
    credit = models.CharField(
        max_length=200, blank=True, help_text="Photographer or source, e.g. “Ana Reyes / Harbour Gazette”."
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    focal_x = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Horizontal focal point, 0 (left) to 1 (right), kept in view when the picture is cropped "
        "(social cards). Click the preview to set it.",
    )
    focal_y = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Vertical focal point, 0 (top) to 1 (bottom). Click the preview to set it.",
    )
    renditions = models.JSONField(default=list, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at"]
        permissions = [("change_any_image", "Can change any image, including those live articles show")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(focal_x__isnull=True) | models.Q(focal_x__gte=0, focal_x__lte=1),
                name="image_focal_x_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(focal_y__isnull=True) | models.Q(focal_y__gte=0, focal_y__lte=1),
                name="image_focal_y_in_range",
            ),
        ]

    def __str__(self):
        return self.title

    def shown_live(self):
        """Whether readers see the picture now or will without another editor's act: a
        live article, or an approved one waiting for its time, shows it."""
        return any(check(self) for check in SHOWN_LIVE)

    @property
    def inline_code(self):
        """What an editor types on its own line in an article body to place this image there."""
        return INLINE_SYNTAX.format(pk=self.pk)

    # Renditions ---------------------------------------------------------------------

    def sources(self, image_format):
        return sorted(
            (r for r in self.renditions if r["kind"] == "width" and r["format"] == image_format),
            key=lambda r: r["width"],
        )

    @property
    def fallback_format(self):
        formats = {r["format"] for r in self.renditions if r["kind"] == "width"} - {"WEBP"}
        return formats.pop() if formats else "JPEG"

    @property
    def social_card(self):
        return next((r for r in self.renditions if r["kind"] == "social"), None)

    # Storing ---------------------------------------------------------------------------

    def save(self, *args, **kwargs):
        if self.file and not self.file._committed:
            self._store_upload(*args, **kwargs)
        else:
            super().save(*args, **kwargs)

    def _store_upload(self, *args, **kwargs):
        """Record a new file and its renditions, all or nothing. The files are written first,
        outside any transaction (the admin writes them before its own, see images.forms), so
        that the transaction recording them is short; when the row cannot be saved, every
        file written for it is deleted again."""
        storage = self.file.storage
        stored = processing.store_upload(self.file.file, storage, focal=(self.focal_x, self.focal_y))
        previous = self._stored_names_in_database()
        try:
            with transaction.atomic():
                self.file.name = stored.name
                self.file._committed = True
                self.renditions = stored.renditions
                self.width, self.height = stored.width, stored.height
                super().save(*args, **kwargs)
                stored.recorded = True
        except BaseException:
            stored.recorded = False
            processing.delete_files(storage, stored.written)
            raise
        transaction.on_commit(lambda: processing.delete_files(storage, previous))

    def _stored_names_in_database(self):
        if not self.pk:
            return []
        stored = Image.objects.filter(pk=self.pk).values_list("file", "renditions").first()
        if not stored:
            return []
        return [stored[0], *(r["name"] for r in stored[1] or [])]

    def regenerate_renditions(self):
        """Make every rendition again from the stored original (after a focal point
        change, or when the set of renditions changes), then remove the old ones."""
        storage = self.file.storage
        with storage.open(self.file.name) as original:
            picture = PILImage.open(original)
            picture.load()
        source_format = picture.format
        fallback = "PNG" if source_format == "PNG" or processing.has_alpha(picture) else "JPEG"
        old = [r["name"] for r in self.renditions]
        written = []
        try:
            self.renditions = processing.store_renditions(
                processing.premultiplied(processing.clean_copy(picture)),
                fallback_format=fallback,
                original_name=self.file.name,
                focal=(self.focal_x, self.focal_y),
                storage=storage,
                written=written,
            )
            self.width, self.height = picture.size
            with transaction.atomic():
                Image.objects.filter(pk=self.pk).update(
                    renditions=self.renditions, width=self.width, height=self.height
                )
        except BaseException:
            processing.delete_files(storage, written)
            raise
        transaction.on_commit(lambda: processing.delete_files(storage, old))


@receiver(post_delete, sender=Image)
def delete_stored_files(sender, instance, **kwargs):
    """Remove the original and its renditions once the deletion is committed
    (a signal, so the admin's bulk delete, a queryset delete, removes them too)."""
    names = [instance.file.name, *(r["name"] for r in instance.renditions)]
    storage = instance.file.storage
    transaction.on_commit(lambda: processing.delete_files(storage, names))
