"""The article form of the admin: what was typed is never lost, and a save made after
someone else's is merged three ways (articles/merge.py) instead of overwriting it."""

from types import SimpleNamespace

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from taggit.models import Tag
from taggit.utils import edit_string_for_tags

from articles.clock import admin_time
from articles.conflicts import conflict_rows, settled_body
from articles.door import MERGED_FIELDS, content_of, model_value, reconcile, typed_value
from articles.models import Article, themes
from images.models import Image

SALT = "articles.form-base"


def posted_value(name, value):
    """A merged value as the form's widget posts it."""
    if name in ("theme", "lead_image"):
        return "" if value is None else str(value)
    if name == "tags":
        return edit_string_for_tags([SimpleNamespace(name=tag) for tag in value])
    return value


def shown(name, value):
    if name == "theme":
        return str(themes().filter(pk=value).first() or "—") if value else "—"
    if name == "lead_image":
        return str(Image.objects.filter(pk=value).first() or "—") if value else "—"
    if name == "tags":
        return ", ".join(value) or "—"
    return value or "—"


class ArticleAdminForm(forms.ModelForm):
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The content the form was opened with (signed): the base of a three-way merge.
    base = forms.CharField(widget=forms.HiddenInput, required=False)
    # After a conflict: their side of each conflicting field, for "keep theirs".
    theirs = forms.CharField(widget=forms.HiddenInput, required=False)
    significant_update = forms.BooleanField(
        required=False,
        label="Significant update",
        help_text="Tick when this edit changes the story for readers: the article shows “Updated” with "
        "the time of this save. Leave it for typo fixes.",
    )

    class Meta:
        model = Article
        fields = ["headline", "deck", "standfirst", "body", "lead_image", "theme", "tags", "slug"]
        widgets = {
            "headline": forms.TextInput(attrs={"class": "vLargeTextField headline-input", "maxlength": 200}),
            "deck": forms.TextInput(attrs={"class": "vLargeTextField", "maxlength": 300}),
            "standfirst": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 24, "class": "markdown-body"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflicts = []
        self.conflict_by = None
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version
            self.fields["base"].initial = signing.dumps(content_of(self.instance), salt=SALT, compress=True)

    def clean_tags(self):
        names = self.cleaned_data["tags"]
        longest = Tag._meta.get_field("name").max_length
        if too_long := [name for name in names if len(name) > longest]:
            raise ValidationError(f"A tag has at most {longest} characters: “{too_long[0][:40]}…” is longer.")
        return names

    # Set by the admin when a workflow step pressed on this form was refused, or waits for the
    # person to confirm what goes live: the form comes back with what was typed, nothing saved.
    step_problem = None

    def clean(self):
        cleaned = super().clean()
        if self.step_problem:
            raise ValidationError(self.step_problem, code="step")
        if not self.instance.pk:
            return cleaned
        self.apply_choices(cleaned)
        # Locked until the save (the admin's transaction): no one saves between this
        # comparison and ours. A form posted without its version is compared like a stale one.
        current = Article.all_objects.select_for_update().get(pk=self.instance.pk)
        loaded = cleaned.get("loaded_version")
        if loaded is not None and loaded == current.version:
            return cleaned
        theirs = content_of(current)
        mine = {name: typed_value(name, cleaned[name]) for name in MERGED_FIELDS if name in cleaned}
        merged, conflicts = reconcile(current, loaded, unsigned(cleaned.get("base")), mine)
        # From here on the form stands on their save: it shows what merged, and the next
        # save is compared with their version.
        self.data = self.data.copy()
        for name, value in merged.items():
            cleaned[name] = model_value(name, value)
            self.data[name] = posted_value(name, value)
        cleaned["loaded_version"] = self.data["loaded_version"] = current.version
        self.data["base"] = signing.dumps(theirs, salt=SALT, compress=True)
        if not conflicts:
            return cleaned
        # The body's side is its pieces: each clash is settled on its own (articles/conflicts.py).
        choices = {n: c.get("pieces", c["theirs"]) for n, c in conflicts.items()}
        self.data["theirs"] = signing.dumps(choices, salt=SALT, compress=True)
        who = current.modified_by
        self.conflict_by = {
            "who": (who.get_full_name() or who.get_username()) if who else "Someone",
            "when": admin_time(current.modified_at),
        }
        labels = {name: self.fields[name].label for name in conflicts}
        self.conflicts = conflict_rows(conflicts, unsigned(cleaned.get("base")) or {}, labels=labels, shown=shown)
        raise ValidationError(
            "%(who)s saved this article at %(when)s, after you opened it. Their changes and yours are "
            "merged below; where you both changed the same thing, choose which to keep, then save again.",
            code="edit_conflict",
            params=self.conflict_by,
        )

    def apply_choices(self, cleaned):
        """Fields where the person chose "keep theirs" after a conflict take their value; the
        body settles clash by clash. The form shows the result if it comes back again."""
        theirs = unsigned(cleaned.get("theirs")) or {}
        settled = {}
        for name, value in theirs.items():
            if name == "body" and isinstance(value, list):
                settled[name] = settled_body(value, self.data, cleaned.get(name))
            elif name in MERGED_FIELDS and self.data.get(f"resolve-{name}") == "theirs":
                settled[name] = value
        cleaned.update({name: model_value(name, value) for name, value in settled.items()})
        cleaned["theirs"] = ""
        if settled:
            self.data = self.data.copy()
            for name, value in settled.items():
                self.data[name] = posted_value(name, value)


def unsigned(value):
    try:
        return signing.loads(value, salt=SALT) if value else None
    except signing.BadSignature:
        return None
