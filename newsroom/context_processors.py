from django.conf import settings
from django.utils import timezone

from sitesettings.models import SETTINGS_KEY, current
from themes.models import navigation


def site(request):
    publication = current()
    return {
        "site_name": publication.name,
        "site_publisher": publication.copyright_holder,
        "site_logo": publication.logo,
        "site_url": settings.SITE_URL,
        "site_description": settings.SITE_DESCRIPTION,
        "follow_links": publication.follow_links,
        "footer_pages": publication.footer_pages,
        "current_year": timezone.localdate().year,
        "nav_themes": navigation,
        "site_shows": (SETTINGS_KEY,),  # what the site's header and footer fragments show (base.html)
    }
