from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.shortcuts import redirect
from django.urls import reverse

from images import processing

from .models import FollowLink, SiteSettings


class SiteSettingsForm(forms.ModelForm):
    class Meta:
        model = SiteSettings
        fields = ["name", "logo", "copyright_holder"]
        widgets = {"logo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"})}

    def clean_logo(self):
        upload = self.cleaned_data["logo"]
        if isinstance(upload, UploadedFile):
            processing.prepare(upload)  # says exactly what is wrong: not an image, too large, damaged
        return upload


class FollowLinkForm(forms.ModelForm):
    url = forms.URLField(
        label="Address",
        max_length=500,
        assume_scheme="https",
        help_text=FollowLink._meta.get_field("url").help_text,
    )

    class Meta:
        model = FollowLink
        fields = ["label", "url", "position"]


class FollowLinkInline(admin.TabularInline):
    model = FollowLink
    form = FollowLinkForm
    extra = 1
    verbose_name_plural = "“Follow us” links (the footer always lists the site’s RSS and Atom feeds first)"


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """One row: the list goes straight to it, and it can be neither added nor deleted."""

    form = SiteSettingsForm
    inlines = [FollowLinkInline]
    fieldsets = [
        (None, {"fields": ["name", "logo", "logo_size"]}),
        ("Footer", {"fields": ["copyright_holder"]}),
    ]
    readonly_fields = ["logo_size"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        row = SiteSettings.load()
        return redirect(reverse("admin:sitesettings_sitesettings_change", args=[row.pk]))

    @admin.display(description="Logo as stored")
    def logo_size(self, row):
        return f"{row.logo_width} × {row.logo_height} pixels" if row.logo_width else "—"
