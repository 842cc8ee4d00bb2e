"""The live desk in the admin: a compact entry form at the top of a live article's change page
(templates/admin/live/desk.html, included by one line of the article's change form), posting
without leaving the page (static/js/live-desk.js), the newest entries under it with their
corrections, withdrawals and approvals. Every change goes through live/door.py.

The entries' own list is for finding and reading: it adds and changes nothing, since a
change form would be a second door."""

from django.contrib import admin, messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from articles.clock import parse_local_datetime
from articles.conflicts import conflict_rows
from articles.models import Article
from articles.permissions import article_policy

from .door import EntryConflict, EntryRefused, edit_entry, post_entry, publish_entry, withdraw_entry
from .models import Entry, EntryStatus
from .permissions import entry_policy

DESK_ENTRIES = 30


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "article", "publish_at", "status", "key_event", "pinned", "is_public"]
    list_filter = ["status", "key_event", "pinned", ("publish_at", admin.DateFieldListFilter)]
    list_select_related = ["article"]
    search_fields = ["title", "body", "article__headline"]
    date_hierarchy = "publish_at"
    readonly_fields = ["article", "title", "body", "publish_at", "status", "key_event", "pinned", "updated_at"]
    exclude = ["authors"]

    def get_queryset(self, request):
        """Entries the user may read, of the articles they may see (live/permissions.py)."""
        visible = article_policy.instances_user_has_permission_for(request.user, "view")
        entries = super().get_queryset(request).filter(article__in=visible.values("pk"))
        return entry_policy.entries_visible_to(request.user, entries)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("desk/<int:article_id>/", view(desk), name="live_entry_desk"),
            path("<int:entry_id>/desk/<slug:change>/", view(desk_change), name="live_entry_desk_change"),
            *super().get_urls(),
        ]


def desk_context(article, user, csrf_token=""):
    """What the desk shows `user` on `article`: the form if they may write, the newest entries."""
    entries = entry_policy.entries_visible_to(user, Entry.objects.filter(article=article))
    entries = entries.prefetch_related("authors").order_by("-publish_at", "-id")[:DESK_ENTRIES]
    may_publish = entry_policy.may_publish(user)
    context = {"csrf_token": csrf_token} if csrf_token else {}
    return context | {
        "article": article,
        "may_write": entry_policy.may_write(user, article),
        "may_publish": may_publish,
        "rows": [desk_row(entry, user) for entry in entries],
        "zone": timezone.localtime().tzname(),
    }


def desk_row(entry, user):
    now = timezone.now()
    if entry.status == EntryStatus.PUBLISHED:
        state = "Published" if entry.publish_at <= now else "Scheduled"
    else:
        state = entry.get_status_display()
    return {
        "entry": entry,
        "state": state,
        "may_change": entry.status != EntryStatus.WITHDRAWN and entry_policy.may_change(user, entry),
        "may_publish": entry_policy.may_publish(user) and entry.status != EntryStatus.WITHDRAWN,
        "submitted": entry.status == EntryStatus.SUBMITTED,
    }


def row_html(request, entry):
    entry = Entry.objects.prefetch_related("authors").get(pk=entry.pk)
    return render_to_string("admin/live/desk_entry.html", {"row": desk_row(entry, request.user)}, request=request)


def wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


CONFLICT_LABELS = {"title": "Short title", "body": "Text", "key_event": "Key event", "pinned": "Pin"}


def conflict_answer(request, conflict, base):
    """What the desk shows when someone saved the entry since it was opened: for each field both
    changed, theirs and yours marked word by word against the text both started from, and the
    entry as it is now, so that saving again keeps yours and "Use theirs" takes theirs."""
    entry = conflict.entry

    def shown(name, value):
        return ("yes" if value else "no") if name in ("key_event", "pinned") else value or ""

    rows = conflict_rows(conflict.conflicts, base, labels=CONFLICT_LABELS, shown=shown)
    html = render_to_string(
        "admin/live/desk_conflict.html",
        {"rows": rows, "entry": entry, "fields": [(name, CONFLICT_LABELS[name]) for name in conflict.conflicts]},
    )
    current = {name: getattr(entry, name) for name in CONFLICT_LABELS}
    changed = ", ".join(CONFLICT_LABELS[name].lower() for name in conflict.conflicts)
    return JsonResponse(
        {
            "error": f"Someone else changed this entry meanwhile ({changed}).",
            "conflicts": {name: {"theirs": c["theirs"], "mine": c["mine"]} for name, c in conflict.conflicts.items()},
            "conflict_html": html,
            "version": entry.version,
            "current": current,
        },
        status=409,
    )


