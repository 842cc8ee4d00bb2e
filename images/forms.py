"""The image library's upload form, and making an upload's files before the admin's transaction."""

from contextlib import contextmanager, suppress

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.module_loading import import_string

from . import processing
from .models import Image

TEXT_FIELDS = ("title", "alt_text", "caption", "credit")


def focal_point(data):
    """The focal point typed in the form, or None for either part that is not a fraction
    from 0 to 1 (the form then refuses it; the renditions made meanwhile are removed)."""

    def fraction(name):
        try:
            value = float(data.get(name) or "")
        except ValueError:
            return None
        return value if 0 <= value <= 1 else None

    return fraction("focal_x"), fraction("focal_y")


class ImageForm(forms.ModelForm):
    # A plain file field: the content is checked by images.processing, which says
    # exactly what is wrong, instead of Django's one generic "not an image" message.
    file = forms.FileField(
        help_text=Image._meta.get_field("file").help_text,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )

    class Meta:
        model = Image
        fields = ["file", "title", "alt_text", "caption", "credit", "focal_x", "focal_y"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Captions, credits and alt text are plain text, by the rule the articles' text follows
        # (given by a setting: the image library does not import the articles).
        validators = [import_string(path) for path in settings.PLAIN_TEXT_VALIDATORS]
        for name in TEXT_FIELDS:
            if name in self.fields:  # a read-only view of the image has none
                self.fields[name].validators.extend(validators)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if isinstance(upload, UploadedFile):
            # Decodes and stores it, or raises a ValidationError with the reason.
            processing.store_upload(upload, Image._meta.get_field("file").storage, focal=focal_point(self.data))
        return upload


@contextmanager
def upload_stored_first(request):
    """Around the admin's add/change view: decode the uploaded picture and write its
    renditions before the view opens its transaction (with SQLite, a transaction holds
    the database's write lock, and encoding a large picture takes seconds: every sign-in
    and save would wait). A refusal is kept for the form to show. Files written for a
    form that is not saved after all (a missing alt text) are removed afterwards."""
    upload = request.FILES.get("file") if request.method == "POST" else None
    storage = Image._meta.get_field("file").storage
    stored = None
    if isinstance(upload, UploadedFile):
        with suppress(ValidationError):  # kept on the upload; ImageForm.clean_file shows it
            stored = processing.store_upload(upload, storage, focal=focal_point(request.POST))
    try:
        yield
    except BaseException:
        if stored is not None:  # the view's transaction rolled back: no row names them
            processing.delete_files(storage, stored.written)
        raise
    if stored is not None and not stored.recorded:
        processing.delete_files(storage, stored.written)
