"""Editorial workflow across models: transitions with their notifications, and the
"went live"/"expired" events of scheduled publication.

Visibility never depends on anything here: `Article.objects.live()` alone decides
what is public. This module records what happened and tells people about it."""

import logging
from datetime import datetime

import reversion
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from audit.models import AuditEntry
from images.models import Image

from .body import render_body
from .events import related_stale
from .models import (
    WORKFLOW,
    Action,
    Article,
    ArticleEvent,
    Author,
    Byline,
    Effect,
    Recipients,
    Status,
    TransitionNotAllowed,
    themes,
)
from .permissions import article_policy
from .text import plain_text

logger = logging.getLogger(__name__)


def take_step(
    article: Article,
    name: str,
    *,
    user,
    note: str = "",
    when: datetime | None = None,
) -> ArticleEvent:
    """Take workflow step `name` (a key of WORKFLOW) as `user`, then run the step's effects
    (the table's `effects`: mail, "went live", related stories). The one way to take a step:
    the admin, the API, the importer and the tests come through here; it raises
    TransitionNotAllowed with a reason written for the person who tried. (An importer brings an
    article into the state it had elsewhere with `Article.arrive`, not through steps.)"""
    event = article._take(name, user, note=note, when=when)
    for effect in WORKFLOW[name].effects:
        EFFECTS[effect](article, event)
    return event


def _mail(article, event):
    transaction.on_commit(lambda: notify(event))


def _went_live(article, event):
    if article.is_live():
        record_moment(article, Action.WENT_LIVE, article.publish_at)


def _related(article, event):
    related_stale.send(sender=Article, article=article, went_live=article.is_live())


EFFECTS = {Effect.MAIL: _mail, Effect.WENT_LIVE: _went_live, Effect.RELATED: _related}


# Content a revision brings back; never the workflow fields, bookkeeping or derived ones.
RESTORED_FIELDS = ["headline", "deck", "standfirst", "body", "theme_id", "lead_image_id"]


def revision_content(version) -> dict:
    """What restoring `version` (a django-reversion Version of an article) would bring back:
    its content fields, authors in byline order and tag ids, as they were saved then."""
    fields = version.field_dict
    content = {name: fields.get(name) for name in RESTORED_FIELDS}
    siblings = list(version.revision.version_set.select_related("content_type"))
    bylines = sorted(
        (other.field_dict for other in siblings if other.content_type.model_class() is Byline),
        key=lambda byline: (byline["position"], byline["id"]),
    )
    content["author_ids"] = [
        byline["author_id"] for byline in bylines if str(byline["article_id"]) == version.object_id
    ]
    content["tag_ids"] = [
        other.field_dict["tag_id"]
        for other in siblings
        if other.content_type.model_class() is TaggedItem and str(other.field_dict["object_id"]) == version.object_id
    ]
    return content


def restore_revision(article: Article, version, *, user) -> ArticleEvent:
    """Bring back the content of an earlier revision as a new save: body_html is rendered
    again, the version moves forward, the workflow state stays as it is. Allowed to whoever
    may edit the article now (the policy's "change"), like the change form."""
    if version.object_id != str(article.pk) or version.content_type.model_class() is not Article:
        raise TransitionNotAllowed("That revision is not one of this article's.")
    content = revision_content(version)
    saved_then = f"{timezone.localtime(version.revision.date_created):%Y-%m-%d %H:%M %Z}"
    render_body(content["body"] or "")  # before the transaction: the save inside finds it rendered
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(
            f"Restored the revision of {timezone.localtime(version.revision.date_created):%Y-%m-%d %H:%M %Z}"
        )
        current = Article.objects.select_for_update().get(pk=article.pk)
        if not article_policy.user_has_permission_for_instance(user, "change", current):
            raise TransitionNotAllowed("You do not have permission to edit this article.")
        for name in ("headline", "deck", "standfirst", "body"):
            setattr(current, name, content[name] or "")
        current.theme_id = content["theme_id"] if themes().filter(pk=content["theme_id"]).exists() else None
        current.lead_image_id = (
            content["lead_image_id"] if Image.objects.filter(pk=content["lead_image_id"]).exists() else None
        )
        current.modified_by = user
        current.save()
        authors = {author.pk: author for author in Author.objects.filter(pk__in=content["author_ids"])}
        current.bylines.all().delete()
        Byline.objects.bulk_create(
            Byline(article=current, author=authors[pk], position=n)
            for n, pk in enumerate(content["author_ids"])
            if pk in authors
        )
        current.tags.set(list(Tag.objects.filter(pk__in=content["tag_ids"])))
        event = ArticleEvent.objects.create(
            article=current, action=Action.REVERT, actor=user, note=f"Revision of {saved_then}"
        )
        AuditEntry.record(user, "article.revert", current, {"version": version.pk, "live": current.is_live()})
    article.refresh_from_db()
    related_stale.send(sender=Article, article=article)
    return event


