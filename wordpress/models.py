from django.db import models


class ImportedItem(models.Model):
    """What a WordPress author, category, tag, attachment or post became here, so that
    importing the same export again updates it instead of making a second copy."""

    class Kind(models.TextChoices):
        AUTHOR = "author", "Author"
        CATEGORY = "category", "Category → theme"
        TAG = "tag", "Tag"
        IMAGE = "image", "Uploaded file → image"
        POST = "post", "Post → article"
        PAGE = "page", "Page → static page"

    site = models.CharField(max_length=200, help_text="The WordPress site's address (base_site_url in the export).")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    wordpress_id = models.CharField(
        max_length=300, help_text="The post id, term slug, author login or upload path in WordPress."
    )
    object_id = models.PositiveBigIntegerField()
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "kind", "wordpress_id"], name="wordpress_item_once"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.wordpress_id} from {self.site}"


class LegacyAddress(models.Model):
    """An address of the old WordPress site that answers 301 to the page that replaced it."""

    TARGETS = ("article", "theme", "tag", "author", "page")
    NO_TARGET = {name: None for name in TARGETS}

    path = models.CharField(
        max_length=500, unique=True, help_text="The old path with its query, e.g. “/?p=12” or “/category/local/”."
    )
    article = models.ForeignKey("articles.Article", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    theme = models.ForeignKey("themes.Theme", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    tag = models.ForeignKey("taggit.Tag", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey("articles.Author", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    page = models.ForeignKey("pages.Page", null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name_plural = "legacy addresses"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        article__isnull=False,
                        theme__isnull=True,
                        tag__isnull=True,
                        author__isnull=True,
                        page__isnull=True,
                    )
                    | models.Q(
                        article__isnull=True,
                        theme__isnull=False,
                        tag__isnull=True,
                        author__isnull=True,
                        page__isnull=True,
                    )
                    | models.Q(
                        article__isnull=True,
                        theme__isnull=True,
                        tag__isnull=False,
                        author__isnull=True,
                        page__isnull=True,
                    )
                    | models.Q(
                        article__isnull=True,
                        theme__isnull=True,
                        tag__isnull=True,
                        author__isnull=False,
                        page__isnull=True,
                    )
                    | models.Q(
                        article__isnull=True,
                        theme__isnull=True,
                        tag__isnull=True,
                        author__isnull=True,
                        page__isnull=False,
                    )
                ),
                name="legacy_address_one_target_of_five",
            )
        ]

    def __str__(self):
        return self.path

    @property
    def target(self):
        return next(getattr(self, name) for name in self.TARGETS if getattr(self, f"{name}_id"))
