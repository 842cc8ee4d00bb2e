"""The demo newsroom's live coverage: budget day at the harbour city's council, told in about
forty entries over sixteen hours (written for this project). Loaded by `manage.py loaddemo`
through `LiveConfig.load_demo`; idempotent."""

import json
from datetime import timedelta
from pathlib import Path

from django.contrib.auth.models import User
from django.utils import timezone

from articles.body import render_body
from articles.models import Action, Article, ArticleEvent, Author, Byline, Status, system_gate
from images.demo import demo_image
from themes.models import Theme

from .models import Entry, EntryStatus

HEADLINE = "Budget day at City Hall: the council votes on the harbour plan, live"
DECK = "Every vote, every amendment and every word from the public gallery, as it happens."
STANDFIRST = (
    "Councillors meet from nine to decide the city's budget for next year, including the money for the "
    "Salter's Crossing bridge and the tram to Tideline. Our reporters are in the chamber and on the quay."
)
BODY = (
    "The council's budget meeting is the longest of the year. This page follows it from the first "
    "item to the final vote, newest updates first.\n\n"
    "The key decisions are listed under **Key events**; tap a time to share a single update."
)

# Entries: minutes after 07:30 on budget day, author slug, title (key events), text.
CONTENT = json.loads((Path(__file__).parent / "budget_day.json").read_text(encoding="utf-8"))
ENTRIES = CONTENT["entries"]


def load(now=None):
    """Create the live article and its entries unless it exists. Returns whether it made it."""
    if Article.all_objects.filter(headline=HEADLINE).exists():
        return False
    now = (now or timezone.now()).replace(microsecond=0)
    # Budget day began at 07:30 in the newsroom's zone: today's, if its last entry is past, else yesterday's.
    start = timezone.localtime(now).replace(hour=7, minute=30, second=0)
    if start + timedelta(minutes=ENTRIES[-1]["minutes"] + 1) > now:
        start -= timedelta(days=1)
    needed = {item["author"] for item in ENTRIES}
    authors = {author.slug: author for author in Author.objects.filter(slug__in=needed)}
    if len(authors) < len(needed):
        return False  # budget day is the Harbour Gazette's: other demo content leaves it out
    editor = User.objects.filter(username="editor").first()
    pictures = {
        "BRIDGE": demo_image(
            201,
            "The swing bridge at dusk (demo drawing)",
            "An abstract drawing of a bridge over dark water at dusk",
            caption="Salter's Crossing, closed since the spring.",
        ),
        "TRAM": demo_image(
            202,
            "Tideline tram campaigners (demo drawing)",
            "An abstract drawing of the coast under a pale sky",
            caption="The tram's route would end at Tideline.",
        ),
    }
    with system_gate():
        article = Article.objects.create(
            headline=HEADLINE,
            deck=DECK,
            standfirst=STANDFIRST,
            body=BODY,
            theme=Theme.objects.filter(slug="council-budget").first(),
            status=Status.APPROVED,
            publish_at=start,
            coverage_start=start,
        )
    Byline.objects.create(article=article, author=authors["ines-caraway"], position=0)
    ArticleEvent.objects.create(
        article=article,
        action=Action.WENT_LIVE,
        from_status=Status.APPROVED,
        to_status=Status.APPROVED,
        at=start,
        moment=start,
    )
    ArticleEvent.objects.create(article=article, action="start_live", actor=editor, at=start, note="Budget day")
    corrected = CONTENT["corrected"]
    for item in ENTRIES:
        minutes, body = item["minutes"], item["body"]
        for name, picture in pictures.items():
            body = body.replace(f"[image:{name}]", f"[image:{picture.pk}]")
        entry = Entry.objects.create(
            article=article,
            title=item["title"],
            body=corrected["first_text"] if minutes == corrected["minutes"] else body,
            key_event=item["key_event"],
            pinned=minutes == CONTENT["pinned"],
            publish_at=start + timedelta(minutes=minutes, seconds=(minutes * 7) % 60),
            status=EntryStatus.PUBLISHED,
            was_public=True,
            created_by=editor,
        )
        entry.authors.set([authors[item["author"]]] if item["author"] in authors else [])
        if minutes == corrected["minutes"]:  # corrected twenty minutes later, as a desk would
            entry.body = body
            entry.updated_at = entry.publish_at + timedelta(minutes=20)
        entry.body_html = render_body(entry.body)
        entry.save()
    withdrawn = CONTENT["withdrawn"]
    Entry.objects.create(
        article=article,
        body=withdrawn["text"],
        body_html=render_body(withdrawn["text"]),
        publish_at=start + timedelta(minutes=withdrawn["minutes"]),
        status=EntryStatus.WITHDRAWN,
        withdrawn_note=withdrawn["note"],
        was_public=True,
        created_by=editor,
    )
    return True
