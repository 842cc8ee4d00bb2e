"""schema.org JSON-LD describing the site itself: the WebSite with its search, and the publisher."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html

from articles.templatetags.news import jsonld

register = template.Library()


def website_and_publisher():
    home = settings.SITE_URL + "/"
    organization = {
        "@type": "NewsMediaOrganization",
        "@id": f"{home}#publisher",
        "name": settings.SITE_PUBLISHER,
        "url": home,
    }
    if settings.FOLLOW_LINKS:
        organization["sameAs"] = [url for _label, url in settings.FOLLOW_LINKS]
    website = {
        "@type": "WebSite",
        "@id": f"{home}#website",
        "name": settings.SITE_NAME,
        "description": settings.SITE_DESCRIPTION,
        "url": home,
        "inLanguage": settings.LANGUAGE_CODE,
        "publisher": {"@id": organization["@id"]},
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": f"{settings.SITE_URL}{reverse('search:results')}?q={{search_term_string}}",
            },
            "query-input": "required name=search_term_string",
        },
    }
    return {"@context": "https://schema.org", "@graph": [website, organization]}


@register.simple_tag
def website_structured_data():
    return format_html('<script type="application/ld+json">{}</script>', jsonld(website_and_publisher()))
