from django.contrib import admin

from .models import Page


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    """Editors keep the static pages (the Editors group holds the page permissions)."""

    list_display = ["title", "path", "is_published", "in_footer", "footer_position", "modified_at"]
    list_filter = ["is_published", "in_footer"]
    search_fields = ["title", "path"]
    fields = ["title", "path", "body", "is_published", "in_footer", "footer_position"]
