from functools import partial
from types import SimpleNamespace

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from reversion_compare.admin import CompareVersionAdmin
from taggit.models import Tag, TaggedItem

from articles.body import BODY_LIMIT, render_body
from articles.clock import NewsroomTimeInput, admin_time, input_value, parse_local_datetime, zone_note
from articles.door import EditConflict, save_content
from articles.events import related_stale
from articles.models import (
    WORKFLOW,
    Action,
    Article,
    ArticleEvent,
    ArticleInBin,
    Author,
    Byline,
    Correction,
    DraftCopy,
    State,
    Status,
    TransitionNotAllowed,
    step_where,
)
from articles.permissions import article_policy
from articles.workflow import take_step
from audit.models import AuditEntry
from similarity.duplicates import duplicate_warnings

from . import views as admin_views
from .forms import ArticleAdminForm, unsigned
from .presence import others_editing, stop_editing


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return State.choices

    def queryset(self, request, queryset):
        if self.value() in State.values:
            return queryset.in_state(State(self.value()))
        return queryset


class BylineFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:  # a table cell without a visible label still needs a name
            form.fields["DELETE"].widget.attrs["aria-label"] = "Remove this author"


class BylineInline(admin.TabularInline):
    """Authors in byline order: drag the rows (js/writing-desk.js keeps the positions)."""

    model = Byline
    formset = BylineFormSet
    extra = 1
    autocomplete_fields = ["author"]
    verbose_name = "author"
    verbose_name_plural = "Byline (drag to reorder)"
    classes = ["byline-inline"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "position":
            field.widget.attrs.update({"aria-label": "Position in the byline", "class": "byline-position"})
        if db_field.name == "author":
            field.widget.attrs["aria-label"] = "Author"
        return field


class CorrectionInline(admin.StackedInline):
    model = Correction
    # The browser's own picker, read in the newsroom's zone: no "you are N hours behind" note.
    formfield_overrides = {
        models.DateTimeField: {
            "widget": NewsroomTimeInput,
            "form_class": forms.DateTimeField,
        }
    }
    extra = 0
    fields = ["text", "published_at"]
    verbose_name_plural = "Corrections (shown to readers at the foot of the article)"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "published_at":
            # Its help text in the label: Django also points the hidden "initial" copy of a field
            # with a default at the help text, which is invalid HTML.
            field.label, field.help_text = "Date shown to readers with the correction", ""
        return field


class LabelledAutocompleteSelect(AutocompleteSelect):
    """Django's picker, whose "none" choice is an empty <option> (invalid HTML, and nothing
    for a screen reader to say)."""

    def create_option(self, name, value, label, *args, **kwargs):
        return super().create_option(name, value, label if value != "" else "—", *args, **kwargs)


@admin.register(Article)
class ArticleAdmin(CompareVersionAdmin):
    form = ArticleAdminForm
    list_display = ["headline", "byline_names", "theme", "state_label", "publish_time", "on_site"]
    list_filter = [StateFilter, "theme", "bylines__author", ("publish_at", admin.DateFieldListFilter)]
    list_select_related = ["theme"]
    search_fields = ["headline"]  # a search box; the words are found by get_search_results
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
        # The body editor last: it takes over the body that writing-desk.js has laid out.
        js = ["js/article-edit.js", "js/theme-suggestions.js", "js/writing-desk.js", "js/body-editor.js"]

    def construct_change_message(self, request, form, formsets, add=False):
        """Django's "Changed Body and Base.", without the merge's bookkeeping fields."""
        message = super().construct_change_message(request, form, formsets, add)
        # Named as Django names them here: the field's own label, else its name ("base"). The base
        # is signed with the second it was made, so it "changes" whenever a second passed.
        bookkeeping = {
            str(form.fields[name].label or name) for name in ("loaded_version", "base", "theirs") if name in form.fields
        }
        for entry in message:
            if "changed" in entry and "name" not in entry["changed"]:
                entry["changed"]["fields"] = [f for f in entry["changed"]["fields"] if f not in bookkeeping]
        return [entry for entry in message if entry.get("changed", {"fields": True})["fields"]]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget", LabelledAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        # Status, publication and expiry times are never form fields: they change only through
        # the workflow's steps (the buttons above the form), for everyone.
        main = ["headline", "deck", "standfirst", "body", "lead_image", "theme", "tags"]
        # The merge's hidden fields (loaded_version, base, theirs) are declared on the form and
        # drawn by the template: in a fieldset Django would give each a label for nothing.
        fieldsets = [(None, {"fields": main})]
        if obj is not None and article_policy.user_has_permission_for_instance(request.user, "correct", obj):
            fieldsets.append(("Publication", {"fields": ["significant_update"]}))
        fieldsets.append(("Advanced", {"classes": ["collapse"], "fields": ["slug"]}))
        return fieldsets

    def get_actions(self, request):
        """The table's bulk steps, for whoever may take them; the bin's step replaces Django's
        "delete selected", which said it deleted what it moved to the bin."""
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return {**actions, **bulk_steps(request.user, from_bin=False)}

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        author = getattr(request.user, "author", None)
        if (
            isinstance(inline, BylineInline)
            and (obj is None or obj._state.adding)
            and author
            and request.method == "GET"
        ):
            kwargs["initial"] = [{"author": author.pk, "position": 0}]  # a new article is the writer's own
        return kwargs

    def get_inlines(self, request, obj):
        if obj is not None and article_policy.user_has_permission_for_instance(request.user, "correct", obj):
            return [BylineInline, CorrectionInline]
        return [BylineInline]

    @admin.display(description="Byline")
    def byline_names(self, article):
        return ", ".join(author.name for author in article.byline) or "—"

    @admin.display(description="On the site")
    def on_site(self, article):
        if not article.is_live():
            return "—"
        return format_html('<a href="{}" target="_blank" rel="noopener">View</a>', article.get_absolute_url())

    @admin.display(description="State")
    def state_label(self, article):
        return article.state().label

    @admin.display(description="Publish time", ordering="publish_at")
    def publish_time(self, article):
        return admin_time(article.publish_at)

    # Who sees and edits what ----------------------------------------------------------

    def get_search_results(self, request, queryset, search_term):
        return queryset.with_words(search_term), False

    def get_queryset(self, request):
        # The list never shows bodies; at 100,000 articles loading them dominates the page.
        queryset = super().get_queryset(request).defer("body", "body_html").with_byline()
        return article_policy.instances_user_has_permission_for(request.user, "list", within=queryset)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or article_policy.user_has_permission_for_instance(request.user, "change", obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        into_bin = step_where(into_bin=True).name
        return allowed and (obj is None or article_policy.user_has_permission_for_instance(request.user, into_bin, obj))

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
        data = {name: form.cleaned_data[name] for name in form._meta.fields if name in form.cleaned_data}
        try:
            save_content(
                obj,
                data,
                user=request.user,
                expected_version=form.cleaned_data.get("loaded_version") if change else None,
                base=unsigned(form.cleaned_data.get("base")),
                significant=form.cleaned_data.get("significant_update", False),
            )
        except EditConflict as conflict:  # the form compared under the row's lock: only a bug lands here
            raise HeldBack(str(conflict)) from None
        stop_editing(obj.pk, request.user)
        # Saved: the person's draft copy (of this article, or of the new one they wrote) is done.
        DraftCopy.objects.filter(user=request.user, article=obj if change else None).delete()

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
        take_step(obj, step_where(into_bin=True).name, user=request.user)

    def get_deleted_objects(self, objs, request):
        # Nothing is really deleted, so nothing related is listed, and Editors need no
        # delete permission on bylines, events or revisions.
        return [str(obj) for obj in objs], {}, set(), []

    def save_related(self, request, form, formsets, change):
        # The tags were saved with the content (save_content); the bylines and corrections here.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        related_stale.send(sender=Article, article=form.instance)
        author = getattr(request.user, "author", None)
        if not change and author and not form.instance.bylines.exists():
            Byline.objects.create(article=form.instance, author=author)
        self.take_pressed_step(request, form.instance)

    def take_pressed_step(self, request, article):
        """A workflow step pressed on the article's form is taken after what was typed is saved,
        in the same transaction. A refusal, or a publication not yet confirmed, raises HeldBack:
        the admin's transaction rolls the save back and the form comes back as typed."""
        name = request.POST.get("_step") or request.POST.get("_step_at")
        if not name:
            return
        step = WORKFLOW.get(name)
        scheduled = "_step_at" in request.POST
        try:
            if request.POST.get("_confirmed") == name:
                when = parse_local_datetime(request.POST.get("_confirmed_when", ""))
            else:
                when = parse_local_datetime(request.POST.get(f"{name}-when", "")) if scheduled else None
                if scheduled and when is None:
                    raise ValueError("Choose the date and time first.")
                if step is not None and step.schedules:
                    if refusal := article.refusal(name, request.user):
                        raise TransitionNotAllowed(refusal)
                    summary = going_live(article, name, when)
                    raise HeldBack("Nothing is saved yet: check what goes live, then confirm.", summary)
            take_step(article, name, user=request.user, note=request.POST.get(f"{name}-note", ""), when=when)
        except (TransitionNotAllowed, ValueError) as refusal:
            raise HeldBack(f"Nothing is saved: {refusal.args[0] if refusal.args else refusal}") from None
        request.step_taken = name

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except HeldBack as held:
            # The admin's transaction rolled back what the press saved: show the form again, as typed.
            request.step_problem = held.message
            extra_context = {**(extra_context or {}), "going_live": held.going_live}
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.step_problem = getattr(request, "step_problem", None)
        return form

    def response_change(self, request, obj):
        name = getattr(request, "step_taken", None)
        if name is None:
            return super().response_change(request, obj)
        return admin_views.step_done(request, obj, name, reverse("admin:articles_article_change", args=[obj.pk]))

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(request, "step_taken", None) is None:
            return super().response_add(request, obj, post_url_continue)
        return self.response_change(request, obj)

    # Workflow -----------------------------------------------------------------------------

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(partial(function, self))

        return [
            path("calendar/", view(admin_views.calendar), name="articles_article_calendar"),
            path("markdown-preview/", view(admin_views.markdown_preview), name="articles_article_markdown_preview"),
            path("social-card/", view(admin_views.social_card), name="articles_article_social_card"),
            path("pictures/", view(admin_views.pictures), name="articles_article_pictures"),
            path("pictures/upload/", view(admin_views.picture_upload), name="articles_article_picture_upload"),
            path("draft-copy/", view(admin_views.draft_copy), name="articles_article_draft_copy_new"),
            path("<path:object_id>/draft-copy/", view(admin_views.draft_copy), name="articles_article_draft_copy"),
            path("<path:object_id>/preview/", view(admin_views.form_preview), name="articles_article_form_preview"),
            path(
                "<path:object_id>/transition/<slug:name>/",
                view(admin_views.transition),
                name="articles_article_transition",
            ),
            path("<path:object_id>/editing/", view(admin_views.editing), name="articles_article_editing"),
            path("suggest-themes/", view(admin_views.theme_suggestions), name="articles_article_suggest_themes"),
            path(
                "<path:object_id>/not-duplicate/",
                view(admin_views.not_duplicate),
                name="articles_article_not_duplicate",
            ),
            path("<path:object_id>/share/", view(admin_views.share), name="articles_article_share"),
            path(
                "<path:object_id>/history/<int:version_id>/",
                view(admin_views.restore_revision_view),
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

    def render_change_form(self, request, context, *args, **kwargs):
        if context.get("going_live"):
            context["errors"] = []  # a question, not a mistake: the panel says what to check
        # What this person typed here and did not save, offered back (unless it is what is saved).
        article = context.get("original")
        copy = DraftCopy.objects.filter(user=request.user, article=article).first() if request.method == "GET" else None
        if (
            copy
            and article is not None
            and all(copy.fields.get(n, "") == getattr(article, n) for n in ("headline", "deck", "standfirst", "body"))
        ):
            copy = None
        context["draft_copy"] = copy
        # For the browser's script: times in the newsroom's zone, whatever the browser's.
        context.update(
            time_zone=timezone.get_current_timezone_name(),
            local_now=timezone.localtime().strftime("%Y-%m-%dT%H:%M:%S"),
            draft_copy_url=reverse("admin:articles_article_draft_copy", args=[article.pk])
            if article is not None
            else reverse("admin:articles_article_draft_copy_new"),
            site_url_display=settings.SITE_URL.split("://")[-1],
        )
        return super().render_change_form(request, context, *args, **kwargs)

    def render_posted_body(self, request):
        """Render a posted body before the admin's transaction opens (django-reversion's and the
        admin's own; on SQLite it takes the write lock at BEGIN): the save inside finds it in
        render_body's memory."""
        body = request.POST.get("body", "") if request.method == "POST" else ""
        if len(body) <= BODY_LIMIT:
            render_body(body.strip())

    def add_view(self, request, form_url="", extra_context=None):
        self.render_posted_body(request)
        # A new article can leave the draft as it is first saved (to review; an editor's "Approve &
        # publish now", asked to confirm as ever): one press, not "Save", then the step.
        steps = [
            StepButton(step, None)
            for step in WORKFLOW.values()
            if Status.DRAFT in step.sources
            and step.target not in (None, Status.DRAFT)
            and not (step.from_bin or step.into_bin)
            and step.permits(request.user)
        ]
        return super().add_view(request, form_url, {**(extra_context or {}), "new_steps": steps})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self.render_posted_body(request)
        article = self.get_object(request, unquote(object_id))
        extra_context = extra_context or {}
        if article is not None:
            extra_context.update(
                others_editing=others_editing(article.pk, request.user),
                share_links=[link for link in article.share_links.all() if link.is_valid()]
                if article_policy.user_has_permission_for_instance(request.user, "review", article)
                else [],
                can_share=article_policy.user_has_permission_for_instance(request.user, "share", article),
                preview_url=reverse("articles:preview", args=[article.pk]),
                steps=[StepButton(WORKFLOW[name], article) for name in article.allowed_transitions(request.user)],
                events=article.events.select_related("actor"),
                zone_note=zone_note(),
                state=article.state(),
                publish_time=admin_time(article.publish_at),
                duplicates=[
                    found
                    for found in duplicate_warnings(article)
                    if article_policy.user_has_permission_for_instance(request.user, "view", found[0])
                ],
            )
        return super().change_view(request, object_id, form_url, extra_context)


class HeldBack(Exception):
    """A step pressed on the article's form did not happen: refused, or waiting for the person
    to confirm what goes live (`going_live`). Raised inside the admin's transaction, which then
    rolls back the save that came with it."""

    def __init__(self, message, going_live=None):
        super().__init__(message)
        self.message, self.going_live = message, going_live


def going_live(article, name, when):
    """What readers and search will see when the step publishes: shown before it does."""
    image = article.lead_image
    return {
        "step": WORKFLOW[name],
        "headline": article.headline,
        "deck": article.deck,
        "standfirst": article.standfirst,
        "byline": ", ".join(str(author) for author in article.byline) or "no byline",
        "theme": article.theme or "no theme",
        "lead_image": image,
        "alt_missing": image is not None and not image.alt_text.strip(),
        "time": admin_time(when) if when else "now",
        "confirm": f"Schedule for {admin_time(when)}" if when else "Publish now",
        "when_value": timezone.localtime(when).strftime("%Y-%m-%dT%H:%M:%S") if when else "",
    }


class StepButton:
    """A step as the article's page offers it: the table's step, with what its form starts
    with for this article."""

    def __init__(self, step, article):
        self.step = step
        initial = getattr(article, step.time_initial) if step.time_initial else None
        self.time_value = input_value(initial)
        self.label_offered = step.label_offered(article)

    def __getattr__(self, name):
        return getattr(self.step, name)


def bulk_steps(user, *, from_bin):
    """The admin actions of the table's bulk steps (those of the bin, or of the article list)
    that `user` may take on some article."""
    actions = {}
    for step in WORKFLOW.values():
        if step.bulk and step.from_bin == from_bin and article_policy.user_has_permission(user, step.name):
            name = f"step_{step.name}"
            actions[name] = (bulk_step(step.name), name, f"{step.label}: the selected articles")
    return actions


def bulk_step(name):
    def take_for_each(modeladmin, request, queryset):
        step = WORKFLOW[name]
        taken, refused = [], []
        for article in queryset:
            try:
                take_step(article, name, user=request.user)
                taken.append(article)
            except TransitionNotAllowed as refusal:
                refused.append(f"“{article}”: {refusal}")
        if taken:
            messages.success(request, f"{step.bulk_message(len(taken))}.")
        for reason in refused:
            messages.error(request, f"Not {step.done}: {reason}")

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


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["user"]


admin.site.empty_value_display = "—"

# django-taggit's own admin merges tags for anyone who may view them (its merge view checks
# no permission) and rewrote live articles without an event. Ours: editors rename tags;
# writers see the tags of the articles they may see; nobody merges.
admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    ordering = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    actions = None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if article_policy.user_has_permission(request.user, "review"):
            return queryset
        shown = TaggedItem.objects.filter(
            content_type__app_label="articles",
            content_type__model="article",
            object_id__in=article_policy.instances_user_has_permission_for(request.user, "view").values("pk"),
        )
        return queryset.filter(pk__in=shown.values("tag_id"))


@admin.register(ArticleInBin)
class BinAdmin(admin.ModelAdmin):
    """Deleted articles: editors restore them, only superusers purge them for good."""

    list_display = ["headline", "deleted_at", "deleted_by"]
    search_fields = ["headline"]
    actions = ["purge"]

    def has_module_permission(self, request):
        return any(
            article_policy.user_has_permission(request.user, step.name) for step in WORKFLOW.values() if step.from_bin
        )

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return article_policy.user_has_permission(request.user, "purge")

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not article_policy.user_has_permission(request.user, "purge"):
            actions.pop("purge", None)
        actions.pop("delete_selected", None)
        return {**bulk_steps(request.user, from_bin=True), **actions}

    @admin.action(description="Purge the selected articles for good")
    def purge(self, request, queryset):
        if not article_policy.user_has_permission(request.user, "purge"):
            raise PermissionDenied("Only superusers can purge articles.")
        count = len(queryset)
        for article in queryset:
            AuditEntry.record(request.user, "article.purge", article)
            Article.all_objects.filter(pk=article.pk).delete()
        messages.success(request, f"Purged {count} article{'' if count == 1 else 's'} for good.")
