from datetime import datetime

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from .models import TRANSITIONS, Article, Author, Byline, State, TransitionNotAllowed
from .workflow import take_transition

# "Tue 26 Nov, 09:00 EET": short enough for a list column, zone always shown.
ADMIN_TIME_FORMAT = "D j M Y, H:i T"


def admin_time(value):
    return format_date(timezone.localtime(value), ADMIN_TIME_FORMAT) if value else "—"


def zone_note():
    now = timezone.localtime()
    return f"Times are entered and shown in the newsroom’s zone, {timezone.get_current_timezone_name()} ({now:%Z})."


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


def is_editor(user):
    return user.has_perm("articles.publish_article")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["headline", "theme", "state_label", "publish_time"]
    list_filter = [StateFilter, "theme", ("bylines__author", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["theme"]
    search_fields = ["headline", "deck", "standfirst"]
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["theme"]
    raw_id_fields = ["lead_image"]
    inlines = [BylineInline]
    show_full_result_count = False
    list_per_page = 50
    change_form_template = "admin/articles/article/change_form.html"

    def get_fieldsets(self, request, obj=None):
        # Status and publish_at are never form fields: they change only through
        # the guarded workflow transitions, for everyone.
        fieldsets = [(None, {"fields": ["headline", "deck", "standfirst", "body", "lead_image", "theme", "tags"]})]
        if is_editor(request.user):
            fieldsets.append(("Publication", {"fields": ["expire_at", "updated_at"], "description": zone_note()}))
        fieldsets.append(("Advanced", {"classes": ["collapse"], "fields": ["slug"]}))
        return fieldsets

    @admin.display(description="State")
    def state_label(self, article):
        return article.state().label

    @admin.display(description="Publish time", ordering="publish_at")
    def publish_time(self, article):
        return admin_time(article.publish_at)

    # Who sees and edits what ----------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_editor(request.user):
            return queryset
        user = request.user
        mine = Article.objects.filter(Q(created_by=user) | Q(bylines__author__user=user)).values("pk")
        return queryset.filter(pk__in=mine)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.can_edit(request.user))

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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        author = getattr(request.user, "author", None)
        if not change and author and not form.instance.bylines.exists():
            Byline.objects.create(article=form.instance, author=author)

    # Workflow -----------------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/transition/<slug:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="articles_article_transition",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, unquote(object_id))
        extra_context = extra_context or {}
        if article is not None:
            extra_context.update(
                transitions=article.allowed_transitions(request.user),
                events=article.events.select_related("actor"),
                zone_note=zone_note(),
                default_publish_at=timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                current_publish_at=(
                    timezone.localtime(article.publish_at).strftime("%Y-%m-%dT%H:%M") if article.publish_at else ""
                ),
                state=article.state(),
                publish_time=admin_time(article.publish_at),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def transition_view(self, request, object_id, name):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("No such article.")
        if name not in TRANSITIONS or name not in article.allowed_transitions(request.user):
            raise PermissionDenied(article._refusal(name, request.user) if name in TRANSITIONS else "No such step.")
        change_url = reverse("admin:articles_article_change", args=[article.pk])
        try:
            publish_at = parse_local_datetime(request.POST.get("publish_at", ""))
            take_transition(article, name, user=request.user, note=request.POST.get("note", ""), publish_at=publish_at)
        except (TransitionNotAllowed, ValueError) as refusal:
            messages.error(request, str(refusal.args[0] if refusal.args else refusal))
            return HttpResponseRedirect(change_url)
        article.refresh_from_db()
        done = TRANSITIONS[name]["done"].capitalize()
        if name in ("approve", "reschedule"):
            when = "now live" if article.is_live() else f"goes live {admin_time(article.publish_at)}"
            messages.success(request, f"{done}: “{article}” {when}.")
        else:
            messages.success(request, f"{done}: “{article}”.")
        return HttpResponseRedirect(change_url)


def parse_local_datetime(value):
    """A `datetime-local` input's value, read in the newsroom's zone (None when empty)."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"“{value}” is not a date and time; use the picker or YYYY-MM-DD HH:MM.") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["user"]


admin.site.empty_value_display = "—"
