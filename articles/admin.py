from django.contrib import admin

from articles.templatetags.news import newsroom_time

from .models import Article, Author, Byline, State


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return State.choices

    def queryset(self, request, queryset):
        if self.value() in State.values:
            return queryset.in_state(State(self.value()))
        return queryset


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ["author"]
    verbose_name = "author"
    verbose_name_plural = "Byline (lowest position first)"


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["headline", "theme", "state_label", "publish_time"]
    list_filter = [StateFilter, "theme", ("bylines__author", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["theme"]
    search_fields = ["headline", "deck", "standfirst"]
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["theme", "lead_image"]
    inlines = [BylineInline]
    date_hierarchy = None
    show_full_result_count = False
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["headline", "deck", "standfirst", "body", "lead_image", "theme", "tags"]}),
        ("Publication", {"fields": ["status", "publish_at", "expire_at", "updated_at"]}),
        ("Advanced", {"classes": ["collapse"], "fields": ["slug"]}),
    ]

    @admin.display(description="State")
    def state_label(self, article):
        return article.state().label

    @admin.display(description="Publish time", ordering="publish_at")
    def publish_time(self, article):
        return newsroom_time(article.publish_at) if article.publish_at else "—"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.has_been_published():
            return ["slug"]
        return []

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and obj.has_been_published():
            return {}
        return self.prepopulated_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["user"]


admin.site.empty_value_display = "—"
