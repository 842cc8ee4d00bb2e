"""Pictures for the demo newsroom, drawn here with Pillow (never downloaded):
abstract coastal scenes, one per theme and a few more, reused across articles."""

import io
import random

from django.core.files.base import ContentFile
from PIL import Image as PILImage
from PIL import ImageDraw

from .models import Image

SIZE = (1600, 900)
CREDIT = "Drawing: The Harbour Gazette demo"

# (sky top, sky bottom, sea, accent) per picture.
PALETTES = [
    ((16, 42, 84), (240, 160, 96), (20, 70, 110), (250, 210, 90)),
    ((70, 120, 170), (200, 225, 240), (30, 95, 120), (230, 80, 60)),
    ((40, 30, 70), (200, 110, 140), (35, 50, 90), (255, 230, 160)),
    ((120, 170, 200), (235, 240, 230), (60, 120, 110), (40, 60, 80)),
    ((25, 60, 60), (150, 200, 170), (20, 80, 90), (240, 240, 220)),
]
EXTRA = [
    ("Harbour lights at dusk", "An abstract drawing of harbour lights reflected in dark water at dusk"),
    ("Rooftops above the quay", "An abstract drawing of coloured rooftops above a calm sea"),
    ("Tide lines", "An abstract drawing of tide lines on a sandy shore under a pale sky"),
]


def blend(start, end, fraction):
    return tuple(round(a + (b - a) * fraction) for a, b in zip(start, end, strict=True))


def draw(seed):
    """A 1600 × 900 JPEG: gradient sky, sun, hills, sea with waves and a few boats."""
    rng = random.Random(seed)
    sky_top, sky_bottom, sea, accent = PALETTES[seed % len(PALETTES)]
    width, height = SIZE
    horizon = int(height * rng.uniform(0.5, 0.62))
    picture = PILImage.new("RGB", SIZE)
    canvas = ImageDraw.Draw(picture)
    for y in range(horizon):
        canvas.line([(0, y), (width, y)], fill=blend(sky_top, sky_bottom, y / horizon))
    sun_x, sun_y, radius = rng.randint(200, 1400), rng.randint(120, horizon - 120), rng.randint(50, 110)
    canvas.ellipse([sun_x - radius, sun_y - radius, sun_x + radius, sun_y + radius], fill=accent)
    for layer in range(3):
        shade = blend(sky_bottom, sea, 0.45 + layer * 0.2)
        points = [(0, horizon)]
        for x in range(0, width + 200, 200):
            points.append((x, horizon - rng.randint(20, 90 - layer * 20)))
        points.append((width, horizon))
        canvas.polygon(points, fill=shade)
    for y in range(horizon, height):
        canvas.line(
            [(0, y), (width, y)], fill=blend(sea, blend(sea, (0, 0, 0), 0.5), (y - horizon) / (height - horizon))
        )
    for _ in range(60):
        x, y = rng.randint(0, width), rng.randint(horizon + 10, height)
        length = rng.randint(30, 140)
        canvas.line([(x, y), (x + length, y)], fill=blend(sea, sky_bottom, 0.5), width=3)
    for _ in range(rng.randint(2, 4)):
        x, y = rng.randint(100, width - 200), rng.randint(horizon + 40, height - 80)
        canvas.polygon([(x, y), (x + 120, y), (x + 95, y + 28), (x + 25, y + 28)], fill=(30, 30, 35))
        canvas.polygon([(x + 55, y - 90), (x + 55, y - 5), (x + 110, y - 5)], fill=(245, 240, 230))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def demo_image(seed, title, alt_text, caption=""):
    """The demo picture called `title`, drawn and stored the first time it is asked for."""
    image = Image.objects.filter(title=title, credit=CREDIT).first()
    if image is None:
        image = Image.objects.create(
            file=ContentFile(draw(seed), name=f"demo-{seed}.jpg"),
            title=title,
            alt_text=alt_text,
            caption=caption,
            credit=CREDIT,
        )
    return image


def illustrate(articles):
    """Give every article in `articles` without a lead image a demo picture: its theme's
    picture or one of the extra ones, in turn. Returns how many articles got one."""
    pictures_by_theme = {}
    extras = [demo_image(100 + n, title, alt) for n, (title, alt) in enumerate(EXTRA)]
    illustrated = 0
    for index, article in enumerate(articles.filter(lead_image__isnull=True).select_related("theme").order_by("pk")):
        theme = article.theme
        if theme is not None and index % 3 != 2:
            if theme.pk not in pictures_by_theme:
                pictures_by_theme[theme.pk] = demo_image(
                    theme.pk,
                    f"{theme.name} (demo drawing)",
                    f"An abstract drawing of the coast, illustrating {theme.name}",
                    caption=f"{theme.name}: a drawing made for the demo newsroom.",
                )
            picture = pictures_by_theme[theme.pk]
        else:
            picture = extras[index % len(extras)]
        # update(): a demo picture is not an editorial change (no new version or revision).
        type(article).objects.filter(pk=article.pk).update(lead_image=picture)
        illustrated += 1
    return illustrated
