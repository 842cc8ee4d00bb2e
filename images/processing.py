"""Decoding uploads safely and making renditions with Pillow.

Everything here runs when an image is uploaded (or when renditions are
regenerated), never while a reader waits. Files are written through Django's
storage API so that object storage can replace the local disk."""

import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 50_000_000
RENDITION_WIDTHS = (320, 640, 960, 1280, 1920)
SOCIAL_SIZE = (1200, 630)

# How each accepted format is stored (the original, re-encoded) and which
# format its non-WebP renditions use. A GIF keeps only its first frame.
STORED_FORMAT = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass
class PreparedImage:
    """An upload decoded, turned upright and stripped of metadata, ready to store."""

    picture: PILImage.Image
    source_format: str
    name: str

    @property
    def stored_format(self):
        return STORED_FORMAT[self.source_format]

    @property
    def fallback_format(self):
        """The renditions' non-WebP format: JPEG for photographs, PNG where transparency must survive."""
        if self.source_format == "JPEG" or (self.source_format == "WEBP" and not has_alpha(self.picture)):
            return "JPEG"
        return "PNG"


def has_alpha(picture):
    return picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info


def refuse(message, code):
    raise ValidationError(message, code=code)


def prepare(upload):
    """Decode `upload` (a Django File) and return a PreparedImage, or raise a
    ValidationError saying what is wrong. The content decides, never the name."""
    cached = getattr(upload, "_newsroom_prepared", None)
    if cached is not None:
        return cached
    size = upload.size
    if size > MAX_UPLOAD_BYTES:
        refuse(
            f"This file is {size / 1024 / 1024:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 1024 // 1024} MB. "
            "Export a smaller JPEG and upload that.",
            "too_large",
        )
    upload.seek(0)
    data = upload.read()
    try:
        with warnings.catch_warnings():
            # Our own, lower pixel limit is checked just below.
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            picture = PILImage.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except PILImage.DecompressionBombError:
        refuse_bomb()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        refuse(
            "This file is not a JPEG, PNG, WebP or GIF image (whatever its name says), so it cannot be used. "
            "Upload a photograph or graphic in one of those formats.",
            "not_an_image",
        )
    if picture.width * picture.height > MAX_PIXELS:
        refuse_bomb(picture.width, picture.height)
    source_format = picture.format
    try:
        picture.seek(0)  # an animated GIF or WebP keeps its first frame
        picture.load()
        upright = ImageOps.exif_transpose(picture)
    except (OSError, SyntaxError, ValueError, EOFError, PILImage.DecompressionBombError):
        refuse(
            "This image is damaged or incomplete and cannot be read. Export it again and upload the new file.",
            "corrupt",
        )
    prepared = PreparedImage(picture=clean_copy(upright), source_format=source_format, name=upload.name or "image")
    upload._newsroom_prepared = prepared
    return prepared


def refuse_bomb(width=None, height=None):
    size = f" ({width} × {height} pixels)" if width else ""
    refuse(
        f"This image is too large to process{size}: the limit is {MAX_PIXELS // 1_000_000} megapixels. "
        "Resize it before uploading.",
        "too_many_pixels",
    )


def clean_copy(picture):
    """A copy of `picture` in a mode every encoder takes, with no metadata at all
    (EXIF with GPS and camera serials, XMP, comments); only the colour profile stays."""
    if picture.mode == "P" or picture.mode == "LA" or picture.mode == "PA":
        picture = picture.convert("RGBA" if has_alpha(picture) else "RGB")
    elif picture.mode not in ("RGB", "RGBA", "L"):
        picture = picture.convert("RGB")
    copy = picture.copy()
    icc_profile = picture.info.get("icc_profile")
    copy.info = {"icc_profile": icc_profile} if icc_profile else {}
    return copy


