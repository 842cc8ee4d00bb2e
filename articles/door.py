"""The one door for an article's content. `save_content` is the only way the admin, the API
and the importer change what an article says (its workflow moves through
`articles.workflow.take_step`). It locks the row, compares the version the writer started
from with the stored one, merges three ways (articles/merge.py) or refuses, sets bylines and
tags, records the revision and audits an edit of a live article, in one transaction."""

import reversion
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEntry
from images.models import Image

from . import events
from .body import render_body
from .merge import merge_fields
from .models import Action, Article, ArticleEvent, Byline, themes
from .permissions import article_policy

# The content a merge covers, as plain values: text, ids, tag names.
MERGED_FIELDS = ["headline", "deck", "standfirst", "body", "slug", "theme", "lead_image", "tags"]
# What an import may leave for an editor to mend: its body, pictures and themes come as they were.
IMPORT_UNCHECKED = ["slug", "body", "tags", "lead_image", "theme"]


class EditConflict(Exception):
    """Someone saved the article after the version the change started from, and both changed
    the same thing. `current` is the article as saved now, `merged` every field with the
    other side's edits taken in, `conflicts` {field: {"theirs": …, "mine": …}}."""

    def __init__(self, current, merged, conflicts):
        super().__init__(
            f"Someone saved this article after you read it (version {current.version}): "
            f"you both changed {', '.join(conflicts)}."
        )
        self.current, self.merged, self.conflicts = current, merged, conflicts


def content_of(article):
    """An article's content as the merge compares it."""
    return {
        "headline": article.headline,
        "deck": article.deck,
        "standfirst": article.standfirst,
        "body": article.body,
        "slug": article.slug,
        "theme": article.theme_id,
        "lead_image": article.lead_image_id,
        "tags": sorted(article.tags.names()) if article.pk else [],
    }


def typed_value(name, value):
    """A value as given to save_content (a Theme, an Image, tag names), as the merge compares it."""
    if name in ("theme", "lead_image"):
        return value.pk if value is not None else None
    if name == "tags":
        return sorted(value or [])
    return value or ""


def model_value(name, value):
    """A merged value back as save_content takes it."""
    if name == "theme":
        return themes().filter(pk=value).first() if value else None
    if name == "lead_image":
        return Image.objects.filter(pk=value).first() if value else None
    return value


def reconcile(current, expected_version, base, mine):
    """(merged, conflicts) for content `mine` typed over `base` at `expected_version`, against
    `current` as stored. Without a base every difference is a question."""
    if expected_version is not None and expected_version == current.version:
        return dict(mine), {}
    return merge_fields(base or {}, content_of(current), mine)


def save_content(
    article,
    data,
    *,
    user,
    expected_version,
    base=None,
    comment="",
    significant=False,
    imported=False,
):
    """Save `data` (any of headline, deck, standfirst, body, slug, theme, lead_image, tags as a
    list of names, authors as a list of Authors) to `article` as `user`, and return the
    fields that changed. `expected_version` is the version the change started from (None for a
    new article). When someone saved since, what merges is saved and an overlap raises
    EditConflict; `base` (the content the change started from) lets the merge tell an edit
    from a value left as it was, and without it every difference is a conflict. Raises
    PermissionDenied when the policy does not let `user` change the article.
    `significant` marks a change readers should see as "Updated" (for those who may correct);
    `imported` is for importers (wordpress/) only, acting as an account without permissions."""
    data = dict(data)
    authors = data.pop("authors", None)
    if data.get("tags") is not None:
        data["tags"] = [" ".join(tag.split()) for tag in data["tags"] if tag.strip()]
    if "body" in data:
        render_body(data["body"].strip())  # before the lock: the save inside finds it rendered
    with transaction.atomic():
        if article.pk is None:
            if not imported and not user.has_perm("articles.add_article"):
                raise PermissionDenied("You may not write articles.")
            current = article
            current.created_by = current.created_by or (None if imported else user)
            before = {}
        else:
            current = Article.all_objects.select_for_update().get(pk=article.pk)
            if not imported and not article_policy.user_has_permission_for_instance(user, "change", current):
                raise PermissionDenied(f"You may not edit this article while it is {current.state().label.lower()}.")
            before = content_of(current)
            mine = {name: typed_value(name, data[name]) for name in MERGED_FIELDS if name in data}
            merged, conflicts = reconcile(current, expected_version, base, mine)
            if conflicts:
                raise EditConflict(current, merged, conflicts)
            data.update({name: model_value(name, value) for name, value in merged.items()})
        tags = data.pop("tags", None)
        for name, value in data.items():
            setattr(current, name, value)
        current.modified_by = user
        current.full_clean(exclude=IMPORT_UNCHECKED if imported else ["slug"] if current.pk else None)
        marked = significant and article_policy.user_has_permission_for_instance(user, "correct", current)
        if marked:
            current.updated_at = timezone.now().replace(microsecond=0)
        was_live = current.pk is not None and current.is_live()
        with reversion.create_revision():
            reversion.set_user(user)
            if comment:
                reversion.set_comment(comment)
            current.save()
            if authors is not None:
                Byline.objects.filter(article=current).exclude(author__in=authors).delete()
                for position, author in enumerate(authors):
                    Byline.objects.update_or_create(article=current, author=author, defaults={"position": position})
            if tags is not None:
                current.tags.set(tags)
        after = content_of(current)
        changed = sorted(name for name in after if before.get(name) != after[name])
        if authors is not None:
            changed.append("authors")
        if marked:
            ArticleEvent.objects.create(article=current, action=Action.UPDATE, actor=user)
        if was_live and not imported:
            AuditEntry.record(user, "article.edit_live", current, {"fields": changed})
        events.changed([current.pk], changed)
    if current is not article:
        article.refresh_from_db()
    return changed
