"""What the API shows of each thing. Read serializers take what public pages take:
`plain_text` headlines, the sanitised body, live articles only (the views decide that)."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from taggit.models import Tag

from articles.models import Article, Author, Correction
from articles.text import plain_text
from images.models import Image
from images.pictures import absolute, with_inline_images
from themes.models import Theme


class AbsoluteUrlField(serializers.SerializerMethodField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def to_representation(self, value):
        return absolute(value.get_absolute_url())


@extend_schema_field(serializers.URLField())
class CanonicalUrl(AbsoluteUrlField):
    pass


class ThemeSerializer(serializers.ModelSerializer):
    url = CanonicalUrl()

    class Meta:
        model = Theme
        fields = ["id", "name", "slug", "description", "url"]


class ThemeDetailSerializer(ThemeSerializer):
    class Meta(ThemeSerializer.Meta):
        fields = [*ThemeSerializer.Meta.fields, "summary"]


class AuthorSerializer(serializers.ModelSerializer):
    url = CanonicalUrl()

    class Meta:
        model = Author
        fields = ["id", "name", "slug", "bio", "url"]


class TagSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Tag
        fields = ["name", "slug", "url"]

    def get_url(self, tag) -> str:
        return absolute(reverse("articles:tag", kwargs={"slug": tag.slug}))


class RenditionSerializer(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    format = serializers.CharField(help_text="JPEG, PNG or WEBP.")
    kind = serializers.CharField(help_text="“width” (responsive sizes) or “social” (the 1200 × 630 card).")


class ImageSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    renditions = serializers.SerializerMethodField()

    class Meta:
        model = Image
        fields = ["id", "alt_text", "caption", "credit", "width", "height", "url", "renditions"]

    def get_url(self, image) -> str:
        return absolute(image.file.url)

    @extend_schema_field(RenditionSerializer(many=True))
    def get_renditions(self, image):
        storage = image.file.storage
        return [
            {
                "url": absolute(storage.url(r["name"])),
                "width": r["width"],
                "height": r["height"],
                "format": r["format"],
                "kind": r["kind"],
            }
            for r in image.renditions
        ]


class CorrectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Correction
        fields = ["text", "published_at"]


class ArticleSerializer(serializers.ModelSerializer):
    headline = serializers.SerializerMethodField()
    deck = serializers.SerializerMethodField()
    published_at = serializers.DateTimeField(source="publish_at", help_text="In the newsroom's zone, with its offset.")
    updated_at = serializers.DateTimeField(
        allow_null=True, help_text="Set when an editor marked a significant update; null otherwise."
    )
    modified_at = serializers.DateTimeField(help_text="The last edit of any kind, for syncing.")
    url = CanonicalUrl()
    authors = serializers.SerializerMethodField()
    theme = ThemeSerializer(allow_null=True)
    tags = TagSerializer(many=True)
    lead_image = ImageSerializer(allow_null=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "headline",
            "deck",
            "standfirst",
            "url",
            "published_at",
            "updated_at",
            "modified_at",
            "authors",
            "theme",
            "tags",
            "lead_image",
        ]

    def get_headline(self, article) -> str:
        return plain_text(article.headline)

    def get_deck(self, article) -> str:
        return plain_text(article.deck)

    @extend_schema_field(AuthorSerializer(many=True))
    def get_authors(self, article):
        return AuthorSerializer(article.byline, many=True).data


class ArticleDetailSerializer(ArticleSerializer):
    body_html = serializers.SerializerMethodField(help_text="Sanitised HTML, pictures included.")
    corrections = serializers.SerializerMethodField()

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "body_html", "corrections"]

    def get_body_html(self, article) -> str:
        return str(with_inline_images(article.body_html))

    @extend_schema_field(CorrectionSerializer(many=True))
    def get_corrections(self, article):
        return CorrectionSerializer(article.corrections.all() if article.corrected_at else [], many=True).data


class SearchResultSerializer(ArticleSerializer):
    snippet = serializers.CharField(help_text="Plain text around the match.")

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "snippet"]
