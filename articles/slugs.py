"""Web addresses made from names in any script: "Київ" is /tags/київ/, "東京" /tags/東京/.

Addresses carry Unicode slugs, as Wikipedia's and most non-English newsrooms' do: a reader
in Kyiv or Tokyo reads the address, browsers show it as typed, and search engines index it.
Transliteration ("kyiv", "dong-jing") loses the word and is a different word in every
language. A slug is Django's `slugify(allow_unicode=True)` (NFKC, lower case, letters and
digits of every script, hyphens), the same rule as the admin's prepopulated fields, Django's
`validate_unicode_slug` and django-taggit; a name of symbols only ("🦊") is spelled by
their Unicode names ("fox-face"), so no slug is ever empty. `docs/addresses.md` has the rules.
"""

import itertools
import re
import unicodedata

from django.urls import converters, register_converter
from django.utils.text import slugify


def slug_for(text, *, max_length, fallback):
    """The slug of `text` in at most `max_length` characters; `fallback` when `text` has
    nothing to spell (no letter, digit or named symbol)."""
    slug = slugify(text, allow_unicode=True)
    if not slug:
        characters = unicodedata.normalize("NFKC", text or "")
        names = (unicodedata.name(character, "") for character in characters if not character.isspace())
        slug = slugify(" ".join(names))
    return slug[:max_length].strip("-_") or fallback


def unique_slug(text, taken, *, max_length, fallback):
    """`slug_for(text)`, or it with "-2", "-3"… when `taken(candidate)` says it is in use."""
    base = slug_for(text, max_length=max_length - 6, fallback=fallback)
    for candidate in itertools.chain([base], (f"{base}-{n}" for n in itertools.count(2))):
        if not taken(candidate):
            return candidate


# Django's validate_unicode_slug. Any other slug (empty, a space, a slash, "?") cannot be reversed
# into an address, and a page linking to it answered 500.
ADDRESSABLE = re.compile(r"^[-\w]+\Z")


def repair_slugs(model, source, max_length, fallback):
    """For data migrations: give every row of `model` whose slug cannot be an address one made
    from its `source` field. Good slugs stay, and the addresses readers know with them."""
    taken = set(model.objects.values_list("slug", flat=True))
    for pk, slug, text in model.objects.values_list("pk", "slug", source).order_by("pk"):
        if slug and ADDRESSABLE.match(slug):
            continue
        base = slug_for(text, max_length=max_length - 6, fallback=fallback)
        candidate = next(
            c for c in itertools.chain([base], (f"{base}-{n}" for n in itertools.count(2))) if c not in taken
        )
        taken.add(candidate)
        model.objects.filter(pk=pk).update(slug=candidate)


class UnicodeSlugConverter(converters.StringConverter):
    """`<uslug:slug>`: Django's `<slug:…>` in every script (`[-\\w]+` is Unicode in Python)."""

    regex = r"[-\w]+"


if "uslug" not in converters.get_converters():
    register_converter(UnicodeSlugConverter, "uslug")


def tag_slug(tag, name, i=None):
    """django-taggit's `TagBase.slugify` with our rule: taggit's own makes "" of "🦊" (an
    address that cannot be reversed) and suffixes clashes with "_1". Installed on taggit's Tag
    by `ArticlesConfig.ready`: tags are made inside taggit's manager, where no subclass reaches."""
    suffix = f"-{i + 1}" if i is not None else ""
    return slug_for(name, max_length=100 - len(suffix), fallback="tag") + suffix


def same_name(a, b):
    """Tag names a reader takes for one: "Київ" and "київ", "BBC" and "bbc" (case, Unicode
    normal form and spacing aside). "Café" and "cafe" stay two: an accent can change the word."""
    return fold(a) == fold(b)


def fold(name):
    return " ".join(unicodedata.normalize("NFKC", name).lower().split())
