from django.conf import settings
from django.db import models


class Image(models.Model):
    """A picture in the newsroom's library, reusable as any article's lead image."""

    file = models.ImageField(upload_to="images/%Y/%m/", width_field="width", height_field="height")
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
        null=True, blank=True, help_text="Horizontal focal point, 0 (left) to 1 (right), used when cropping."
    )
    focal_y = models.FloatField(
        null=True, blank=True, help_text="Vertical focal point, 0 (top) to 1 (bottom), used when cropping."
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.title
