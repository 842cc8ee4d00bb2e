"""Responsive pictures from the renditions listed on each Image row: no query, no image work."""

import re

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from images.models import Image

# The width a browser that ignores srcset gets.
DEFAULT_WIDTH = 960

# Where the body renderer (articles/body.py) placed library pictures, one or a gallery: an
# element the sanitiser never lets an editor write (nh3 drops <div> and data- attributes),
# so only the renderer makes one, from the same parse as articles.body.references().
PLACEMENT = '<div data-pictures="{layout}:{ids}"></div>'
PLACED = re.compile(r'<div data-pictures="(image|gallery):([0-9,]+)"></div>')


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
GALLERY_SIZES = "(min-width: 44rem) 21rem, 50vw"


def placement(layout, ids):
    """The mark the body renderer leaves for a picture ("image") or a gallery."""
    return PLACEMENT.format(layout=layout, ids=",".join(str(pk) for pk in ids))


def placed_ids(body_html):
    """The library pictures a rendered body places."""
    return {int(pk) for _, ids in PLACED.findall(body_html or "") for pk in ids.split(",")}


def fill_placements(body_html, images, figure):
    """`body_html` with each placement replaced: `figure(image, in_gallery)` for each picture
    found in `images` (a dict by id), a gallery's in a grid; missing pictures are left out."""

    def filled(match):
        layout, ids = match.groups()
        shown = [images[int(pk)] for pk in ids.split(",") if int(pk) in images]
        if layout == "image":
            return figure(shown[0], False) if shown else ""
        figures = "".join(figure(image, True) for image in shown)
        return f'<div class="gallery">{figures}</div>' if figures else ""

    return PLACED.sub(filled, body_html or "")


def with_inline_images(body_html):
    """Rendered body HTML with its pictures and galleries shown. Done here, after sanitising,
    so no image markup has to pass the sanitiser, and a regenerated rendition never leaves a
    stale address in a stored body. Costs one query only when the body places a picture."""
    ids = placed_ids(body_html)
    if not ids:
        return mark_safe(body_html or "")
    images = Image.objects.in_bulk(ids)

    def figure(image, in_gallery):
        if in_gallery:
            return image_figure(image, GALLERY_SIZES, css_class="gallery-image")
        return image_figure(image, ARTICLE_BODY_SIZES, css_class="inline-image")

    return mark_safe(fill_placements(body_html, images, figure))
