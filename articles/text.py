"""Plain-text rules for headlines and decks (bodies: articles/body.py)."""

import html
import re

from django.core.exceptions import ValidationError

# What counts as an HTML tag in plain text: "<", a tag name, then attributes up to ">".
# As in browsers, "x < y" and "a<b merger" (no closing ">") are text, kept as typed.
HTML_TAG = re.compile(r"</?[a-zA-Z!][^<>]*>")

# Markup an editor might paste into a plain-text field, each with the words
# the error message uses to say what to remove.
MARKUP_PATTERNS = [
    (HTML_TAG, "HTML tags such as “<b>”"),
    (re.compile(r"\*\*|__"), "bold markers “**” or “__”"),
    (re.compile(r"(?:^|\s)\*(?=\S)[^*]*\S\*(?:\s|$)"), "italic markers “*”"),
    (re.compile(r"^\s*#{1,6}\s"), "heading markers “#”"),
    (re.compile(r"\[[^\[\]]*\]\([^()]*\)"), "links written as “[text](url)”"),
    (re.compile(r"`"), "code markers “`”"),
    (re.compile(r"~~"), "strike-through markers “~~”"),
    (re.compile(r"^\s*>\s"), "quote markers “>”"),
    (re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);"), "HTML entities such as “&amp;”"),
]


def markup_found(value):
    """What markup `value` holds, each kind described with the first piece found
    (empty when it is plain)."""
    found = []
    for pattern, label in MARKUP_PATTERNS:
        match = pattern.search(value or "")
        if match:
            found.append(f"{label} (here “{match.group().strip()[:40]}”)")
    return found


def validate_plain_text(value):
    found = markup_found(value)
    if found:
        raise ValidationError(
            "This is plain text: remove the %(markup)s. Formatting is not shown to readers here.",
            code="markup",
            params={"markup": ", ".join(found)},
        )


_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b[^<>]*>", re.IGNORECASE)
_CLOSING = {"script": re.compile(r"</script\s*>", re.IGNORECASE), "style": re.compile(r"</style\s*>", re.IGNORECASE)}


def _without_scripts(text):
    """`text` without <script> and <style> elements and their content. Linear: a lazy `.*?`
    regex scanned to the end once per unclosed opening tag ("<script>" × 100 KB: 4 s)."""
    pieces, position, unclosed = [], 0, set()
    while match := _SCRIPT_OR_STYLE.search(text, position):
        name = match.group(1).lower()
        closing = None if name in unclosed else _CLOSING[name].search(text, match.end())
        if closing is None:
            unclosed.add(name)  # no later one of this kind closes either
            pieces.append(text[position : match.end()])
            position = match.end()
            continue
        pieces.append(text[position : match.start()])
        position = closing.end()
    pieces.append(text[position:])
    return "".join(pieces)


_STRIP_MARKDOWN = [
    # Neither part crosses the next bracket: "[" × 100 KB (the search index reads bodies through
    # here) took 188 s when each "[" scanned to the end.
    (re.compile(r"\[([^\[\]]*)\]\([^()]*\)"), r"\1"),
    (re.compile(r"^\s*#{1,6}\s+"), ""),
    (re.compile(r"^\s*>\s+"), ""),
    (re.compile(r"\*\*|__|~~|`"), ""),
    (re.compile(r"(?<!\w)\*(?=\S)([^*]*\S)\*(?!\w)"), r"\1"),
]


# Characters without which there is no markup to remove (the common case: one regex scan).
_MARKUP_CHARACTERS = re.compile(r"[<&*_~`#\[>]")


def plain_text(value):
    """`value` with the markup that validation refuses removed, for showing a headline or
    deck that reached the database without passing form validation.

    Never an HTML parser: a parser reads "Shares fall as a<b merger collapses" as the
    text "Shares fall as a" and a `<b …>` tag. Only complete tags go; the rest is text,
    and the template's autoescaping is the only escaping."""
    if not _MARKUP_CHARACTERS.search(value or ""):
        return " ".join((value or "").split())
    text = _without_scripts(value)
    text = html.unescape(HTML_TAG.sub("", text))
    for pattern, replacement in _STRIP_MARKDOWN:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())


def cut_at_word(value, limit):
    """`value` at most `limit` characters long, cut at a word boundary with an ellipsis."""
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    if value[limit - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:–—-") + "…"


# Scripts written without spaces between words: Chinese, Japanese (kana, kanji), Korean's syllables.
UNSPACED = re.compile("[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]")
_WORD = re.compile(f"{UNSPACED.pattern}|(?:(?!{UNSPACED.pattern})[^\\W_])+")


def words(text):
    """The words of a text in any script, lower-cased: runs of letters and digits, and each
    character of a script written without spaces (where a run would be a whole sentence). One
    tokeniser for what compares or finds words: search, duplicate warnings."""
    return _WORD.findall((text or "").lower())
