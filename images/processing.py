"""Decoding uploads safely and making renditions with Pillow.

Everything here runs when an image is uploaded (or when renditions are
regenerated), never while a reader waits. Files are written through Django's
storage API so that object storage can replace the local disk."""

import ctypes
import ctypes.util
import gc
import io
import secrets
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image as PILImage
from PIL import ImageCms, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 50_000_000
RENDITION_WIDTHS = (320, 640, 960, 1280, 1920)
SOCIAL_SIZE = (1200, 630)
ORIGINALS = "originals"  # the folder of each month's originals
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
# The largest side each encoder takes (libwebp's limit; JPEG's 16-bit header fields).
MAX_SIDE = {"WEBP": 16383, "JPEG": 65535, "PNG": 2**31 - 1}

# A worker decodes one large picture at a time: a 50-megapixel picture is 200 MB decoded,
# and two threads of one gunicorn worker each holding one would double that.
LARGE_PIXELS = 4_000_000
_one_large_picture = threading.Lock()

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
    return picture.mode in ("RGBA", "RGBa", "LA", "PA") or "transparency" in picture.info


def refuse(message, code):
    raise ValidationError(message, code=code)


def prepare(upload):
    """Decode `upload` (a Django File) and return a PreparedImage, or raise a
    ValidationError saying what is wrong. The content decides, never the name.

    Memory: the decoded bitmap, plus a second one only while it is turned upright or
    converted to another mode (about twice the bitmap at the peak, never three times)."""
    size = upload.size
    if size > MAX_UPLOAD_BYTES:
        refuse(
            f"This file is {size / 1024 / 1024:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 1024 // 1024} MB. "
            "Export a smaller JPEG and upload that.",
            "too_large",
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Our own, lower pixel limit is checked just below.
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            picture = PILImage.open(readable(upload), formats=ACCEPTED_FORMATS)
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
        ImageOps.exif_transpose(picture, in_place=True)
    except (OSError, SyntaxError, ValueError, EOFError, PILImage.DecompressionBombError):
        refuse(
            "This image is damaged or incomplete and cannot be read. Export it again and upload the new file.",
            "corrupt",
        )
    return PreparedImage(picture=clean_copy(picture), source_format=source_format, name=upload.name or "image")


def readable(upload):
    """The file object inside a Django File: Pillow takes a Django File for a path name."""
    inner = getattr(upload, "file", None)
    return inner if inner is not None else upload


def refuse_bomb(width=None, height=None):
    size = f" ({width} × {height} pixels)" if width else ""
    refuse(
        f"This image is too large to process{size}: the limit is {MAX_PIXELS // 1_000_000} megapixels. "
        "Resize it before uploading.",
        "too_many_pixels",
    )


def clean_copy(picture):
    """`picture` in sRGB, in a mode every encoder takes, with no metadata at all (EXIF with
    GPS and camera serials, XMP, comments, the colour profile). A profile is applied, then
    dropped: an 8 MB random profile on a small JPEG was kept by every rendition (100 MB
    stored). Converts only when the mode needs it, so that a second bitmap exists only for a
    moment."""
    icc_profile = picture.info.get("icc_profile")
    if picture.mode.startswith("I"):
        # 16-bit greyscale (a PNG's "I;16"): scale 0–65535 to 0–255; converting
        # directly would clip every value above 255 to white.
        wide = picture if picture.mode == "I" else picture.convert("I")
        picture = wide.point(lambda value: value * (1 / 256)).convert("L")
        del wide
    elif picture.mode in ("P", "LA", "PA"):
        picture = picture.convert("RGBA" if has_alpha(picture) else "RGB")
    elif picture.mode not in ("RGB", "RGBA", "L"):
        picture = picture.convert("RGB")
    if icc_profile:
        picture = in_srgb(picture, icc_profile)
    picture.info = {}
    return picture


def in_srgb(picture, icc_profile):
    """`picture` converted from its embedded profile to sRGB (what browsers assume without
    one); unchanged when the profile is not one littlecms can read or does not fit the mode."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        if source.profile.xcolor_space.strip() != ("GRAY" if picture.mode == "L" else "RGB"):
            return picture
        mode = "RGB" if picture.mode == "L" else picture.mode
        return ImageCms.profileToProfile(picture, source, SRGB, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return picture


def encode(picture, image_format, *, quality=82):
    """Bytes of `picture` in `image_format`, carrying no metadata (an sRGB picture needs no profile)."""
    if picture.mode == "RGBa":
        picture = unpremultiplied(picture)
    if image_format == "JPEG" and picture.mode not in ("RGB", "L"):
        background = PILImage.new("RGB", picture.size, "white")
        background.paste(picture, mask=picture.getchannel("A") if has_alpha(picture) else None)
        picture = background
    options = {}
    if image_format == "JPEG":
        options.update(quality=quality, optimize=True, progressive=True)
    elif image_format == "WEBP":
        options.update(quality=quality, method=4)
    elif image_format == "PNG":
        options.update(compress_level=6)  # optimize=True costs seconds per large picture for a few per cent
    buffer = io.BytesIO()
    picture.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def premultiplied(picture):
    """A picture with transparency as "RGBa" (colours premultiplied by alpha), the form
    Pillow resizes it in: resizing an "RGBA" picture makes a premultiplied copy of all of
    it every time, another 200 MB for a 50-megapixel picture."""
    if picture.mode != "RGBA":
        return picture
    converted = picture.convert("RGBa")
    converted.info = picture.info
    return converted


def unpremultiplied(picture):
    converted = picture.convert("RGBA")
    converted.info = picture.info
    return converted


def resized(picture, width, height=None):
    if width >= picture.width:
        return picture
    height = height or max(1, round(picture.height * width / picture.width))
    # reducing_gap: shrink by whole factors first (fast, little memory), then LANCZOS.
    return picture.resize((width, height), PILImage.Resampling.LANCZOS, reducing_gap=3.0)


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
    # box= resamples from the region itself: no cropped copy of a large picture.
    box = (left, top, left + crop_w, top + crop_h)
    return picture.resize(size, PILImage.Resampling.LANCZOS, box=box, reducing_gap=3.0)


def stem_for(name):
    return slugify(PurePosixPath(name).stem)[:60] or "image"


def store_original(prepared, storage, written):
    """Save the re-encoded original under a name nobody can guess (readers get renditions;
    the original is served only to staff or while an article shows it); returns its name."""
    folder = timezone.now().strftime(f"images/%Y/%m/{ORIGINALS}")
    extension = EXTENSIONS[prepared.stored_format]
    content = encode(prepared.picture, prepared.stored_format, quality=90)
    secret = secrets.token_hex(16)
    name = storage.save(f"{folder}/{stem_for(prepared.name)}-{secret}.{extension}", ContentFile(content))
    written.append(name)
    return name


def rendition_base(original_name):
    """Where an original's renditions go: beside its month, named after its stem without the
    original's secret, and with a fresh one of their own (a new name each time they are made)."""
    path = PurePosixPath(original_name)
    folder, stem = path.parent, path.stem
    if folder.name == ORIGINALS:
        folder, stem = folder.parent, stem.rsplit("-", 1)[0]
    return f"{folder}/renditions/{stem}-{secrets.token_hex(8)}"


def store_renditions(picture, *, fallback_format, original_name, focal, storage, written):
    """Make and save every rendition of `picture`; returns the list kept on the Image row.
    Every name saved is appended to `written` at once, so a failure can remove them all.

    Widest first, each made from the one before it: no more than one rendition of a
    large picture exists at a time, beside the picture itself."""
    base = rendition_base(original_name)
    renditions = []

    def save(kind, variant, image_format):
        if max(variant.size) > MAX_SIDE[image_format]:
            return False
        content = encode(variant, image_format)
        name = storage.save(f"{base}-{kind}.{EXTENSIONS[image_format].lower()}", ContentFile(content))
        written.append(name)
        entry = {"kind": "social" if kind == "social" else "width"}
        entry.update(name=name, format=image_format, width=variant.width, height=variant.height)
        renditions.append(entry)
        return True

    social = focal_crop(picture, SOCIAL_SIZE, *focal)
    save("social", social, "PNG" if fallback_format == "PNG" else "JPEG")
    del social
    widths = sorted(rendition_widths(picture.width), reverse=True)
    heights = {width: max(1, round(picture.height * width / picture.width)) for width in widths}
    # A picture too tall for WebP at its widest rendition (a 600 × 17000 strip) gets no WebP
    # at all: a <source> missing some widths would make browsers pick a blurry one.
    webp = max(widths[0], heights[widths[0]]) <= MAX_SIDE["WEBP"]
    source = picture
    for width in widths:
        variant = resized(source, width, heights[width])
        if webp:
            save(f"{width}w", variant, "WEBP")
        if not save(f"{width}w", variant, fallback_format):
            refuse_shape(picture)
        source = variant
    renditions.sort(key=lambda r: (r["kind"] == "social", r["width"], r["format"] != "WEBP"))
    return renditions


def refuse_shape(picture):
    refuse(
        f"This picture is too long and narrow to show on a web page ({picture.width} × {picture.height} pixels). "
        "Crop it or split it into several pictures, then upload those.",
        "shape",
    )


@dataclass
class StoredUpload:
    """An upload decoded, its original and renditions written; what its Image row records."""

    name: str
    renditions: list
    width: int
    height: int
    written: list = field(default_factory=list)
    recorded: bool = False


def store_upload(upload, storage, *, focal=(None, None)):
    """Decode `upload`, write its original and renditions to `storage` and return a
    StoredUpload, or raise a ValidationError in words. Done once per upload (the result,
    or the refusal, is kept on it), and meant to run outside any database transaction:
    encoding a large picture takes seconds, and a transaction would hold SQLite's write
    lock all that time. On failure nothing stays written."""
    if isinstance(getattr(upload, "_newsroom_stored", None), (StoredUpload, ValidationError)):
        if isinstance(upload._newsroom_stored, ValidationError):
            raise upload._newsroom_stored
        return upload._newsroom_stored
    written = []
    try:
        with one_picture_at_a_time(upload):
            prepared = prepare(upload)
            try:
                name = store_original(prepared, storage, written)
                prepared.picture = premultiplied(prepared.picture)  # the RGBA one is freed
                renditions = store_renditions(
                    prepared.picture,
                    fallback_format=prepared.fallback_format,
                    original_name=name,
                    focal=focal,
                    storage=storage,
                    written=written,
                )
            except (OSError, ValueError) as error:
                if getattr(error, "errno", None) is not None:
                    # The storage failed, not the picture: a full or read-only disk answers 503 with
                    # Retry-After (newsroom/health.py), anything else 500; both logged.
                    raise
                refuse(
                    f"The picture library cannot store this picture ({error}). "
                    "Export it again as an ordinary JPEG or PNG and upload that.",
                    "cannot_encode",
                )
            stored = StoredUpload(name, renditions, *prepared.picture.size, written=written)
            prepared.picture.close()
            del prepared
    except ValidationError as refusal:
        delete_files(storage, written)
        upload._newsroom_stored = refusal
        raise
    except BaseException:
        delete_files(storage, written)
        raise
    upload._newsroom_stored = stored
    return stored


@contextmanager
def one_picture_at_a_time(upload):
    """Hold the worker's large-picture lock while a large picture is decoded and encoded,
    then give its memory back to the operating system."""
    large = _declared_pixels(upload) > LARGE_PIXELS
    if large:
        _one_large_picture.acquire()
    try:
        yield
    finally:
        if large:
            gc.collect()
            release_memory()
            _one_large_picture.release()


def _declared_pixels(upload):
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            with PILImage.open(readable(upload), formats=ACCEPTED_FORMATS) as picture:
                return picture.width * picture.height
    except Exception:
        return 0
    finally:
        upload.seek(0)


_libc = ctypes.CDLL(ctypes.util.find_library("c")) if ctypes.util.find_library("c") else None


def release_memory():
    """Give freed heap memory back to the operating system. Pillow allocates a large
    picture in blocks that glibc keeps in its heap after they are freed; without this a
    worker that once decoded a 50-megapixel picture stays 600 MB large."""
    trim = getattr(_libc, "malloc_trim", None)
    if trim is not None:
        trim(0)


def delete_files(storage, names):
    for name in names:
        if name:
            storage.delete(name)
