"""The body editor (issue 27): formatted text over the Markdown the site stores. What a person
opens and saves without a change renders the same for readers; Google Docs' shortcuts; the
toolbar by keyboard; the "Markdown" source; pictures as figures."""

import json
import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playwright.sync_api import expect

from articles.body import references, render_body
from articles.models import Article
from images.models import Image
from tests.screens import SCREENSHOTS
from tests.test_browser_newsroom import login
from tests.test_images import picture_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent


def demo_bodies():
    return [article["body"] for article in json.loads((ROOT / "ops/demo/newsroom.json").read_text())["articles"]]


def hostile_cases():
    return json.loads((ROOT / "tests/fixtures/markdown_round_trip.json").read_text())


# Markdown documents made of the pieces writers and the importer use, in other people's words.
words = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=12).filter(
    str.strip
)
inline = st.lists(
    st.one_of(
        words,
        words.map(lambda w: f"**{w.strip()}**"),
        words.map(lambda w: f"*{w.strip()}*"),
        words.map(lambda w: f"[{w.strip()}](https://example.org/{len(w)})"),
        words.map(lambda w: f"`{w}`"),
        st.sampled_from(
            ["Київ", "東京", "🎉", "&amp;", '<abbr title="x">X</abbr>', "\\*", "29 February", "a_b_c", "~~old~~"]
        ),
    ),
    min_size=1,
    max_size=6,
).map(" ".join)
blocks = st.one_of(
    inline,
    inline.map(lambda t: "## " + t.replace("\n", " ")),
    st.lists(inline, min_size=1, max_size=3).map(lambda items: "\n".join("- " + i.replace("\n", " ") for i in items)),
    st.lists(inline, min_size=1, max_size=3).map(
        lambda items: "\n".join(f"{n}. " + i.replace("\n", " ") for n, i in enumerate(items, 1))
    ),
    inline.map(lambda t: "> " + t.replace("\n", " ")),
    st.sampled_from(
        [
            "[image:7]",
            "[gallery:7,8]",
            "[embed:https://vimeo.com/123456]",
            "| a | b |\n|---|---|\n| 1 | 2 |",
            "---",
            "```\ncode <b>\n```",
        ]
    ),
)
documents = st.lists(blocks, min_size=1, max_size=6).map("\n\n".join)


def generated_documents(count=60):
    found = []

    @settings(max_examples=count, database=None, suppress_health_check=list(HealthCheck), deadline=None)
    @given(documents)
    def collect(document):
        found.append(document)

    collect()
    return found


def open_editor(page, live_server, path="/admin/articles/article/add/"):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + path)
    assert errors == [] and re.search("(Change|Add) article", page.title()), (errors, page.title())
    page.wait_for_function("() => !!window.newsroomBodyEditor")


def test_every_body_round_trips_through_the_editor_unchanged_for_readers(page, live_server, writer):
    bodies = demo_bodies() + hostile_cases() + generated_documents()
    login(page, live_server, "writer")
    open_editor(page, live_server)
    back = page.evaluate(
        """bodies => bodies.map(body => {
            const area = document.getElementById("id_body");
            area.value = body;
            area.dispatchEvent(new Event("body:replaced"));
            return window.newsroomBodyEditor.markdown();
        })""",
        bodies,
    )
    differ = [
        (body, again) for body, again in zip(bodies, back, strict=True) if render_body(body) != render_body(again)
    ]
    assert differ == [], differ[:3]
    assert len(bodies) > 150


