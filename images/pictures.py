"""Responsive pictures from the renditions listed on each Image row: no query, no image work."""

import re

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from images.models import Image

# The width a browser that ignores srcset gets.
DEFAULT_WIDTH = 960

# An inline image: "[image:42]" alone in its paragraph of the sanitised body HTML.
INLINE_IMAGE = re.compile(r"<p>\s*\[image:(\d+)\]\s*</p>")


def absolute(url):
    return url if url.startswith(("http://", "https://")) else f"{settings.SITE_URL}{url}"


def picture_context(image, sizes, loading="lazy", css_class=""):
    """What templates/jinja2/includes/picture.html needs to show `image`."""
    storage = image.file.storage
    fallback = image.sources(image.fallback_format)
    webp = image.sources("WEBP")
    if fallback:
        default = max((r for r in fallback if r["width"] <= DEFAULT_WIDTH), key=lambda r: r["width"], default=None)
        default = default or fallback[0]
        src, width, height = storage.url(default["name"]), default["width"], default["height"]
    else:  # a row made before renditions existed
        src, width, height = image.file.url, image.width, image.height

    def srcset(renditions):
        return ", ".join(f"{storage.url(r['name'])} {r['width']}w" for r in renditions)

    return {
        "image": image,
        "src": src,
        "width": width,
        "height": height,
        "srcset": srcset(fallback),
        "webp_srcset": srcset(webp),
        "sizes": sizes,
        "lazy": loading == "lazy",
        "css_class": css_class,
    }


def picture(image, sizes="100vw", loading="lazy", css_class=""):
    """`<picture>` with WebP and JPEG/PNG srcsets, width and height (no layout shift);
    loading="eager" for the picture readers see first."""
    return mark_safe(render_to_string("includes/picture.html", picture_context(image, sizes, loading, css_class)))


def image_figure(image, sizes="100vw", loading="lazy", css_class=""):
    """The picture with its caption and credit."""
    return mark_safe(render_to_string("includes/image_figure.html", picture_context(image, sizes, loading, css_class)))


def social_image(image):
    """The 1200 × 630 social card crop as a dict with an absolute `url`, `width`, `height`."""
    card = image.social_card if image else None
    if not card:
        return None
    return {"url": absolute(image.file.storage.url(card["name"])), "width": card["width"], "height": card["height"]}


ARTICLE_BODY_SIZES = "(min-width: 80rem) 46rem, (min-width: 44rem) 40rem, 100vw"  # site.css: .article-body figures


def with_inline_images(body_html):
    """Sanitised body HTML with each "[image:42]" paragraph replaced by that image's
    figure. Done here, after sanitising, so no image markup has to pass the sanitiser,
    and a regenerated rendition never leaves a stale address in a stored body.
    Costs one query only when the body places an image."""
    ids = {int(pk) for pk in INLINE_IMAGE.findall(body_html or "")}
    if not ids:
        return mark_safe(body_html or "")
    images = Image.objects.in_bulk(ids)

    def figure(match):
        image = images.get(int(match.group(1)))
        if image is None:
            return ""
        return image_figure(image, ARTICLE_BODY_SIZES, css_class="inline-image")

    return mark_safe(INLINE_IMAGE.sub(figure, body_html))
