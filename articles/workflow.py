"""Editorial workflow across models: transitions with their notifications, and the
"went live"/"expired" events of scheduled publication.

Visibility never depends on anything here: `Article.objects.live()` alone decides
what is public. This module records what happened and tells people about it."""

import logging
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from .models import Action, Article, ArticleEvent, Status, TransitionNotAllowed
from .related import refresh_related, refresh_went_live
from .text import plain_text

logger = logging.getLogger(__name__)


def take_transition(
    article: Article,
    name: str,
    *,
    user,
    note: str = "",
    publish_at: datetime | None = None,
    backdate: bool = False,
    refresh_related_stories: bool = True,
) -> ArticleEvent:
    """Run transition `name` for `user`, then notify whoever needs to know. For importers
    (wordpress/importer.py): `backdate` approves at a past publication time (the site it comes
    from published then), and `refresh_related_stories=False` leaves the related lists to one
    pass at the end of the import (per article it costs a TF-IDF over 500 others)."""
    if name == "submit":
        event = article.submit(user)
    elif name == "return":
        event = article.return_to_draft(user, note)
    elif name == "approve":
        event = article.approve(user, publish_at, backdate=backdate)
    elif name == "reschedule":
        event = article.reschedule(user, publish_at)
    elif name == "withdraw":
        event = article.withdraw(user, note)
    elif name == "restore":
        event = article.restore(user)
    else:
        raise TransitionNotAllowed(f"There is no “{name}” step in the workflow.")
    transaction.on_commit(lambda: notify(event))
    if name == "approve" and article.is_live():
        record_moment(article, Action.WENT_LIVE, article.publish_at)
        if refresh_related_stories:
            refresh_went_live(article)
    elif name in ("approve", "reschedule") and refresh_related_stories:
        refresh_related(article)
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
            refresh_went_live(event.article, now)
    return events


# Notifications --------------------------------------------------------------------------

SUBJECTS = {
    Action.SUBMIT: "Submitted for review",
    Action.RETURN: "Returned to you",
    Action.APPROVE: "Approved",
    Action.RESCHEDULE: "Rescheduled",
    Action.WITHDRAW: "Withdrawn",
    Action.WENT_LIVE: "Now live",
}


def editors():
    perm = Permission.objects.get(content_type__app_label="articles", codename="publish_article")
    return (
        get_user_model()
        .objects.filter(Q(groups__permissions=perm) | Q(user_permissions=perm) | Q(is_superuser=True), is_active=True)
        .exclude(email="")
        .distinct()
    )


def authors_of(article):
    users = {byline.author.user for byline in article.bylines.select_related("author__user") if byline.author.user}
    if article.created_by:
        users.add(article.created_by)
    return [user for user in users if user.is_active and user.email]


def notify(event: ArticleEvent) -> None:
    if event.action not in SUBJECTS:
        return
    article = event.article
    recipients = editors() if event.action == Action.SUBMIT else authors_of(article)
    addresses = sorted({user.email for user in recipients if user != event.actor})
    if not addresses:
        return
    headline = plain_text(article.headline)
    lines = [
        f"{SUBJECTS[event.action]}: {headline}",
        f"By: {event.actor.get_username() if event.actor else settings.SITE_NAME}",
    ]
    if article.publish_at and event.action in (Action.APPROVE, Action.RESCHEDULE, Action.WENT_LIVE):
        lines.append(f"Publication: {timezone.localtime(article.publish_at):%a %d %b %Y, %H:%M %Z}")
    if event.note:
        lines.append(f"Note: {event.note}")
    lines.append(settings.SITE_URL + reverse("admin:articles_article_change", args=[article.pk]))
    try:
        send_mail(
            f"[{settings.SITE_NAME}] {SUBJECTS[event.action]}: {headline}",
            "\n".join(lines),
            settings.DEFAULT_FROM_EMAIL,
            addresses,
        )
    except OSError:
        # A mail server being down must not undo or block editorial work.
        logger.exception("Could not send the %s notification for article %s", event.action, article.pk)
