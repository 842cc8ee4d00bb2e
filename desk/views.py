"""The article admin's own views: workflow steps, revision restores, presence, share
links, theme suggestions and duplicate warnings. Each takes the ArticleAdmin it serves,
asks it (and the model) who may do what, and answers a refusal with 403 or 404."""

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from reversion.models import Version
from taggit.models import Tag

from articles.body import BODY_LIMIT, GALLERY_MAX, body_length, render_body
from articles.clock import EARLIEST, LATEST, admin_time, parse_local_datetime, zone_note
from articles.models import (
    WORKFLOW,
    Action,
    ArticleEvent,
    Author,
    DraftCopy,
    ShareLink,
    Status,
    TransitionNotAllowed,
    step_where,
)
from articles.permissions import article_policy
from articles.text import plain_text
from articles.views import ArticleDetailView
from articles.workflow import restore_revision, revision_content, take_step
from images.forms import ImageForm, upload_stored_first
from images.models import Image
from images.pictures import with_inline_images
from similarity.duplicates import dismissed_ids, find_duplicates
from similarity.suggestions import suggest_themes

from .presence import mark_editing, stop_editing


def id_parameter(value):
    """A row's id from a request parameter, or None when it is not one (a word, or a number no
    id column holds, which the database would refuse with an error)."""
    return int(value) if value.isdigit() and len(value) <= 18 else None


def moved_to_bin_message(request, article):
    """ "Moved to the bin — Undo", the undo being the bin's own restore action (a POST)."""
    return format_html(
        '{} “{}”. <form method="post" action="{}" class="inline-undo">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="action" value="step_{}">'
        '<input type="hidden" name="_selected_action" value="{}">'
        '<button type="submit">Undo</button></form>',
        step_where(into_bin=True).done.capitalize(),
        article,
        reverse("admin:articles_articleinbin_changelist"),
        get_token(request),
        step_where(from_bin=True).name,
        article.pk,
    )


def transition(model_admin, request, object_id, name):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    article = model_admin.get_object(request, unquote(object_id))
    if article is None:
        raise Http404("No such article.")
    refusal = article.refusal(name, request.user)
    if refusal:
        raise PermissionDenied(refusal)
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    if request.POST.get("back") == "calendar":  # a fixed place, never an address from the request
        change_url = (
            reverse("admin:articles_article_calendar") + "?" + urlencode({"week": request.POST.get("week", "")})
        )
    try:
        when = parse_local_datetime(request.POST.get("when", ""))
        if request.POST.get("scheduled") and when is None:
            raise ValueError("Choose the date and time first.")
        take_step(article, name, user=request.user, note=request.POST.get("note", ""), when=when)
    except (TransitionNotAllowed, ValueError) as refusal:
        messages.error(request, str(refusal.args[0] if refusal.args else refusal))
        return HttpResponseRedirect(change_url)
    return step_done(request, article, name, change_url)


def step_done(request, article, name, back_url):
    """The answer to a step taken: its message, and back to where it was pressed (the list,
    with an undo, when the article went to the bin)."""
    article.refresh_from_db()
    done = WORKFLOW[name].done.capitalize()
    if article.deleted_at is not None:  # its page is gone with it: back to the list, with a way back
        messages.success(request, moved_to_bin_message(request, article))
        return HttpResponseRedirect(reverse("admin:articles_article_changelist"))
    if WORKFLOW[name].schedules:
        when = "now live" if article.is_live() else f"goes live {admin_time(article.publish_at)}"
        messages.success(request, f"{done}: “{article}” {when}.")
    else:
        messages.success(request, f"{done}: “{article}”.")
    return HttpResponseRedirect(back_url)


