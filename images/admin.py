from django.contrib import admin

from .models import Image


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["title", "credit", "width", "height", "uploaded_at"]
    search_fields = ["title", "caption", "credit", "alt_text"]
    readonly_fields = ["width", "height", "uploaded_by", "uploaded_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