def test_writing_with_google_docs_shortcuts_and_the_toolbar(page, live_server, writer, make_author, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    make_author("Олена Коваль", user=writer)
    picture = Image.objects.create(
        file=ContentFile(picture_bytes(size=(800, 500)), name="ferry.jpg"),
        title="Ferry at Київ quay",
        alt_text="A ferry at dawn",
        caption="The first ferry, 29 February",
        credit="Ana Reyes",
        uploaded_by=writer,
    )
    login(page, live_server, "writer")
    open_editor(page, live_server)
    page.get_by_label("Headline").fill("Ferries return to the river")
    body = page.get_by_role("textbox", name="Body")
    expect(page.get_by_label("Body")).to_have_count(1)  # the source is hidden
    body.click()
    page.keyboard.type("Timetable")
    page.keyboard.press("Control+Alt+1")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("The first ferry leaves ")
    page.keyboard.press("Control+b")
    page.keyboard.type("at six")
    page.keyboard.press("Control+b")
    page.keyboard.type(" from Київ.")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+Shift+8")
    page.keyboard.type("Monday")
    page.keyboard.press("Enter")
    page.keyboard.type("Friday")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+Shift+7")
    page.keyboard.type("Buy a ticket")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("Read the ")
    page.keyboard.press("Control+i")
    page.keyboard.type("timetable")
    page.keyboard.press("Control+i")
    for _ in range(9):
        page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Control+k")
    page.get_by_label("Link address").fill("ferries.example/timetable")
    page.keyboard.press("Enter")
    page.keyboard.press("End")
    page.keyboard.type(".")
    expect(body.locator("h2")).to_have_text("Timetable")
    expect(body.locator("strong")).to_have_text("at six")
    expect(body.locator("a")).to_have_attribute("href", "https://ferries.example/timetable")

    # The toolbar is one tab stop; arrows move along it and the state of each button is said.
    toolbar = page.get_by_role("toolbar", name="Formatting")
    body.locator("h2").click()
    page.keyboard.press("Shift+Tab")
    expect(toolbar.get_by_role("button", name="Bold")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="Italic")).to_be_focused()
    page.keyboard.press("End")
    expect(toolbar.get_by_role("button", name="Redo")).to_be_focused()

    # A picture from the library, with its thumbnail, after the paragraph holding the cursor.
    toolbar.get_by_role("button", name="Picture").click()
    dialog = page.get_by_role("dialog", name="Place a picture")
    dialog.get_by_label("Find a picture").fill("Reyes")
    dialog.get_by_role("button", name=re.compile("Ferry at Київ quay")).click()
    figure = body.locator("figure.body-extension")
    expect(figure.locator("img")).to_have_attribute("alt", "A ferry at dawn")
    expect(figure).to_contain_text("The first ferry, 29 February")

    # The Markdown source, for those who prefer it; the preview is the public page's rendering.
    page.get_by_role("button", name="Markdown").click()
    source = page.get_by_label("Body")
    # The picture went after the block holding the cursor (the heading, last clicked).
    expect(source).to_have_value(
        re.compile(
            rf"^## Timetable\n\n\[image:{picture.pk}\]\n\nThe first ferry leaves \*\*at six\*\* from Київ\.\n\n"
            r"- Monday\n- Friday\n\n1\. Buy a ticket\n\nRead the \[\*timetable\*\]\(https://ferries\.example/timetable\)"
        )
    )
    source.press("End")
    source.type("\n\nAdded in *Markdown*.")
    page.get_by_role("button", name="Markdown").click()
    expect(body.locator("em", has_text="Markdown")).to_be_visible()
    # The preview is the public page in a frame: its stylesheet, its figure, the headline typed so far.
    preview = page.frame_locator("iframe[title=Preview]")
    expect(preview.locator(".article-body figure img")).to_have_count(1)
    expect(preview.get_by_role("heading", level=1)).to_have_text("Ferries return to the river")
    assert preview.locator("link[rel=stylesheet]").get_attribute("href").endswith("css/site.css")
    font = preview.locator(".article-body p").first.evaluate("p => getComputedStyle(p).fontFamily")
    assert "sans" not in font.split(",")[0], font  # the public page's serif, not the admin's sans

    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=SCREENSHOTS / "body-editor-1366.png")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    article = Article.objects.get(headline="Ferries return to the river")
    article.body = article.body.replace("\r\n", "\n")  # a textarea posts its lines with CRLF, as before
    assert article.body.startswith(
        f"## Timetable\n\n[image:{picture.pk}]\n\nThe first ferry leaves **at six** from Київ."
    )
    assert article.body.endswith("Added in *Markdown*.")
    assert references(article.body).images == (picture.pk,)

    # Opened and saved untouched: the stored Markdown is what it was (the editor never rewrote it).
    Article.objects.filter(pk=article.pk).update(body="Setext\n======\n\n* star   list\n\nA  \nbreak")
    page.reload()
    page.wait_for_function("() => !!window.newsroomBodyEditor")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    article.refresh_from_db()
    assert article.body.replace("\r\n", "\n") == "Setext\n======\n\n* star   list\n\nA  \nbreak"


