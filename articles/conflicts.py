"""What an edit conflict shows, and how the person's choices settle it.

Each field both sides changed, and each clash of the body's paragraphs (articles/merge.py),
is shown with the words each side changed against the version both started from marked, so
that a changed comma in a long paragraph can be seen; each is settled on its own: theirs,
mine, or (for the body) rewritten by hand. The API names the same clashes in its 409."""

import re

from diff_match_patch import diff_match_patch
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from .merge import clashes, edits, joined, merge_paragraphs, normalise, paragraphs

# A word; each Chinese, Japanese or Korean character alone (those scripts put no spaces between
# words, so a whole sentence would be one "word"); an emoji with its modifiers and joined parts;
# a run of spaces; any other character.
TOKEN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]"
    r"|\w+"
    r"|[^\w\s][\ufe0f\U0001f3fb-\U0001f3ff]*(?:\u200d[^\w\s][\ufe0f\U0001f3fb-\U0001f3ff]*)*"
    r"|\s+"
)
# diff-match-patch gives up on the best diff after this long and answers a coarser one: a
# crafted paragraph costs at most this per side shown.
DIFF_SECONDS = 0.2


def word_diff(before, after):
    """[(op, text)]: -1 removed, 1 added, 0 kept, whole words at a time (diff-match-patch over
    words mapped to single characters, as its line mode does with lines)."""
    codes = {}

    def encoded(text):
        return "".join(codes.setdefault(token, code_point(len(codes))) for token in TOKEN.findall(text))

    engine = diff_match_patch()
    engine.Diff_Timeout = DIFF_SECONDS
    diffs = engine.diff_main(encoded(before), encoded(after), False)
    engine.diff_cleanupSemantic(diffs)  # "strike ends" → "crews back", not word by word in turns
    tokens = {code: token for token, code in codes.items()}
    return [(op, "".join(tokens[code] for code in text)) for op, text in diffs]


def code_point(number):
    """The character standing for the `number`th distinct word: from U+0100 on, stepping over
    the surrogates (not characters of their own)."""
    return chr(0x100 + number + (0x800 if 0x100 + number >= 0xD800 else 0))


def marked(before, after):
    """`after` as HTML: the words it added to `before` in <ins>, those it removed in <del> (which
    the admin's stylesheet also says aloud: not every screen reader announces the elements)."""
    parts = []
    for op, text in word_diff(before or "", after or ""):
        if op == 0:
            parts.append(escape(text))
        elif op > 0:
            parts.append(format_html("<ins>{}</ins>", text))
        else:
            parts.append(format_html("<del>{}</del>", text))
    return mark_safe("".join(parts))


def conflict_rows(conflicts, base, *, labels, shown):
    """One row for each choice the person makes: each field both sides changed, and each clash
    of the body, in the form's order. `shown(name, value)` is how a value reads (a theme's name
    for its id); `labels` the form's labels."""
    rows = []
    for name, conflict in conflicts.items():
        if "pieces" not in conflict:
            before = shown(name, base.get(name))
            theirs, mine = shown(name, conflict["theirs"]), shown(name, conflict["mine"])
            rows.append(
                {"key": name, "label": labels[name], "theirs": marked(before, theirs), "mine": marked(before, mine)}
            )
            continue
        for number, clash in enumerate(clashes(conflict["pieces"]), start=1):
            before, theirs, mine = ("\n\n".join(clash[side]) for side in ("base", "theirs", "mine"))
            rows.append(
                {
                    "key": f"{name}-{number}",
                    "label": f"{labels[name]}, {where(clash)}",
                    "theirs": marked(before, theirs),
                    "mine": marked(before, mine),
                    "hand": True,
                    "by_hand": mine,
                }
            )
    return rows


def where(clash):
    """Which paragraphs of the version both started from a clash is about, in words."""
    first, count = clash["at"] + 1, len(clash["base"])
    if count == 0:
        return f"new text before paragraph {first}" if first > 1 else "new text at the start"
    return f"paragraph {first}" if count == 1 else f"paragraphs {first}–{first + count - 1}"


def settled_body(pieces, choices, typed):
    """The body with each clash settled as `choices` (the posted form) says: "theirs", "mine"
    (the default) or "hand" with the text typed for it. What was typed into the body itself
    since the conflict was shown is merged in and wins where it touched the same paragraphs:
    the choices and the body never undo each other, and a choice the page already applied
    to the body (as its script does) counts once."""
    chosen = []
    for number, piece in enumerate_clashes(pieces):
        if number is None:
            chosen += piece["same"]
            continue
        choice = choices.get(f"resolve-body-{number}")
        if choice == "hand":
            chosen += paragraphs(normalise(choices.get(f"resolve-body-{number}-text", "")).strip())
        else:
            chosen += piece["theirs" if choice == "theirs" else "mine"]
    return merge_paragraphs(joined(pieces, "mine"), "\n\n".join(chosen), normalise(typed or ""))[1]


def enumerate_clashes(pieces):
    """(number, piece): clashes numbered from 1, agreed pieces with None."""
    number = 0
    for piece in pieces:
        if "same" in piece:
            yield None, piece
        else:
            number += 1
            yield number, piece


def paragraph_conflicts(pieces):
    """Each run of paragraphs where the two sides of a body conflict differ: its number in
    their body as merged (from 1), their paragraphs and mine, for the API's 409."""
    found, position = [], 0
    for _number, piece in enumerate_clashes(pieces):
        if "same" in piece:
            position += len(piece["same"])
            continue
        for start, end, replacement in edits(piece["theirs"], piece["mine"]):
            found.append(
                {
                    "paragraph": position + start + 1,
                    "theirs": "\n\n".join(piece["theirs"][start:end]),
                    "mine": "\n\n".join(replacement),
                }
            )
        position += len(piece["theirs"])
    return found
