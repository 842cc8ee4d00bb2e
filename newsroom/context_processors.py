from django.conf import settings
from django.utils import timezone

from themes.models import navigation


def site(request):
    return {
        "site_name": settings.SITE_NAME,
        "site_publisher": settings.SITE_PUBLISHER,
        "site_url": settings.SITE_URL,
        "site_description": settings.SITE_DESCRIPTION,
        "follow_links": settings.FOLLOW_LINKS,
        "current_year": timezone.localdate().year,
        "nav_themes": navigation,
    }
