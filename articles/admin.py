from datetime import datetime
from types import SimpleNamespace

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from reversion.models import Version
from reversion_compare.admin import CompareVersionAdmin
from taggit.models import Tag, TaggedItem

from audit.models import AuditEntry

from .duplicates import dismissed_ids, duplicate_warnings, find_duplicates
from .models import (
    WORKFLOW,
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
    is_editor,
)
from .related import refresh_related
from .text import plain_text
from .workflow import restore_revision, revision_content, take_transition

CONFLICT_FIELDS = ["headline", "deck", "standfirst", "body", "theme", "lead_image", "tags", "expire_at", "slug"]
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
    # Django's own list: reversion's adds "Recover deleted articles", and the bin is the one way back.
    change_list_template = "admin/change_list.html"
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

    def get_actions(self, request):
        """Django's "delete selected" (the bin step, with its confirmation page), and one bulk
        action per step that needs no note or time, for whoever may take it."""
        actions = super().get_actions(request)
        for step in WORKFLOW.values():
            may = request.user.has_perm(step.permission) or (
                step.author_permission and request.user.has_perm(step.author_permission)
            )
            if (
                may
                and not step.from_bin
                and step.note != "required"
                and step.time != "required"
                and step.name != "delete"
            ):
                name = f"step_{step.name}"
                actions[name] = (bulk_step(step.name), name, f"{step.label}: the selected articles")
        return actions

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
        return queryset.filter(pk__in=Article.objects.authored_by(request.user).values("pk"))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.can_edit(request.user))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.refusal("delete", request.user) is None)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the list with a message; a refusal here is a plain 404.
        raise Http404("No such article.")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.has_been_published():
            return ["slug"]
        return []

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and obj.has_been_published():
            return {}
        return self.prepopulated_fields

    def save_model(self, request, obj, form, change):
        # The expiry time is a workflow field: the form offers it, the "expiry" step sets it.
        expiry_changed = "expire_at" in form.changed_data
        if expiry_changed:
            expire_at = obj.expire_at
            obj.expire_at = Article.all_objects.filter(pk=obj.pk).values_list("expire_at", flat=True).first()
        if not change:
            obj.created_by = request.user
        obj.modified_by = request.user
        marked_update = form.cleaned_data.get("significant_update") and is_editor(request.user)
        if marked_update:
            obj.updated_at = timezone.now().replace(microsecond=0)
        was_live = change and obj.is_live()
        super().save_model(request, obj, form, change)
        if marked_update:
            ArticleEvent.objects.create(article=obj, action=Action.UPDATE, actor=request.user)
        if was_live:
            AuditEntry.record(request.user, "article.edit_live", obj, {"fields": form.changed_data})
        if expiry_changed:
            take_transition(obj, "expiry", user=request.user, when=expire_at)

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
        take_transition(obj, "delete", user=request.user)

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
            path(
                "<path:object_id>/history/<int:version_id>/",
                self.admin_site.admin_view(self.revision_view),
                name="articles_article_revision",
            ),
            *(url for url in super().get_urls() if url.name not in REVERSION_VIEWS_REPLACED),
        ]

    def history_view(self, request, object_id, extra_context=None):
        # reversion lists the versions of any id it is given: only for an article the user may see.
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404("No such article.")
        return super().history_view(request, object_id, extra_context)

    def compare_view(self, request, object_id, extra_context=None):
        # reversion-compare loads the article without asking the admin who may see it.
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404("No such article.")
        return super().compare_view(request, object_id, extra_context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Restore an earlier revision's content as a new save (replaces django-reversion's view,
        which reverted workflow fields and bookkeeping too): GET asks, POST restores."""
        article = self.get_object(request, unquote(object_id))
        if article is None or not article.can_edit(request.user):
            raise Http404("No such article.")
        version = get_object_or_404(
            Version.objects.get_for_object(article).select_related("revision__user"), pk=version_id
        )
        if request.method == "POST":
            try:
                restore_revision(article, version, user=request.user)
            except TransitionNotAllowed as refusal:
                raise PermissionDenied(str(refusal)) from None
            messages.success(request, f"Restored the revision of {admin_time(version.revision.date_created)}.")
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))
        content = revision_content(version)
        rows = [
            ("Headline", article.headline, content["headline"]),
            ("Deck", article.deck, content["deck"]),
            ("Standfirst", article.standfirst, content["standfirst"]),
            ("Body", article.body, content["body"]),
            ("Authors", show(article.byline), show(Author.objects.filter(pk__in=content["author_ids"]))),
            ("Tags", show(article.tags.all()), show(Tag.objects.filter(pk__in=content["tag_ids"]))),
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Restore the revision of {admin_time(version.revision.date_created)}?",
            "rows": [(label, now or "", then or "") for label, now, then in rows if (now or "") != (then or "")],
            "version": version,
        }
        return TemplateResponse(request, "admin/articles/article/restore_revision.html", context)

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
        # scikit-learn is loaded only where suggestions are made, not in every web worker.
        from themes.suggestions import suggest_themes

        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        text = {name: request.POST.get(name, "")[:20_000] for name in ("headline", "deck", "standfirst", "body")}
        article_id = request.POST.get("article") or None
        if article_id is not None and (not article_id.isdigit() or len(article_id) > 18):
            return HttpResponseBadRequest("“article” must be the number of an article.")
        article_id = int(article_id) if article_id else None
        duplicates = find_duplicates(headline=text["headline"], standfirst=text["standfirst"], exclude=article_id)
        visible = set(
            Article.objects.visible_to(request.user)
            .filter(pk__in=[other.pk for other, *_ in duplicates])
            .values_list("pk", flat=True)
        )
        duplicates = [found for found in duplicates if found[0].pk in visible]
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
        other_id = request.POST.get("other", "")
        if not other_id.isdigit() or len(other_id) > 18:
            return HttpResponseBadRequest("“other” must be the number of an article.")
        other = Article.objects.visible_to(request.user).filter(pk=other_id).first()
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
                steps=[WORKFLOW[name] for name in article.allowed_transitions(request.user)],
                events=article.events.select_related("actor"),
                zone_note=zone_note(),
                default_publish_at=timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                current_publish_at=(
                    timezone.localtime(article.publish_at).strftime("%Y-%m-%dT%H:%M") if article.publish_at else ""
                ),
                state=article.state(),
                publish_time=admin_time(article.publish_at),
                duplicates=[found for found in duplicate_warnings(article) if found[0].can_view(request.user)],
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def transition_view(self, request, object_id, name):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("No such article.")
        refusal = article.refusal(name, request.user)
        if refusal:
            raise PermissionDenied(refusal)
        change_url = reverse("admin:articles_article_change", args=[article.pk])
        try:
            when = parse_local_datetime(request.POST.get("when", ""))
            take_transition(article, name, user=request.user, note=request.POST.get("note", ""), when=when)
        except (TransitionNotAllowed, ValueError) as refusal:
            messages.error(request, str(refusal.args[0] if refusal.args else refusal))
            return HttpResponseRedirect(change_url)
        article.refresh_from_db()
        done = WORKFLOW[name].done.capitalize()
        if name in ("approve", "reschedule"):
            when = "now live" if article.is_live() else f"goes live {admin_time(article.publish_at)}"
            messages.success(request, f"{done}: “{article}” {when}.")
        else:
            messages.success(request, f"{done}: “{article}”.")
        return HttpResponseRedirect(change_url)


def bulk_step(name):
    def take_for_each(modeladmin, request, queryset):
        taken, refused = [], []
        for article in queryset:
            try:
                take_transition(article, name, user=request.user)
                taken.append(article)
            except TransitionNotAllowed as refusal:
                refused.append(f"“{article}”: {refusal}")
        if taken:
            messages.success(request, f"{WORKFLOW[name].done.capitalize()}: {len(taken)} article(s).")
        for reason in refused:
            messages.error(request, f"Not {WORKFLOW[name].done}: {reason}")

    return take_for_each


# django-reversion's views this admin does not offer: its revision view reverted workflow
# fields (replaced by revision_view above), and its recover views brought articles back
# around the bin.
REVERSION_VIEWS_REPLACED = {"articles_article_revision", "articles_article_recoverlist", "articles_article_recover"}


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
        for article in queryset:
            take_transition(article, "undelete", user=request.user)
        messages.success(request, f"Restored {len(queryset)} article(s) from the bin.")

    @admin.action(description="Purge the selected articles for good")
    def purge(self, request, queryset):
        if not request.user.is_superuser:
            raise PermissionDenied("Only superusers can purge articles.")
        count = len(queryset)
        for article in queryset:
            AuditEntry.record(request.user, "article.purge", article)
            Article.all_objects.filter(pk=article.pk).delete()
        messages.success(request, f"Purged {count} article(s) permanently.")