def restore_revision_view(model_admin, request, object_id, version_id, extra_context=None):
    """Restore an earlier revision's content as a new save (replaces django-reversion's view,
    which reverted workflow fields and bookkeeping too): GET asks, POST restores."""
    article = model_admin.get_object(request, unquote(object_id))
    if article is None or not article_policy.user_has_permission_for_instance(request.user, "change", article):
        raise Http404("No such article.")
    version = get_object_or_404(Version.objects.get_for_object(article).select_related("revision__user"), pk=version_id)
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
        ("Authors", names(article.byline), names(Author.objects.filter(pk__in=content["author_ids"]))),
        ("Tags", names(article.tags.all()), names(Tag.objects.filter(pk__in=content["tag_ids"]))),
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": article,
        "title": f"Restore the revision of {admin_time(version.revision.date_created)}?",
        "rows": [(label, now or "", then or "") for label, now, then in rows if (now or "") != (then or "")],
        "version": version,
    }
    return TemplateResponse(request, "admin/articles/article/restore_revision.html", context)


def editing(model_admin, request, object_id):
    """Heartbeat from an open article form with unsaved changes: keeps the "being edited by"
    notice alive (`saved=1`: the changes are gone, so is the notice)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    article = model_admin.get_object(request, unquote(object_id))
    if article is None or not model_admin.has_change_permission(request, article):
        raise Http404("No such article.")
    if request.POST.get("saved"):
        stop_editing(article.pk, request.user)
    else:
        mark_editing(article.pk, request.user)
    return HttpResponse(status=204)


def draft_copy(model_admin, request, object_id=None):
    """Keep what the form holds and was not saved (POST headline, deck, standfirst, body, tags,
    slug), or forget it (POST `discard=1`): for an article the person may change, or for the
    new article they are writing. A refusal changes nothing."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if object_id is None:
        if not model_admin.has_add_permission(request):
            raise PermissionDenied("You cannot write articles.")
        article = None
    else:
        article = model_admin.get_object(request, unquote(object_id))
        if article is None or not article_policy.user_has_permission_for_instance(request.user, "change", article):
            raise PermissionDenied("You cannot change this article.")
    copies = DraftCopy.objects.filter(user=request.user, article=article)
    if request.POST.get("discard"):
        copies.delete()
        return HttpResponse(status=204)
    body = request.POST.get("body", "")
    if len(body) > BODY_LIMIT:
        refusal = body_length.message % {"limit_value": BODY_LIMIT, "show_value": len(body)}
        return JsonResponse({"error": refusal}, status=400)
    fields = {name: request.POST.get(name, "")[:limit] for name, limit in DraftCopy.FIELDS.items()}
    fields["body"] = body
    now = timezone.now()
    updated = copies.update(fields=fields, saved_at=now)
    if not updated:
        DraftCopy.objects.create(user=request.user, article=article, fields=fields, saved_at=now)
    return JsonResponse({"saved_at": now.isoformat()})