def answer(request, article, *, entry=None, message="", error="", status=200):
    """JSON for the desk's script; for a browser without it, back to the article with a message."""
    if wants_json(request):
        data = {"message": message, "error": error}
        if entry is not None:
            data.update(html=row_html(request, entry), id=entry.pk, version=entry.version)
        return JsonResponse(data, status=status)
    messages.add_message(request, messages.ERROR if error else messages.SUCCESS, error or message)
    return redirect(reverse("admin:articles_article_change", args=[article.pk]) + "#live-desk")


def local_moment(value):
    """A time input's value, in the newsroom's zone; empty: None."""
    try:
        return parse_local_datetime(value or "")
    except ValueError as problem:
        raise EntryRefused(str(problem)) from None


def posted_fields(post):
    return {
        "title": post.get("title", "").strip(),
        "body": post.get("body", "").replace("\r\n", "\n").strip(),
        "key_event": post.get("key_event") == "on",
        "pinned": post.get("pinned") == "on",
    }


def desk(request, article_id):
    """GET: the desk on a page of its own (writers, who may not open a live article's form).
    POST: a new entry."""
    article = get_object_or_404(Article.objects.all(), pk=article_id)
    if request.method != "POST":
        if not entry_policy.may_see_desk(request.user, article):
            raise Http404("No desk here.")
        context = {
            **admin.site.each_context(request),
            **desk_context(article, request.user),
            "title": f"Live desk: {article.headline}",
        }
        return TemplateResponse(request, "admin/live/desk_page.html", context)
    fields = posted_fields(request.POST)
    if not fields["body"]:
        return answer(request, article, error="Write the entry first.", status=400)
    try:
        entry = post_entry(
            article, user=request.user, publish_at=local_moment(request.POST.get("publish_at")), **fields
        )
    except EntryRefused as refused:
        return answer(request, article, error=str(refused), status=403 if "may" in str(refused) else 400)
    when = timezone.localtime(entry.publish_at)
    if entry.status == EntryStatus.SUBMITTED:
        message = "Entry submitted for review."
    elif entry.publish_at > timezone.now():
        message = f"Entry scheduled for {when:%H:%M:%S %Z}."
    else:
        message = f"Entry published at {when:%H:%M:%S %Z}."
    return answer(request, article, entry=entry, message=message, status=201)


@require_POST
def desk_change(request, entry_id, change):
    entry = get_object_or_404(Entry.objects.select_related("article"), pk=entry_id)
    base = {}
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return answer(request, entry.article, error="The form lacks the entry's version: reload the page.", status=400)
    try:
        if change == "correct":
            fields = posted_fields(request.POST)
            base = {
                "title": request.POST.get("base_title", ""),
                "body": request.POST.get("base_body", "").replace("\r\n", "\n"),
                "key_event": request.POST.get("base_key_event") == "on",
                "pinned": request.POST.get("base_pinned") == "on",
            }
            entry = edit_entry(entry.pk, user=request.user, version=version, base=base, changes=fields)
            message = "Correction saved." if entry.updated_at else "Entry saved."
        elif change == "remove":
            entry = withdraw_entry(entry.pk, user=request.user, version=version, note=request.POST.get("note", ""))
            message = "Entry withdrawn: readers see that an entry was removed."
        elif change == "publish":
            entry = publish_entry(entry.pk, user=request.user, version=version)
            message = "Entry published."
        else:
            raise Http404("No such change.")
    except EntryConflict as conflict:
        if wants_json(request):
            return conflict_answer(request, conflict, base)
        return answer(request, entry.article, error=f"{conflict} Nothing was saved: open the entry again.", status=409)
    except EntryRefused as refused:
        return answer(request, entry.article, error=str(refused), status=400)
    return answer(request, entry.article, entry=entry, message=message)
