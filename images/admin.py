from django.contrib import admin
from django.http import Http404
from django.utils.html import format_html

from audit.models import AuditEntry

from .forms import ImageForm, upload_stored_first
from .models import Image
from .permissions import image_policy


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageForm
    # The title heads each row and is its link (a picture alone would be a link with no name).
    list_display = ["title", "thumbnail", "credit", "dimensions", "inline_code", "uploaded_by", "uploaded_at"]
    list_display_links = ["title"]
    list_select_related = ["uploaded_by"]
    search_fields = ["title", "caption", "credit", "alt_text"]
    date_hierarchy = "uploaded_at"
    readonly_fields = ["focal_point_picker", "dimensions", "inline_code", "uploaded_by", "uploaded_at"]
    fieldsets = [
        (None, {"fields": ["file", "title", "alt_text", "caption", "credit"]}),
        (
            "Focal point",
            {
                "fields": ["focal_point_picker", "focal_x", "focal_y"],
                "description": "Click the part of the picture that must stay in view when it is cropped, "
                "or type the point as fractions of the width and height.",
            },
        ),
        (
            "In the library",
            {
                "fields": ["dimensions", "inline_code", "uploaded_by", "uploaded_at"],
                "description": "To show this picture inside an article, put its code (such as [image:42]) on a "
                "line of its own in the article's body, with a blank line before and after. Readers see it "
                "there with its caption and credit. To make it the picture at the top of an article, choose it "
                "as the article's lead image; one picture can serve many articles.",
            },
        ),
    ]

    class Media:
        js = ["images/admin/focal-point.js"]
        css = {"all": ["images/admin/focal-point.css"]}

    @admin.display(description="Preview")
    def thumbnail(self, image):
        smallest = next(iter(image.sources("WEBP") or image.sources(image.fallback_format)), None)
        if not smallest:
            return "—"
        return format_html(
            '<img src="{}" alt="" width="80" height="{}" class="image-thumbnail">',
            image.file.storage.url(smallest["name"]),
            round(80 * smallest["height"] / smallest["width"]),
        )

    @admin.display(description="Size")
    def dimensions(self, image):
        return f"{image.width} × {image.height}" if image.width else "—"

    @admin.display(description="In an article body")
    def inline_code(self, image):
        """The line an editor puts, on its own, in an article body to show this picture there."""
        return image.inline_code if image.pk else "—"

    @admin.display(description="Preview")
    def focal_point_picker(self, image):
        preview = next(reversed(image.sources(image.fallback_format)), None) if image.pk else None
        url = image.file.storage.url(preview["name"]) if preview else ""
        return format_html(
            '<div class="focal-point-picker" data-src="{}" data-focal-x="{}" data-focal-y="{}"><p>{}</p></div>',
            url,
            "" if image.focal_x is None else image.focal_x,
            "" if image.focal_y is None else image.focal_y,
            "Choose a file to see it here." if not url else "",
        )

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or image_policy.user_has_permission_for_instance(request.user, "change", obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or image_policy.user_has_permission_for_instance(request.user, "delete", obj))

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404("No such image.")

    def changeform_view(self, request, *args, **kwargs):
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            return super().changeform_view(request, *args, **kwargs)
        with upload_stored_first(request):
            return super().changeform_view(request, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        new_file = "file" in form.changed_data
        if change:
            detail = {"fields": form.changed_data, "shown_live": obj.shown_live()}
            AuditEntry.record(request.user, "image.replace" if new_file else "image.change", obj, detail)
        super().save_model(request, obj, form, change)
        if change and not new_file and {"focal_x", "focal_y"} & set(form.changed_data):
            obj.regenerate_renditions()
