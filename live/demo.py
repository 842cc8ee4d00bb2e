"""The demo newsroom's live coverage: budget day at the harbour city's council, told in about
forty entries over sixteen hours (written for this project). Loaded by `manage.py loaddemo`
through `LiveConfig.load_demo`; idempotent."""

from datetime import timedelta

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

# (minutes after 07:30 on budget day, author slug, title or "", key event, text)
ENTRIES = [
    (
        0,
        "ines-caraway",
        "",
        False,
        "Good morning from City Hall, where the doors open in ninety minutes. A queue of about thirty people has already formed on the steps, most of them holding yellow placards for the Tideline tram.",
    ),
    (
        22,
        "ines-caraway",
        "",
        False,
        "The agenda runs to 212 pages. The two items everyone is here for are the bridge replacement (item 7) and the tram's second phase (item 11).",
    ),
    (
        45,
        "declan-morrow",
        "",
        False,
        "On the quay, fishing crews say they will follow the meeting on their phones. \u201cIf they cut the harbour dredging again we lose another winter,\u201d says skipper Maren Holt.",
    ),
    (
        71,
        "ines-caraway",
        "",
        False,
        "The public gallery is full. Ushers are opening the overflow room on the second floor, with a screen relaying the chamber.",
    ),
    (
        90,
        "ines-caraway",
        "Meeting opens",
        True,
        "The mayor opens the meeting at 09:00 sharp and asks for calm in the gallery. Forty-one of forty-three councillors are present.",
    ),
    (
        104,
        "oskar-lindqvist",
        "",
        False,
        "Treasurer Hollis Quayle presents the figures: total spending of 1.12 billion, up 3.8 % on this year, with a deficit of 14 million to be covered from reserves.",
    ),
    (
        118,
        "oskar-lindqvist",
        "",
        False,
        "**What the numbers mean:** the deficit is the first in six years. Reserves stood at 96 million at the end of last year, so the city can afford it once, not every year.",
    ),
    (
        135,
        "ines-caraway",
        "",
        False,
        "First amendment of the day, from the Greens: move 2 million from road resurfacing to cycle lanes on Brackwater Road. Debate begins.",
    ),
    (
        162,
        "ines-caraway",
        "Cycle lane amendment falls",
        True,
        "The Greens' amendment is defeated, 17 votes to 24. Road resurfacing keeps its full budget.",
    ),
    (
        180,
        "declan-morrow",
        "",
        False,
        "Outside, the tram campaigners have started singing. It can be heard faintly in the chamber, and the mayor smiles.",
    ),
    (
        201,
        "noor-abernethy",
        "",
        False,
        "A reader asks what happens to bus fares. Answer: the budget freezes them for a year, at a cost of 1.6 million, already in the figures above.",
    ),
    (
        226,
        "ines-caraway",
        "",
        False,
        "Item 7, the bridge. Engineers' report summarised by the chair of the works committee: the old swing bridge cannot be repaired economically; a new lifting bridge costs 48 million over three years.",
    ),
    (
        240,
        "ines-caraway",
        "",
        False,
        "Councillor Achterberg asks whether the national infrastructure fund will pay a share. The answer: an application for 30 % has been made, with a decision due in spring.",
    ),
    (
        262,
        "oskar-lindqvist",
        "",
        False,
        "Some context: the bridge has been closed to traffic since the spring, and the diversion via Brackwater Road adds about twelve minutes at rush hour, according to the council's own counts.",
    ),
    (
        288,
        "ines-caraway",
        "Bridge replacement approved",
        True,
        "The council approves the new lifting bridge, 38 votes to 3, with work to start in the new year. The gallery applauds.",
    ),
    (300, "declan-morrow", "", False, "[image:BRIDGE]"),
    (318, "ines-caraway", "", False, "The meeting breaks for lunch until 13:30."),
    (
        345,
        "noor-abernethy",
        "",
        False,
        "While the chamber is empty: our explainer on how the city's budget is made, from the first draft in June to today's vote, is linked from the theme page.",
    ),
    (
        372,
        "declan-morrow",
        "",
        False,
        "Traders on Market Street say the bridge closure has cost them up to a fifth of their takings. \u201cThree years is a long time to wait,\u201d says baker Ana Ruiz.",
    ),
    (
        390,
        "ines-caraway",
        "",
        False,
        "The meeting resumes. Item 9, libraries: the proposal to shorten opening hours on Saturdays is withdrawn by the administration before debate.",
    ),
    (
        404,
        "ines-caraway",
        "Library hours kept",
        True,
        "Libraries keep their Saturday hours; the 0.4 million saving is dropped from the budget without a vote.",
    ),
    (
        431,
        "oskar-lindqvist",
        "",
        False,
        "Harbour dredging: the budget has 2.2 million, the same as this year. The fishing association had asked for 3.5 million.",
    ),
    (
        455,
        "ines-caraway",
        "",
        False,
        "An amendment to raise dredging to 3 million, paid for by delaying the new council offices, is tabled by councillors from both main groups.",
    ),
    (
        478,
        "ines-caraway",
        "Dredging money raised",
        True,
        "Cross-party amendment passes, 29 votes to 12: harbour dredging gets 3 million next year; the council offices wait a year.",
    ),
    (
        486,
        "declan-morrow",
        "",
        False,
        "On the quay, a cheer and a blast of a ship's horn when the result comes through. Skipper Holt: \u201cThat's the winter saved.\u201d",
    ),
    (
        510,
        "ines-caraway",
        "",
        False,
        "Item 11, the tram. This is the one the gallery came for. The second phase would run from the station to Tideline in four years, at 210 million, two thirds from the state.",
    ),
    (
        538,
        "ines-caraway",
        "",
        False,
        "The opposition argues the city's third cannot be borrowed at today's rates. The mayor answers that the state's offer lapses if the council delays.",
    ),
    (
        566,
        "noor-abernethy",
        "",
        False,
        "Reader question: would the tram use the new bridge? No. The route crosses the river upstream, at the rail bridge, which is being widened for it.",
    ),
    (
        590,
        "ines-caraway",
        "",
        False,
        "Speeches continue. Twenty-two councillors have asked to speak on the tram; each has five minutes.",
    ),
    (
        624,
        "oskar-lindqvist",
        "",
        False,
        "Borrowing for the city's share would add about 4.1 million a year to interest costs from the third year, according to the treasurer's note to councillors.",
    ),
    (652, "ines-caraway", "", False, "The mayor proposes a short break before the vote. The gallery stays seated."),
    (
        668,
        "ines-caraway",
        "Tram phase two approved",
        True,
        "The tram's second phase is approved, 26 votes to 17. Construction could start in two years, once the state signs its share.",
    ),
    (676, "declan-morrow", "", False, "[image:TRAM]"),
    (
        690,
        "declan-morrow",
        "",
        False,
        "The campaigners on the steps are hugging. One of them, retired teacher Pekka Salo, has come to every council meeting on the tram for eleven years.",
    ),
    (
        720,
        "ines-caraway",
        "",
        False,
        "Remaining items move quickly: parks, street lighting, the harbour festival. None is changed.",
    ),
    (
        754,
        "ines-caraway",
        "Budget passed",
        True,
        "The whole budget passes, 31 votes to 12, at 20:04. It takes effect on 1 January.",
    ),
    (
        770,
        "oskar-lindqvist",
        "",
        False,
        "What changed today, in one line: more for dredging, libraries untouched, the bridge and the tram go ahead, the council offices wait.",
    ),
    (
        800,
        "noor-abernethy",
        "",
        False,
        "Thank you for following along. We will post the mayor's reaction and the opposition's response shortly.",
    ),
    (
        826,
        "ines-caraway",
        "",
        False,
        "The mayor, leaving the chamber: \u201cA city that builds is a city that believes in itself. Tonight we built.\u201d",
    ),
    (
        861,
        "oskar-lindqvist",
        "",
        False,
        "The opposition leader says her group will ask the state auditor to review the tram's borrowing. She calls the vote \u201ca bet on interest rates\u201d.",
    ),
    (
        900,
        "ines-caraway",
        "",
        False,
        "That is all from City Hall tonight. This page stays open for reactions tomorrow morning.",
    ),
]
PINNED = 754  # the budget's final vote
CORRECTED = 104  # the deficit figure was first given wrongly
WRONG_TEXT = "Treasurer Hollis Quayle presents the figures: total spending of 1.12 billion, up 3.8 % on this year, with a deficit of 41 million to be covered from reserves."
WITHDRAWN = (
    "Reports on social media say the vote on the tram will be postponed to next week.",
    "The report was wrong: the vote went ahead the same evening.",
)