def record_moment(article: Article, action: str, moment: datetime) -> ArticleEvent | None:
    """Record "went live" or "expired" once per article and moment, whichever server
    gets there first; the others get None."""
    try:
        with transaction.atomic():
            event = ArticleEvent.objects.create(
                article=article,
                action=action,
                from_status=Status.APPROVED,
                to_status=Status.APPROVED,
                moment=moment,
                at=timezone.now(),
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: notify(event))
    return event


def due_moments(now: datetime | None = None):
    """Articles whose publication or expiry moment has passed without its event."""
    now = now or timezone.now()

    def recorded(action, field):
        return Exists(ArticleEvent.objects.filter(article=OuterRef("pk"), action=action, moment=OuterRef(field)))

    went_live = Article.objects.live(now).exclude(recorded(Action.WENT_LIVE, "publish_at")).order_by("publish_at")
    expired = (
        Article.objects.filter(status=Status.APPROVED, expire_at__lte=now)
        .exclude(recorded(Action.EXPIRED, "expire_at"))
        .order_by("expire_at")
    )
    return [(a, Action.WENT_LIVE, a.publish_at) for a in went_live] + [
        (a, Action.EXPIRED, a.expire_at) for a in expired
    ]


def publish_scheduled(*, dry_run: bool = False, now: datetime | None = None) -> list[ArticleEvent]:
    """Record the events of every moment that has passed; safe to run on several servers at once."""
    due = due_moments(now)
    if dry_run:
        return [ArticleEvent(article=a, action=action, moment=moment) for a, action, moment in due]
    events = [event for a, action, moment in due if (event := record_moment(a, action, moment))]
    for event in events:
        if event.action == Action.WENT_LIVE:
            related_stale.send(sender=Article, article=event.article, went_live=True, now=now)
    return events


# Notifications --------------------------------------------------------------------------

# Mails of events that are not steps (the steps' are in their table).
MOMENT_MAILS = {Action.WENT_LIVE: ("Now live", Recipients.AUTHORS)}


def mail_for(action):
    """The subject and recipients of the mail an event of `action` sends, or None."""
    step = WORKFLOW.get(action)
    if step is not None:
        return (step.mail_subject, step.mail_to) if Effect.MAIL in step.effects else None
    return MOMENT_MAILS.get(action)


def authors_of(article):
    users = {byline.author.user for byline in article.bylines.select_related("author__user") if byline.author.user}
    if article.created_by:
        users.add(article.created_by)
    return [user for user in users if user.is_active and user.email]


def recipients_of(article, recipients):
    if recipients == Recipients.REVIEWERS:
        return article_policy.users_with_permission_for_instance("review", article).exclude(email="")
    return authors_of(article)


def notify(event: ArticleEvent) -> None:
    mail = mail_for(event.action)
    if mail is None:
        return
    subject, recipients = mail
    article = event.article
    addresses = sorted({user.email for user in recipients_of(article, recipients) if user != event.actor})
    if not addresses:
        return
    headline = plain_text(article.headline)
    lines = [
        f"{subject}: {headline}",
        f"By: {event.actor.get_username() if event.actor else settings.SITE_NAME}",
    ]
    step = WORKFLOW.get(event.action)
    if article.publish_at and (step.schedules if step else event.action == Action.WENT_LIVE):
        lines.append(f"Publication: {timezone.localtime(article.publish_at):%a %d %b %Y, %H:%M %Z}")
    if event.note:
        lines.append(f"Note: {event.note}")
    lines.append(settings.SITE_URL + reverse("admin:articles_article_change", args=[article.pk]))
    try:
        send_mail(
            f"[{settings.SITE_NAME}] {subject}: {headline}",
            "\n".join(lines),
            settings.DEFAULT_FROM_EMAIL,
            addresses,
        )
    except OSError:
        # A mail server being down must not undo or block editorial work.
        logger.exception("Could not send the %s notification for article %s", event.action, article.pk)