def test_the_writing_screen_on_a_phone_and_its_time_to_interactive(page, live_server, editor, make_article, capsys):
    article = make_article("Night buses return", body="\n\n".join(demo_bodies()[:3]))
    login(page, live_server, "editor")
    timings = []
    for _ in range(3):
        open_editor(page, live_server, f"/admin/articles/article/{article.pk}/change/")
        timings.append(page.evaluate("() => performance.getEntriesByName('body-editor-ready')[0].startTime"))
    with capsys.disabled():
        print(f"\nchange form interactive (body editor ready) after {min(timings):.0f} ms (best of 3: {timings})")
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("textbox", name="Body").scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "body-editor-390.png")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390


def test_a_picture_dropped_into_the_body_is_uploaded_and_placed_where_it_fell(
    page, live_server, writer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login(page, live_server, "writer")
    open_editor(page, live_server)
    body = page.get_by_role("textbox", name="Body")
    body.click()
    page.keyboard.type("First paragraph.")
    page.keyboard.press("Enter")
    page.keyboard.type("Second paragraph.")
    drop = """([bytes, name, type]) => {
        const files = new DataTransfer();
        files.items.add(new File([new Uint8Array(bytes)], name, { type }));
        const target = document.querySelector(".rich-body p");
        const box = target.getBoundingClientRect();
        target.dispatchEvent(new DragEvent("drop", { dataTransfer: files, clientX: box.right - 2, clientY: box.top + 4,
            bubbles: true, cancelable: true }));
    }"""

    # Not a picture: the upload says why, and the article is as it was.
    page.evaluate(drop, [list(b"Minutes of the meeting"), "minutes.png", "image/png"])
    dialog = page.get_by_role("dialog", name="Place a picture")
    dialog.get_by_label("Alt text").fill("Minutes")
    dialog.get_by_role("button", name="Upload and place").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Not uploaded:")
    dialog.get_by_role("button", name="Close").click()
    expect(body.locator("figure")).to_have_count(0)
    expect(body).to_contain_text("First paragraph.Second paragraph.")

    page.evaluate(drop, [list(picture_bytes("PNG", size=(640, 400))), "harbour_at-dawn.png", "image/png"])
    expect(dialog.get_by_label("Alt text")).to_be_focused()
    dialog.get_by_label("Alt text").fill("The harbour at dawn, Київ side")
    dialog.get_by_label("Credit").fill("Ana Reyes")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=SCREENSHOTS / "picture-upload-1366.png")
    dialog.get_by_role("button", name="Upload and place").click()
    figure = body.locator("figure.body-extension")
    expect(figure.locator("img")).to_have_attribute("alt", "The harbour at dawn, Київ side")
    picture = Image.objects.get()
    assert picture.title == "harbour at dawn"
    page.get_by_role("button", name="Markdown").click()
    expect(page.get_by_label("Body")).to_have_value(f"First paragraph.\n\n[image:{picture.pk}]\n\nSecond paragraph.")