def load(now=None):
    """Create the live article and its entries unless it exists. Returns whether it made it."""
    if Article.all_objects.filter(headline=HEADLINE).exists():
        return False
    now = (now or timezone.now()).replace(microsecond=0)
    # Budget day began at 07:30 in the newsroom's zone: today's, if its last entry is past, else yesterday's.
    start = timezone.localtime(now).replace(hour=7, minute=30, second=0)
    if start + timedelta(minutes=ENTRIES[-1][0] + 1) > now:
        start -= timedelta(days=1)
    editor = User.objects.filter(username="editor").first()
    authors = {author.slug: author for author in Author.objects.all()}
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
    for minutes, slug, title, key, text in ENTRIES:
        body = text
        for name, picture in pictures.items():
            body = body.replace(f"[image:{name}]", f"[image:{picture.pk}]")
        entry = Entry.objects.create(
            article=article,
            title=title,
            body=WRONG_TEXT if minutes == CORRECTED else body,
            key_event=key,
            pinned=minutes == PINNED,
            publish_at=start + timedelta(minutes=minutes, seconds=(minutes * 7) % 60),
            status=EntryStatus.PUBLISHED,
            was_public=True,
            created_by=editor,
        )
        entry.authors.set([authors[slug]] if slug in authors else [])
        if minutes == CORRECTED:  # corrected twenty minutes later, as a desk would
            entry.body = body
            entry.updated_at = entry.publish_at + timedelta(minutes=20)
        entry.body_html = render_body(entry.body)
        entry.save()
    wrong, note = WITHDRAWN
    Entry.objects.create(
        article=article,
        body=wrong,
        body_html=f"<p>{wrong}</p>",
        publish_at=start + timedelta(minutes=600),
        status=EntryStatus.WITHDRAWN,
        withdrawn_note=note,
        was_public=True,
        created_by=editor,
    )
    return True
