"""Three-way merge of an article form saved after someone else saved the article.

`base` is what the form was opened with, `theirs` what is saved now, `mine` what was
typed. What only one side changed is kept; what both changed differently is a conflict
for the person saving to choose. The body merges paragraph by paragraph, so edits to
different paragraphs never conflict."""

from difflib import SequenceMatcher


def normalise(value):
    """Browsers send CRLF; tags come in any order."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, list | tuple | set):
        return sorted(str(item) for item in value)
    return value


def merge_fields(base, theirs, mine):
    """(merged, conflicts): merged values for every field of `mine`, and for each field both
    sides changed differently, {"theirs": …, "mine": …} — the two ways to settle it, each
    already holding the other side's edits that did not overlap (body paragraphs)."""
    merged, conflicts = {}, {}
    for name, typed in mine.items():
        before, saved, typed = normalise(base.get(name)), normalise(theirs.get(name)), normalise(typed)
        if typed == saved or saved == before:
            merged[name] = typed
        elif typed == before:
            merged[name] = saved
        elif name == "body":
            pieces = merge_body(before or "", saved or "", typed or "")
            theirs_wins, mine_wins = joined(pieces, "theirs"), joined(pieces, "mine")
            merged[name] = mine_wins
            if theirs_wins != mine_wins:
                conflicts[name] = {"theirs": theirs_wins, "mine": mine_wins, "pieces": pieces}
        else:
            merged[name] = typed
            conflicts[name] = {"theirs": saved, "mine": typed}
    return merged, conflicts


def paragraphs(text):
    return [part for part in text.strip("\n").split("\n\n")] if text.strip() else []


def merge_paragraphs(base, theirs, mine):
    """The body merged two ways: (theirs wins overlaps, mine wins overlaps). The two are equal
    when no paragraph was changed on both sides."""
    pieces = merge_body(base, theirs, mine)
    return joined(pieces, "theirs"), joined(pieces, "mine")


def merge_body(base, theirs, mine):
    """The body merged paragraph by paragraph, as a list of pieces: {"same": [paragraphs]}
    where the sides agree or only one changed, and a clash {"at", "base", "theirs", "mine"}
    (lists of paragraphs; `at` is the first one's index in base) where both changed the same
    paragraphs differently, so that each clash can be settled on its own."""
    original = paragraphs(base)
    hunks = sorted(
        [(*hunk, "theirs") for hunk in edits(original, paragraphs(theirs))]
        + [(*hunk, "mine") for hunk in edits(original, paragraphs(mine))],
        key=lambda hunk: (hunk[0], hunk[1]),
    )
    pieces, position, index = [], 0, 0
    while index < len(hunks):
        group = [hunks[index]]
        start, end = hunks[index][0], hunks[index][1]
        index += 1
        # Hunks that touch the same paragraphs (or insert at the same place) settle together.
        while index < len(hunks) and (hunks[index][0] < end or hunks[index][0] == start):
            end = max(end, hunks[index][1])
            group.append(hunks[index])
            index += 1
        pieces.append({"same": original[position:start]})
        theirs_side, mine_side = (apply(original, start, end, group, prefer=side) for side in ("theirs", "mine"))
        if theirs_side == mine_side:
            pieces.append({"same": theirs_side})
        else:
            pieces.append({"at": start, "base": original[start:end], "theirs": theirs_side, "mine": mine_side})
        position = end
    pieces.append({"same": original[position:]})
    return [piece for piece in pieces if piece.get("same", True)]


def clashes(pieces):
    return [piece for piece in pieces if "same" not in piece]


def joined(pieces, side):
    """The body with every clash settled for `side` ("theirs" or "mine")."""
    return "\n\n".join(paragraph for piece in pieces for paragraph in piece.get("same", piece.get(side, [])))


def edits(original, changed):
    """(start, end, replacement) for each run of `original` paragraphs that `changed` rewrote."""
    matcher = SequenceMatcher(None, original, changed, autojunk=False)
    found = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            # Paragraphs rewritten one for one are separate edits: one side's edit of the
            # next paragraph must not conflict with them.
            found += [(i1 + k, i1 + k + 1, [changed[j1 + k]]) for k in range(i2 - i1)]
        elif tag != "equal":
            found.append((i1, i2, changed[j1:j2]))
    return found


def apply(original, start, end, group, *, prefer):
    """Paragraphs start:end of `original` after the group's edits; where both sides edited,
    only the preferred side's edits count."""
    sides = {side for *_, side in group}
    if len(sides) == 2 and len({(s, e, tuple(r)) for s, e, r, _ in group}) > 1:
        group = [hunk for hunk in group if hunk[3] == prefer]
    elif len(sides) == 2:
        group = group[:1]  # both made the same edit
    result, position = [], start
    for hunk_start, hunk_end, replacement, _side in group:
        result += original[position:hunk_start] + list(replacement)
        position = max(position, hunk_end)
    return result + original[position:end]
