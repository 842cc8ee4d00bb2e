"""Media on local disk, written so that a file under its real name is always complete."""

import os
import posixpath
import secrets
from contextlib import suppress

from django.core.files.storage import FileSystemStorage

# Written files are named so while incomplete; `manage.py remove_orphan_media` removes
# those a killed process left behind.
PARTIAL_PREFIX = ".partial-"


class AtomicFileSystemStorage(FileSystemStorage):
    """FileSystemStorage that writes each file under a temporary name in the same folder
    and links it to its real name only once complete: a full disk or a killed worker
    leaves no half-written picture under a name a page could show. (Object storage
    needs none of this: an upload there appears whole or not at all.)"""

    def _save(self, name, content):
        folder, base = posixpath.split(name)
        partial = posixpath.join(folder, f"{PARTIAL_PREFIX}{secrets.token_hex(6)}-{base}")
        try:
            partial = super()._save(partial, content)
            while True:
                try:
                    os.link(self.path(partial), self.path(name))  # never replaces an existing file
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
        finally:
            with suppress(FileNotFoundError):
                os.remove(self.path(partial))
        return name.replace("\\", "/")
