from datetime import timedelta

from django import template
from django.utils import timezone

from articles.clock import NewsroomTimeInput
from articles.models import WORKFLOW, Article, ArticleEvent, Status
from articles.permissions import article_policy

register = template.Library()


@register.inclusion_tag("admin/articles/dashboard.html", takes_context=True)
def editorial_dashboard(context):
    """The admin front page's editorial queues, for the person looking at it."""
    user = context["request"].user
    now = timezone.now()
    articles = Article.objects.only(
        "headline", "slug", "status", "publish_at", "modified_at", "created_at", "dateline_offset"
    )
    returned = {}
    for event in (
        ArticleEvent.objects.filter(
            action__in=[step.name for step in WORKFLOW.values() if step.returns_to_writer],
            article__created_by=user,
            article__status=Status.DRAFT,
        )
        .select_related("article", "actor")
        .order_by("-at")[:20]
    ):
        returned.setdefault(event.article_id, event)
    return {
        "awaiting_review": articles.filter(status=Status.IN_REVIEW).order_by("modified_at")[:20],
        "scheduled": articles.filter(
            status=Status.APPROVED, publish_at__gt=now, publish_at__lte=now + timedelta(days=7)
        ).order_by("publish_at")[:20],
        "my_drafts": articles.filter(status=Status.DRAFT, created_by=user).order_by("-modified_at")[:20],
        "my_in_review": articles.authored_by(user).filter(status=Status.IN_REVIEW).order_by("-modified_at")[:20],
        "activity": ArticleEvent.objects.filter(
            article__in=article_policy.instances_user_has_permission_for(user, "view", now=now)
        )
        .select_related("article", "actor")
        .only("action", "at", "note", "actor__username", "actor__first_name", "actor__last_name", "article__headline")
        .order_by("-at")[:15],
        "returned": list(returned.values()),
        "recently_published": articles.live(now).order_by("-publish_at")[:10],
        "zone": timezone.localtime(now).strftime("%Z"),
        "zone_name": timezone.get_current_timezone_name(),
        "reviews": article_policy.user_has_permission(user, "review"),
    }


@register.simple_tag
def time_input(name, value=None, **attrs):
    """The admin's 24-hour date-and-time input, for forms written in a template. Attributes
    are given with underscores (aria_describedby=…); empty ones are left out."""
    attrs = {key.replace("_", "-"): value for key, value in attrs.items() if value not in (None, "", False)}
    return NewsroomTimeInput(attrs).render(name, value)