def share(model_admin, request, object_id):
    """Create a share link, or revoke one (POST `revoke=<id>`)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    article = model_admin.get_object(request, unquote(object_id))
    if article is None:
        raise Http404("No such article.")
    if request.POST.get("revoke"):
        if not article_policy.user_has_permission_for_instance(request.user, "review", article):
            raise PermissionDenied("Only editors can revoke share links.")
        link_id = id_parameter(request.POST["revoke"])
        if link_id is None:
            return HttpResponseBadRequest("No such share link.")
        link = article.share_links.filter(pk=link_id, revoked_at__isnull=True).first()
        if link:
            link.revoked_at = timezone.now()
            link.save(update_fields=["revoked_at"])
            ArticleEvent.objects.create(article=article, action=Action.UNSHARE, actor=request.user)
            messages.success(request, "Share link revoked: it no longer opens the article.")
    else:
        if not article_policy.user_has_permission_for_instance(request.user, "share", article):
            raise PermissionDenied("Editors share articles that are neither published nor withdrawn.")
        link = ShareLink.objects.create(article=article, created_by=request.user)
        ArticleEvent.objects.create(
            article=article, action=Action.SHARE, actor=request.user, note=f"Expires {admin_time(link.expires_at)}"
        )
        messages.success(request, f"Share link created; it works until {admin_time(link.expires_at)}.")
    return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))


def theme_suggestions(model_admin, request):
    """JSON for the open article form: the likeliest themes for the text typed so far, and
    recent articles it may duplicate. POST headline, deck, standfirst, body (and `article`, its id)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
        raise PermissionDenied
    text = {name: request.POST.get(name, "")[:20_000] for name in ("headline", "deck", "standfirst", "body")}
    article_id = id_parameter(request.POST.get("article", ""))
    if request.POST.get("article") and article_id is None:
        return HttpResponseBadRequest("“article” must be the number of an article.")
    duplicates = find_duplicates(headline=text["headline"], standfirst=text["standfirst"], exclude=article_id)
    visible = set(
        article_policy.instances_user_has_permission_for(request.user, "view")
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


def not_duplicate(model_admin, request, object_id):
    """An editor says the article is not a duplicate of `other`: the warning goes, the history says so."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    article = model_admin.get_object(request, unquote(object_id))
    if article is None or not model_admin.has_change_permission(request, article):
        raise Http404("No such article.")
    other_id = id_parameter(request.POST.get("other", ""))
    if other_id is None:
        return HttpResponseBadRequest("“other” must be the number of an article.")
    other = article_policy.instances_user_has_permission_for(request.user, "view").filter(pk=other_id).first()
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


def names(items):
    return ", ".join(sorted(str(item) for item in items))


def calendar(model_admin, request):
    """A week of the schedule, day by day in the newsroom's zone: what goes live, what went
    live and what leaves the site; scheduled articles can be moved from here (the
    table's calendar step, for whoever may take it)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    try:
        day = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localdate()
    if not EARLIEST <= day <= LATEST:
        day = timezone.localdate()
    monday = day - timedelta(days=day.weekday())
    days = [monday + timedelta(days=n) for n in range(7)]
    begin, end = (timezone.make_aware(datetime.combine(d, time.min)) for d in (days[0], days[-1] + timedelta(days=1)))
    now = timezone.now()
    move = step_where(calendar=True).name
    articles = model_admin.get_queryset(request).filter(status=Status.APPROVED)
    entries = {d: [] for d in days}
    for article in articles.filter(publish_at__gte=begin, publish_at__lt=end).order_by("publish_at"):
        entries[timezone.localdate(article.publish_at)].append(
            {
                "article": article,
                "at": article.publish_at,
                "kind": "Goes live" if article.publish_at > now else "Published",
                "can_move": article.refusal(move, request.user, now) is None,
            }
        )
    for article in articles.filter(expire_at__gte=begin, expire_at__lt=end).order_by("expire_at"):
        entries[timezone.localdate(article.expire_at)].append(
            {"article": article, "at": article.expire_at, "kind": "Leaves the site", "can_move": False}
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"Schedule, week of {monday:%a %-d %b %Y}",
        "days": [
            {"date": d, "today": d == timezone.localdate(), "entries": sorted(entries[d], key=lambda e: e["at"])}
            for d in days
        ],
        "week": monday.isoformat(),
        "move_step": move,
        "movable": any(entry["can_move"] for day in entries.values() for entry in day),
        "previous_week": (monday - timedelta(days=7)).isoformat(),
        "next_week": (monday + timedelta(days=7)).isoformat(),
        "zone_note": zone_note(),
    }
    return TemplateResponse(request, "admin/articles/article/calendar.html", context)


def markdown_preview(model_admin, request):
    """The body as readers will see it, through the public page's own pipeline (Markdown,
    the nh3 allowlist, inline pictures), for the editor's live preview."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
        raise PermissionDenied
    body = request.POST.get("body", "")
    if len(body) > BODY_LIMIT:
        # Not rendered: the cost of a preview is bounded by the size a body may have.
        refusal = body_length.message % {"limit_value": BODY_LIMIT, "show_value": len(body)}
        return JsonResponse({"error": refusal}, status=400)
    return JsonResponse({"html": str(with_inline_images(render_body(body)))})


def pictures(model_admin, request):
    """Library pictures for the body editor: its figures' thumbnails (`ids=4,9`) and its
    picker's search (`q=`, in titles, captions and credits), newest first."""
    if not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
        raise PermissionDenied
    images = Image.objects.all()
    if "ids" in request.GET:
        ids = [pk for pk in map(id_parameter, request.GET["ids"].split(",")[:GALLERY_MAX]) if pk]
        images = images.filter(pk__in=ids)
    else:
        for word in request.GET.get("q", "")[:200].split()[:8]:
            images = images.filter(Q(title__icontains=word) | Q(caption__icontains=word) | Q(credit__icontains=word))
        images = images[:24]
    return JsonResponse({"pictures": [picture_card(image) for image in images]})


def picture_upload(model_admin, request):
    """A picture uploaded from the writing screen (the picker, or dropped or pasted into the
    body), through the image library's own form and checks: its title from the file's name
    unless one is given; alt text required; the reasons for a refusal in JSON, nothing kept."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
        raise PermissionDenied
    if not request.user.has_perm("images.add_image"):  # the library's own add permission
        raise PermissionDenied("You cannot add pictures to the library.")
    data = request.POST.copy()
    upload = request.FILES.get("file")
    if not data.get("title") and upload is not None:
        data["title"] = title_from_file_name(upload.name)
    with upload_stored_first(request):
        form = ImageForm(data, request.FILES)
        if not form.is_valid():
            return JsonResponse({"errors": {name: list(errors) for name, errors in form.errors.items()}}, status=400)
        image = form.save(commit=False)
        image.uploaded_by = request.user
        image.save()
    return JsonResponse({"picture": picture_card(image)}, status=201)


def title_from_file_name(name):
    """ "IMG_2031 harbour-at-dawn.jpg" → "IMG 2031 harbour at dawn": for finding it in the library."""
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return " ".join(stem.replace("_", " ").replace("-", " ").split())[:200] or "Picture"


def picture_card(image):
    """What the editor shows of a picture: its smallest rendition and its words."""
    smallest = next(iter(image.sources("WEBP") or image.sources(image.fallback_format)), None)
    return {
        "id": image.pk,
        "title": image.title,
        "alt": image.alt_text,
        "caption": image.caption,
        "credit": image.credit,
        "thumbnail": image.file.storage.url(smallest["name"]) if smallest else None,
        "width": smallest["width"] if smallest else image.width,
        "height": smallest["height"] if smallest else image.height,
    }


def social_card(model_admin, request):
    """A picture's 1200 × 630 social card crop (its focal point kept), for the writing screen's
    preview of how a share will look."""
    if not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
        raise PermissionDenied
    image_id = id_parameter(request.GET.get("image", ""))
    image = Image.objects.filter(pk=image_id).first() if image_id else None
    card = image.social_card if image else None
    if not card:
        return JsonResponse({"card": None})
    url = image.file.storage.url(card["name"])
    return JsonResponse({"card": {"url": url, "width": card["width"], "height": card["height"], "alt": image.alt_text}})


def form_preview(model_admin, request, object_id):
    """The article in the public design as the form holds it now, before it is saved."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    article = model_admin.get_object(request, unquote(object_id))
    if article is None or not article_policy.user_has_permission_for_instance(request.user, "view", article):
        raise Http404("No such article.")
    for name in ("headline", "deck", "standfirst", "body"):
        if name in request.POST:
            setattr(article, name, request.POST[name][:BODY_LIMIT])
    article.render_body()  # never saved: this instance only renders
    page = ArticleDetailView()
    page.setup(request, pk=article.pk)
    page.object, page.preview = article, True
    return page.render_article()
