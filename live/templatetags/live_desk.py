from django import template

from live.admin import desk_context

register = template.Library()


@register.inclusion_tag("admin/live/desk.html", takes_context=True)
def live_desk(context, article):
    """The live desk on `article`'s change page; nothing unless it is live coverage."""
    if article is None or not article.has_coverage():
        return {"article": None}
    return desk_context(article, context["request"].user, context.get("csrf_token", ""))
