from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from images import processing

from .models import FollowLink, SiteSettings


class SiteSettingsForm(forms.ModelForm):
    # A plain file field, as in the image library: images.processing says exactly what is wrong,
    # instead of Django's one generic "not an image" message.
    logo = forms.FileField(
        required=False,
        help_text=SiteSettings._meta.get_field("logo").help_text,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )

    class Meta:
        model = SiteSettings
        fields = ["name", "logo", "copyright_holder"]

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
        widget=forms.URLInput(attrs={"class": "vTextField"}),
        help_text=FollowLink._meta.get_field("url").help_text,
    )

    class Meta:
        model = FollowLink
        fields = ["label", "url", "position"]


class FollowLinkInline(admin.StackedInline):
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
        if not row.logo_width:
            return "—"
        return format_html(
            '<img src="{}" alt="" width="{}" height="{}" style="{}"><br>{} × {} pixels',
            row.logo.url,
            row.logo_width,
            row.logo_height,
            "width: auto; height: auto; max-height: 3.5rem; max-width: 100%",
            row.logo_width,
            row.logo_height,
        )
