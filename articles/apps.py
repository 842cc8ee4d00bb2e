from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"

    def ready(self):
        from images.models import SHOWN_LIVE

        from .models import image_shown_live

        SHOWN_LIVE.append(image_shown_live)

        from . import cache, events

        cache.declare()
        events.connect()

        from taggit.models import Tag

        from .slugs import tag_slug

        Tag.slugify = tag_slug
