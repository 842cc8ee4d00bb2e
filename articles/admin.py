from datetime import datetime
from types import SimpleNamespace

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from reversion_compare.admin import CompareVersionAdmin
from taggit.models import Tag, TaggedItem

from .duplicates import dismissed_ids, duplicate_warnings, find_duplicates
from .models import (
    TRANSITIONS,
    Action,
    Article,
    ArticleEvent,
    ArticleInBin,
    Author,
    Byline,
    Correction,
    ShareLink,
    State,
    TransitionNotAllowed,
)
from .related import refresh_related
from .text import plain_text
from .workflow import take_transition

CONFLICT_FIELDS = ["headline", "deck", "standfirst", "body", "theme", "lead_image", "tags", "expire_at", "slug"]
# Fields only workflow transitions may change; restoring a revision leaves them as they are.
WORKFLOW_FIELDS = ["status", "publish_at", "withdrawn_reason", "updated_at"]
PRESENCE_SECONDS = 300  # "being edited by" notices fade this long after the last sign of life

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


class CorrectionInline(admin.StackedInline):
    model = Correction
    extra = 0
    fields = ["text", "published_at"]
    verbose_name_plural = "Corrections (shown to readers at the foot of the article)"


class ArticleAdminForm(forms.ModelForm):
    """The article form, refusing to overwrite a save made after it was opened."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    significant_update = forms.BooleanField(
        required=False,
        label="Significant update",
        help_text="Tick when this edit changes the story for readers: the article shows “Updated” with "
        "the time of this save. Leave it for typo fixes.",
    )

    class Meta:
        model = Article
        fields = [
            "headline",
            "deck",
            "standfirst",
            "body",
            "lead_image",
            "theme",
            "tags",
            "expire_at",
            "slug",
        ]

    # Set by the admin while a revision is being restored: the version before the restore.
    version_before_restore = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.stored_version()

    def stored_version(self):
        if self.version_before_restore is not None:
            return self.version_before_restore
        return Article.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        current = Article.objects.select_related("modified_by").get(pk=self.instance.pk)
        loaded = cleaned.get("loaded_version")
        if loaded is not None and loaded != self.stored_version():
            self.conflict = self.describe_conflict(current, cleaned)
            # Saving again after seeing the differences is a deliberate choice, not a silent overwrite.
            self.data = self.data.copy()
            self.data["loaded_version"] = self.stored_version()
            who = (
                current.modified_by.get_full_name() or current.modified_by.get_username()
                if current.modified_by
                else "Someone"
            )
            raise ValidationError(
                "%(who)s saved this article at %(when)s, after you opened it. Nothing you typed is lost: it is "
                "still in the form below. Compare it with their version, then save again to keep yours.",
                code="edit_conflict",
                params={"who": who, "when": admin_time(current.modified_at)},
            )
        return cleaned

    def describe_conflict(self, current, cleaned):
        rows = []
        for name in CONFLICT_FIELDS:
            if name not in self.fields:
                continue
            theirs = current.tags.all() if name == "tags" else getattr(current, name)
            yours = cleaned.get(name)
            theirs_text, yours_text = show(theirs), show(yours)
            if theirs_text != yours_text:
                rows.append({"field": self.fields[name].label or name, "theirs": theirs_text, "yours": yours_text})
        who = current.modified_by.get_username() if current.modified_by else "someone"
        return {"who": who, "when": admin_time(current.modified_at), "rows": rows}


def show(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return admin_time(value)
    if isinstance(value, list | tuple) or hasattr(value, "__iter__") and not isinstance(value, str):
        return ", ".join(sorted(str(item) for item in value))
    return str(value)


@admin.register(Article)
class ArticleAdmin(CompareVersionAdmin):
    form = ArticleAdminForm
    list_display = ["headline", "theme", "state_label", "publish_time"]
    list_filter = [StateFilter, "theme", "bylines__author"]
    list_select_related = ["theme"]
    search_fields = ["headline", "deck", "standfirst"]
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["theme", "lead_image"]
    inlines = [BylineInline]
    show_full_result_count = False
    list_per_page = 50
    change_form_template = "admin/articles/article/change_form.html"
    history_latest_first = True
    # Derived or bookkeeping fields; tags are compared from the revision's tagged items below.
    compare_exclude = [
        "tags",
        "tagged_items",
        "body_html",
        "version",
        "modified_at",
        "modified_by",
        "created_by",
        "deleted_at",
        "deleted_by",
        "corrected_at",
        "events",
        "share_links",
        "related_ids",
    ]

    def compare(self, obj, version1, version2):
        diff, has_unfollowed_fields = super().compare(obj, version1, version2)
        before, after = revision_tags(version1), revision_tags(version2)
        if before != after:
            diff.append(
                {
                    "field": SimpleNamespace(verbose_name="tags", help_text=""),
                    "is_related": False,
                    "follow": True,
                    "diff": format_html(
                        "<p>Removed: <del>{}</del><br>Added: <ins>{}</ins></p>",
                        ", ".join(sorted(before - after)) or "—",
                        ", ".join(sorted(after - before)) or "—",
                    ),
                }
            )
        return diff, has_unfollowed_fields

    class Media:
        js = ["js/article-edit.js", "js/theme-suggestions.js"]

    def get_fieldsets(self, request, obj=None):
        # Status and publish_at are never form fields: they change only through
        # the guarded workflow transitions, for everyone.
        main = ["headline", "deck", "standfirst", "body", "lead_image", "theme", "tags", "loaded_version"]
        fieldsets = [(None, {"fields": main})]
        if is_editor(request.user):
            publication = ["expire_at"]
            if obj is not None and obj.has_been_published():
                publication.append("significant_update")
            fieldsets.append(("Publication", {"fields": publication, "description": zone_note()}))
        fieldsets.append(("Advanced", {"classes": ["collapse"], "fields": ["slug"]}))
        return fieldsets

    def get_inlines(self, request, obj):
        if obj is not None and obj.has_been_published() and is_editor(request.user):
            return [BylineInline, CorrectionInline]
        return [BylineInline]

    @admin.display(description="State")
    def state_label(self, article):
        return article.state().label

    @admin.display(description="Publish time", ordering="publish_at")
    def publish_time(self, article):
        return admin_time(article.publish_at)

    # Who sees and edits what ----------------------------------------------------------

    def get_queryset(self, request):
        # The list never shows bodies; at 100,000 articles loading them dominates the page.
        queryset = super().get_queryset(request).defer("body", "body_html")
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
        for field, value in (getattr(request, "workflow_before_restore", None) or {}).items():
            setattr(obj, field, value)
        if not change:
            obj.created_by = request.user
        obj.modified_by = request.user
        marked_update = form.cleaned_data.get("significant_update") and is_editor(request.user)
        if marked_update:
            obj.updated_at = timezone.now().replace(microsecond=0)
        super().save_model(request, obj, form, change)
        if marked_update:
            ArticleEvent.objects.create(article=obj, action=Action.UPDATE, actor=request.user)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, Correction) and instance.pk is None:
                instance.created_by = request.user
                instance.save()
                ArticleEvent.objects.create(
                    article=form.instance, action=Action.CORRECT, actor=request.user, note=instance.text
                )
        formset.save()

    # The bin: deleting only moves an article there ---------------------------------------

    def delete_model(self, request, obj):
        obj.deleted_at, obj.deleted_by = timezone.now(), request.user
        obj.save(update_fields=["deleted_at", "deleted_by"])
        ArticleEvent.objects.create(article=obj, action=Action.DELETE, actor=request.user)

    def delete_queryset(self, request, queryset):
        for article in queryset:
            self.delete_model(request, article)

    def get_deleted_objects(self, objs, request):
        # Nothing is really deleted, so nothing related is listed, and Editors need no
        # delete permission on bylines, events or revisions.
        return [str(obj) for obj in objs], {}, set(), []

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_related(form.instance)
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
            path(
                "<path:object_id>/editing/",
                self.admin_site.admin_view(self.editing_view),
                name="articles_article_editing",
            ),
            path(
                "suggest-themes/",
                self.admin_site.admin_view(self.suggest_themes_view),
                name="articles_article_suggest_themes",
            ),
            path(
                "<path:object_id>/not-duplicate/",
                self.admin_site.admin_view(self.not_duplicate_view),
                name="articles_article_not_duplicate",
            ),
            path(
                "<path:object_id>/share/",
                self.admin_site.admin_view(self.share_view),
                name="articles_article_share",
            ),
            *super().get_urls(),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.version_before_restore = getattr(request, "version_before_restore", None)
        return form

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # The restore rewrites the row before the form runs; conflicts are judged against what was
        # there, and the workflow state stays what it is: only transitions change it.
        request.version_before_restore = (
            Article.objects.filter(pk=unquote(object_id)).values_list("version", flat=True).first()
        )
        request.workflow_before_restore = Article.objects.filter(pk=unquote(object_id)).values(*WORKFLOW_FIELDS).first()
        response = super().revision_view(request, object_id, version_id, extra_context)
        if request.method == "POST" and response.status_code == 302:
            ArticleEvent.objects.create(
                article_id=unquote(object_id), action=Action.REVERT, actor=request.user, note=f"Revision {version_id}"
            )
        return response

    def editing_view(self, request, object_id):
        """Heartbeat from an open article form: keeps the "being edited by" notice alive."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404("No such article.")
        mark_editing(object_id, request.user)
        return HttpResponse(status=204)

    def share_view(self, request, object_id):
        """Create a share link, or revoke one (POST `revoke=<id>`)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("No such article.")
        if not is_editor(request.user):
            raise PermissionDenied("Only editors can share unpublished articles.")
        if request.POST.get("revoke"):
            link = article.share_links.filter(pk=request.POST["revoke"], revoked_at__isnull=True).first()
            if link:
                link.revoked_at = timezone.now()
                link.save(update_fields=["revoked_at"])
                ArticleEvent.objects.create(article=article, action=Action.UNSHARE, actor=request.user)
                messages.success(request, "Share link revoked: it no longer opens the article.")
        else:
            link = ShareLink.objects.create(article=article, created_by=request.user)
            ArticleEvent.objects.create(
                article=article, action=Action.SHARE, actor=request.user, note=f"Expires {admin_time(link.expires_at)}"
            )
            messages.success(request, f"Share link created; it works until {admin_time(link.expires_at)}.")
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def suggest_themes_view(self, request):
        """JSON for the open article form: the likeliest themes for the text typed so far, and
        recent articles it may duplicate. POST headline, deck, standfirst, body (and `article`, its id)."""
        from themes.suggestions import suggest_themes

        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        text = {name: request.POST.get(name, "")[:20_000] for name in ("headline", "deck", "standfirst", "body")}
        article_id = request.POST.get("article") or None
        article_id = int(article_id) if article_id and article_id.isdigit() else None
        duplicates = find_duplicates(headline=text["headline"], standfirst=text["standfirst"], exclude=article_id)
        if article_id:
            dismissed = dismissed_ids(article_id)
            duplicates = [found for found in duplicates if found[0].pk not in dismissed]
        return JsonResponse(
            {
                "themes": suggest_themes(**text),
                "duplicates": [
                    {
                        "id": other.pk,
                        "headline": plain_text(other.headline),
                        "url": reverse("admin:articles_article_change", args=[other.pk]),
                        "similarity": score,
                        "field": field,
                        "when": admin_time(other.publish_at),
                    }
                    for other, score, field in duplicates[:5]
                ],
            }
        )

    def not_duplicate_view(self, request, object_id):
        """An editor says the article is not a duplicate of `other`: the warning goes, the history says so."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_change_permission(request, article):
            raise Http404("No such article.")
        other = Article.objects.filter(pk=request.POST.get("other") or 0).first()
        if other is None:
            raise Http404("No such article.")
        ArticleEvent.objects.create(
            article=article,
            action=Action.NOT_DUPLICATE,
            actor=request.user,
            other_article=other,
            note=f"Not a duplicate of “{plain_text(other.headline)}”",
        )
        messages.success(request, f"Warning dismissed: “{article}” is not a duplicate of “{other}”.")
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, unquote(object_id))
        extra_context = extra_context or {}
        if article is not None:
            others = others_editing(article.pk, request.user)
            mark_editing(article.pk, request.user)
            extra_context.update(
                others_editing=others,
                share_links=[link for link in article.share_links.all() if link.is_valid()]
                if is_editor(request.user)
                else [],
                can_share=is_editor(request.user) and not article.is_live(),
                preview_url=reverse("articles:preview", args=[article.pk]),
                transitions=article.allowed_transitions(request.user),
                events=article.events.select_related("actor"),
                zone_note=zone_note(),
                default_publish_at=timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                current_publish_at=(
                    timezone.localtime(article.publish_at).strftime("%Y-%m-%dT%H:%M") if article.publish_at else ""
                ),
                state=article.state(),
                publish_time=admin_time(article.publish_at),
                duplicates=duplicate_warnings(article),
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


def revision_tags(version):
    """The tag names saved in the same revision as `version`."""
    tag_ids = [
        other.field_dict["tag_id"]
        for other in version.revision.version_set.all()
        if other.content_type.model_class() is TaggedItem
    ]
    return set(Tag.objects.filter(pk__in=tag_ids).values_list("name", flat=True))


def presence_key(article_id):
    return f"articles:editing:{article_id}"


def mark_editing(article_id, user):
    """Note in the shared cache that `user` has the article open (advisory, expires by itself)."""
    now = timezone.now()
    present = {
        uid: entry
        for uid, entry in (cache.get(presence_key(article_id)) or {}).items()
        if (now - entry["seen"]).total_seconds() < PRESENCE_SECONDS
    }
    entry = present.get(user.pk) or {"name": user.get_full_name() or user.get_username(), "since": now}
    present[user.pk] = {**entry, "seen": now}
    cache.set(presence_key(article_id), present, PRESENCE_SECONDS)


def others_editing(article_id, user):
    now = timezone.now()
    return [
        {"name": entry["name"], "since": timezone.localtime(entry["since"]).strftime("%H:%M")}
        for uid, entry in (cache.get(presence_key(article_id)) or {}).items()
        if uid != user.pk and (now - entry["seen"]).total_seconds() < PRESENCE_SECONDS
    ]


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


@admin.register(ArticleInBin)
class BinAdmin(admin.ModelAdmin):
    """Deleted articles: editors restore them, only superusers purge them for good."""

    list_display = ["headline", "deleted_at", "deleted_by"]
    search_fields = ["headline"]
    actions = ["restore", "purge"]

    def has_module_permission(self, request):
        return is_editor(request.user)

    def has_view_permission(self, request, obj=None):
        return is_editor(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("purge", None)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Restore the selected articles from the bin")
    def restore(self, request, queryset):
        if not is_editor(request.user):
            raise PermissionDenied
        for article in queryset:
            article.deleted_at = article.deleted_by = None
            article.save(update_fields=["deleted_at", "deleted_by"])
            ArticleEvent.objects.create(article_id=article.pk, action=Action.UNDELETE, actor=request.user)
        messages.success(request, f"Restored {len(queryset)} article(s) from the bin.")

    @admin.action(description="Purge the selected articles for good")
    def purge(self, request, queryset):
        if not request.user.is_superuser:
            raise PermissionDenied("Only superusers can purge articles.")
        count = len(queryset)
        for article in queryset:
            Article.all_objects.filter(pk=article.pk).delete()
        messages.success(request, f"Purged {count} article(s) permanently.")
