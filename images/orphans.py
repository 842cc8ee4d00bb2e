"""Media files that no row refers to: left by a worker killed during an upload, or by a
failure between writing a file and recording it. `manage.py remove_orphan_media` lists
them and removes them."""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

from .models import Image

# An upload writes its files before the row naming them is saved (images.processing):
# a file younger than this may belong to an upload still in progress.
GRACE = timedelta(hours=1)


def media_files(storage=default_storage, folder=""):
    """Every file name in `storage`, recursively (works for disk and object storage)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from media_files(storage, f"{folder}/{sub}" if folder else sub)


def referenced_files():
    """Every file name an Image row refers to: its original and its renditions."""
    names = set()
    for file, renditions in Image.objects.values_list("file", "renditions").iterator(chunk_size=1000):
        names.add(file)
        names.update(rendition["name"] for rendition in renditions or [])
    return names


def orphan_files(storage=default_storage, *, grace=GRACE):
    """(name, size) of each media file no row refers to, older than `grace`."""
    referenced = referenced_files()
    cutoff = timezone.now() - grace
    for name in media_files(storage):
        if name in referenced:
            continue
        try:
            if storage.get_modified_time(name) > cutoff:
                continue
            size = storage.size(name)
        except (FileNotFoundError, NotImplementedError):
            continue
        yield name, size