def encode(picture, image_format, *, quality=82):
    """Bytes of `picture` in `image_format`, carrying no metadata but its colour profile."""
    if image_format == "JPEG" and picture.mode not in ("RGB", "L"):
        background = PILImage.new("RGB", picture.size, "white")
        background.paste(picture, mask=picture.getchannel("A") if has_alpha(picture) else None)
        picture = background
    options = {"icc_profile": picture.info.get("icc_profile")} if picture.info.get("icc_profile") else {}
    if image_format == "JPEG":
        options.update(quality=quality, optimize=True, progressive=True)
    elif image_format == "WEBP":
        options.update(quality=quality, method=4)
    elif image_format == "PNG":
        options.update(compress_level=6)  # optimize=True costs seconds per large picture for a few per cent
    buffer = io.BytesIO()
    picture.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def resized(picture, width):
    if width >= picture.width:
        return picture
    height = max(1, round(picture.height * width / picture.width))
    return picture.resize((width, height), PILImage.Resampling.LANCZOS)


def rendition_widths(original_width):
    """The standard widths smaller than the original, and the original's own
    width when it is narrower than the widest standard one: never upscaled."""
    widths = [width for width in RENDITION_WIDTHS if width < original_width]
    if original_width < RENDITION_WIDTHS[-1]:
        widths.append(original_width)
    return widths


def focal_crop(picture, size, focal_x=None, focal_y=None):
    """`picture` cropped to the aspect ratio of `size` keeping the focal point
    (default: the centre) as near the middle as the edges allow, then scaled to `size`."""
    target_w, target_h = size
    focal_x = 0.5 if focal_x is None else min(max(focal_x, 0.0), 1.0)
    focal_y = 0.5 if focal_y is None else min(max(focal_y, 0.0), 1.0)
    if picture.width * target_h > picture.height * target_w:  # too wide: crop the sides
        crop_w, crop_h = round(picture.height * target_w / target_h), picture.height
    else:  # too tall: crop top and bottom
        crop_w, crop_h = picture.width, round(picture.width * target_h / target_w)
    left = min(max(round(focal_x * picture.width - crop_w / 2), 0), picture.width - crop_w)
    top = min(max(round(focal_y * picture.height - crop_h / 2), 0), picture.height - crop_h)
    cropped = picture.crop((left, top, left + crop_w, top + crop_h))
    return cropped.resize(size, PILImage.Resampling.LANCZOS)


def stem_for(name):
    return slugify(PurePosixPath(name).stem)[:60] or "image"


def store_original(prepared, storage, written):
    """Save the re-encoded original; returns its storage name."""
    folder = timezone.now().strftime("images/%Y/%m")
    extension = EXTENSIONS[prepared.stored_format]
    content = encode(prepared.picture, prepared.stored_format, quality=90)
    name = storage.save(f"{folder}/{stem_for(prepared.name)}.{extension}", ContentFile(content))
    written.append(name)
    return name


def store_renditions(picture, *, fallback_format, original_name, focal, storage, written):
    """Make and save every rendition of `picture`; returns the list kept on the Image row.
    Every name saved is appended to `written` at once, so a failure can remove them all."""
    folder = str(PurePosixPath(original_name).parent)
    base = f"{folder}/renditions/{PurePosixPath(original_name).stem}-{secrets.token_hex(4)}"
    renditions = []

    def save(kind, variant, image_format):
        content = encode(variant, image_format)
        name = storage.save(f"{base}-{kind}.{EXTENSIONS[image_format].lower()}", ContentFile(content))
        written.append(name)
        entry = {"kind": "social" if kind == "social" else "width"}
        entry.update(name=name, format=image_format, width=variant.width, height=variant.height)
        renditions.append(entry)

    for width in rendition_widths(picture.width):
        variant = resized(picture, width)
        save(f"{width}w", variant, "WEBP")
        save(f"{width}w", variant, fallback_format)
    social = focal_crop(picture, SOCIAL_SIZE, *focal)
    save("social", social, "PNG" if fallback_format == "PNG" else "JPEG")
    return renditions


def delete_files(storage, names):
    for name in names:
        if name:
            storage.delete(name)