# What each program's clipboard must become: structure kept, styling, comments and scripts gone.
PASTED = {
    "google-docs.html": "## Ferries return to Київ\n\nThe first ferry leaves **at six** on *29 February*, says the "
    "[timetable](https://ferries.example/timetable).\n\n## Routes\n\n- Harbour to 東京 Street\n- Old Town 🚢 night boat"
    "\n\n1. Buy a ticket",
    "word.html": "## Night buses return to the coast road\n\nDrivers are back on **three routes** from Friday, the "
    "council said on *31 December*.\n\n- Route N1 to the harbour\n  - every 20 minutes\n- Route N2 to Southmoor\n\n"
    "## Tickets\n\n1. Buy one on the [app](https://buses.example/tickets)\n2. Show it to the driver\n\n"
    "> *“We missed them,” said a nurse on the night shift.*",
    "libreoffice.html": "## Бібліотека відкривається знову\n\nЧитачі повертаються до **нової зали** з *понеділка* — "
    "[години роботи](https://library.example/hours).\n\n- Дитячий відділ\n- Читальна зала\n\n> Ми чекали цього два "
    "роки.\n\n## Години\n\n1. Понеділок\n2. Вівторок",
    "web.html": "## Tram line extended to the quay\n\nWork starts in **spring**, *the city says*. Read "
    "[the plan](https://city.example/trams) or this.\n\n> It will change the harbour.\n\n- 12 stops\n- €40 million\n\n"
    "**Updated** at 18:00.",
}


def test_paste_from_docs_word_libreoffice_and_the_web_keeps_structure_and_drops_styling(page, live_server, writer):
    login(page, live_server, "writer")
    open_editor(page, live_server)
    folder = ROOT / "tests/fixtures/clipboard"
    pasted = {}
    for name in PASTED:
        pasted[name] = page.evaluate(
            """html => {
                const editor = window.newsroomBodyEditor, view = editor.view;
                const area = document.getElementById("id_body");
                area.value = "";
                area.dispatchEvent(new Event("body:replaced"));
                view.focus();
                const clipboard = new DataTransfer();
                clipboard.setData("text/html", html);
                clipboard.setData("text/plain", "plain text only");
                const paste = { clipboardData: clipboard, bubbles: true, cancelable: true };
                view.dom.dispatchEvent(new ClipboardEvent("paste", paste));
                return editor.markdown();
            }""",
            (folder / name).read_text(),
        )
    assert pasted == PASTED
    assert page.title() != "owned"


def test_the_lead_picture_is_chosen_with_the_same_picker(page, live_server, writer, make_author, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    make_author("Олена Коваль", user=writer)
    picture = Image.objects.create(
        file=ContentFile(picture_bytes(size=(1600, 900)), name="harbour.jpg"),
        title="東京 harbour at dusk",
        alt_text="Cranes against an orange sky",
        credit="Олена Коваль",
        uploaded_by=writer,
    )
    login(page, live_server, "writer")
    open_editor(page, live_server)
    page.get_by_label("Headline").fill("Harbour lights 🌅 for winter")
    page.get_by_role("button", name="Choose with thumbnails…").click()
    dialog = page.get_by_role("dialog", name="Choose the lead picture")
    dialog.get_by_label("Find a picture").fill("Коваль")  # found by its credit
    expect(dialog.get_by_role("button", name=re.compile("東京 harbour at dusk")).locator("img")).to_be_visible()
    for width, height in ((390, 844), (1366, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=SCREENSHOTS / f"lead-picture-{width}.png")
    dialog.get_by_role("button", name=re.compile("東京 harbour at dusk")).click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Choose with thumbnails…")).to_be_focused()
    expect(page.locator("#select2-id_lead_image-container")).to_have_text(re.compile("東京 harbour at dusk"))
    expect(page.locator(".share-preview-image")).to_be_visible()  # the social card shows its crop
    expect(page.locator("figure.body-extension")).to_have_count(0)  # nothing placed in the body
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert Article.objects.get(headline="Harbour lights 🌅 for winter").lead_image == picture
    # The body's picker is still the body's.
    page.get_by_role("toolbar", name="Formatting").get_by_role("button", name="Picture").click()
    expect(page.get_by_role("dialog", name="Place a picture")).to_be_visible()
