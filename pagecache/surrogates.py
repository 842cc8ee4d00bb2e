"""The surrogate keys pages show and changes invalidate, made only here.

A key a page shows and the key a change invalidates must be the same string, or the page is
never dropped: a typo does not fail, it serves a stale page for an hour. So no key is typed
anywhere else; views, fragments, feeds, the API and the content apps' declarations
(`keys.register`, schedules) all build them with these functions, and `is_known()` says
whether a string is one of them (a test holds every key of every public page to it).

- `article:<id>`, `theme:<id>`, `author:<id>`, `tag:<id>`, `image:<id>`, `page:<id>`: one row,
  everything of it a page shows (`row_key`, `article_key`, ...);
- `list:latest`: every live article (home, site feeds, sitemaps, the API's lists);
  `list:theme:<id>`, `list:author:<id>`, `list:tag:<id>`: the live articles of one (`list_key`);
- `<kind>:*`: every row or list of a kind, for pages that show too many to name (`every`);
- `navigation` (the current themes), `site-settings` (the publication's name, links...),
  `site` (everything, when PAGE_CACHE_KEYED is off).

The page cache still knows no content model: these are names of kinds, not of models."""

import re

ROW_KINDS = ("article", "theme", "author", "tag", "image", "page", "live")  # live: an article's entries
LIST_KINDS = ("theme", "author", "tag")  # lists of one row's live articles

LATEST = "list:latest"
NAVIGATION = "navigation"
SETTINGS = "site-settings"
SITE = "site"
WHOLE = (LATEST, NAVIGATION, SETTINGS, SITE)

_KNOWN = re.compile(
    rf"(?:{'|'.join(ROW_KINDS)}):(?:0|[1-9][0-9]*|\*)"
    rf"|list:(?:{'|'.join(LIST_KINDS)}):(?:0|[1-9][0-9]*|\*)"
    rf"|{'|'.join(re.escape(key) for key in WHOLE)}"
)


def _id(pk):
    # int() refuses "12a" and None; a key such as `article:None` could never be invalidated.
    number = int(pk)
    if number < 0 or isinstance(pk, bool):
        raise ValueError(f"not a row id: {pk!r}")
    return number


def row_key(kind, pk):
    """`kind:<pk>`: one row of a kind in ROW_KINDS."""
    if kind not in ROW_KINDS:
        raise ValueError(f"unknown kind of row: {kind!r}")
    return f"{kind}:{_id(pk)}"


def article_key(pk):
    return f"article:{_id(pk)}"


def theme_key(pk):
    return f"theme:{_id(pk)}"


def author_key(pk):
    return f"author:{_id(pk)}"


def tag_key(pk):
    return f"tag:{_id(pk)}"


def image_key(pk):
    return f"image:{_id(pk)}"


def page_key(pk):
    return f"page:{_id(pk)}"


def list_key(kind, pk=None):
    """`list:latest` (kind "latest", no pk), or `list:<kind>:<pk>` for a kind in LIST_KINDS."""
    if kind == "latest" and pk is None:
        return LATEST
    if kind not in LIST_KINDS:
        raise ValueError(f"unknown kind of list: {kind!r}")
    return f"list:{kind}:{_id(pk)}"


def every(kind):
    """`<kind>:*`: every row of a kind (`every("article")`) or every list of one
    (`every("list:theme")`), for a page that shows them all (a sitemap)."""
    if kind not in ROW_KINDS and kind.removeprefix("list:") not in LIST_KINDS:
        raise ValueError(f"unknown kind: {kind!r}")
    return f"{kind}:*"


def is_known(key):
    """Whether `key` is a key these functions make."""
    return isinstance(key, str) and _KNOWN.fullmatch(key) is not None
