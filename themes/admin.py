from django import forms
from django.contrib import admin

from .models import Theme


class ThemeRowForm(forms.ModelForm):
    """A row of the list's editable columns: each input named after its theme for screen
    readers (Django gives them no label)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            label = f"{self.fields[name].label}: {self.instance.name}"
            self.fields[name].widget.attrs["aria-label"] = label


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active", "position"]
    list_editable = ["is_active", "position"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["lead_article"]
    fields = ["name", "slug", "description", "summary", "lead_article", "is_active", "position"]

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=ThemeRowForm, **kwargs)
