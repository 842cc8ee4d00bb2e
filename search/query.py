"""What a reader typed, made safe for the database's full-text syntax.

Readers may type anything: quotes, operators, 10 KB of text, only punctuation.
The input is reduced to words, "quoted phrases", `-excluded` words and `or`,
and each word is quoted, so nothing they type is ever read as FTS5 syntax."""

import re
from dataclasses import dataclass, field

from articles.text import UNSPACED
from articles.text import words as words_of

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12

_PART = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')

# Scripts written without spaces between words (Chinese, Japanese, Korean's syllables): the
# tokenisers would make a word of a whole sentence, found only whole. Each of their characters is
# a word (articles.text.words), set apart in the index by a zero-width space (readers see nothing;
# both databases' tokenisers split there), and a run of them in a query is a phrase: any part of a
# sentence is found.
APART = "\u200b"


def set_apart(text):
    """Text to index: each character of an unspaced script set apart from its neighbours."""
    return UNSPACED.sub(lambda match: f"{APART}{match.group()}{APART}", text)


@dataclass
class ParsedQuery:
    """Required groups (each a list of alternatives, each alternative a phrase of words) and excluded phrases."""

    groups: list = field(default_factory=list)
    excluded: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.groups)


def clean(text):
    """The reader's text, without control characters and cut to a sensible length at a word boundary."""
    text = "".join(ch if ch.isprintable() else " " for ch in (text or "")[: MAX_QUERY_LENGTH * 4])
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_LENGTH:
        text = text[:MAX_QUERY_LENGTH].rsplit(" ", 1)[0]
    return text


def parse(text):
    parsed = ParsedQuery()
    pending_or = False
    terms = 0
    for match in _PART.finditer(clean(text)):
        negated = bool(match.group(1) or match.group(3))
        raw = match.group(2) if match.group(2) is not None else match.group(4)
        if match.group(4) is not None and raw.lower() == "or" and not negated:
            pending_or = bool(parsed.groups)
            continue
        words = tuple(words_of(raw))
        if not words or terms >= MAX_TERMS:
            continue
        terms += 1
        if negated:
            parsed.excluded.append(words)
        elif pending_or:
            parsed.groups[-1].append(words)
        else:
            parsed.groups.append([words])
        pending_or = False
    return parsed


def _phrase(words):
    return '"' + " ".join(words) + '"'


def fts5_required(parsed):
    """The words and phrases an FTS5 match needs, every word a quoted string."""
    return " AND ".join("(" + " OR ".join(_phrase(words) for words in group) + ")" for group in parsed.groups)


def fts5_expression(parsed):
    """The full FTS5 MATCH expression ("" when nothing is required: FTS5 cannot start with NOT,
    and "everything but" is not a search)."""
    if not parsed:
        return ""
    return fts5_required(parsed) + "".join(f" NOT {_phrase(words)}" for words in parsed.excluded)


def websearch_text(parsed):
    """The same query spelled for PostgreSQL's websearch_to_tsquery, which never raises on odd input."""
    if not parsed:
        return ""
    required = " ".join(" or ".join(_phrase(words) for words in group) for group in parsed.groups)
    return required + "".join(f" -{_phrase(words)}" for words in parsed.excluded)
