"""What editors type never makes a page scroll sideways on a phone (issue 23, item 5), and the
phone header leaves room for the news (issue 29): in a real Chromium, at 320, 360 and 390 px."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from articles.models import Correction

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_WORD = "Donaudampfschifffahrtsgesellschaftskapitänswitwe" * 4 + "Київ" * 2  # 200 characters
BARE_URL = "https://example.org/" + "archive/2026/" * 21 + "x" * 7  # 300 characters, no spaces
WIDE_CODE = "SELECT " + ", ".join(f"column_number_{n}" for n in range(40)) + " FROM harbour_tides;"
WIDE_TABLE = "\n".join(
    [
        "| " + " | ".join(f"Kolonne {n}" for n in range(12)) + " |",
        "|" + "---|" * 12,
        "| " + " | ".join(f"Відстань до причалу {n} км" for n in range(12)) + " |",
        "| " + " | ".join(f"東京湾の潮位{n}メートル" for n in range(12)) + " |",
    ]
)
JAPANESE = "東京湾の防潮堤工事は予定より三か月遅れており、港湾局は来年春までの完成を目指していると発表した。" * 3
UKRAINIAN = "Відбудова мосту через Дніпро триватиме щонайменше два роки, повідомили в міській раді Києва." * 3
WIDTHS = (320, 360, 390)


@pytest.fixture
def hostile(make_theme, make_author, make_article):
    """Pages built from what real people type: long words, bare addresses, wide code and tables,
    Japanese and Ukrainian, everywhere a person types text."""
    assert len(LONG_WORD) == 200 and len(BARE_URL) == 300
    theme = make_theme(f"Відбудова {LONG_WORD[:100]}", slug="rebuilding", description=f"東京 {LONG_WORD} {BARE_URL}")
    author = make_author(f"Олександра {LONG_WORD[:100]}", slug="oleksandra", bio=UKRAINIAN)
    body = "\n\n".join(
        [UKRAINIAN, LONG_WORD, BARE_URL, f"<{BARE_URL}>", JAPANESE, "    " + WIDE_CODE, WIDE_TABLE, f"`{LONG_WORD}`"]
    )
    article = make_article(
        f"Київ {LONG_WORD[:180]} 東京",  # headlines hold 200 characters
        deck=f"{LONG_WORD} {JAPANESE}"[:300],
        standfirst=f"{UKRAINIAN} {BARE_URL}",
        body=body,
        theme=theme,
        authors=[author],
    )
    for n in range(3):
        make_article(f"{JAPANESE[:40]} {n} {LONG_WORD[:150]}", standfirst=BARE_URL, theme=theme, authors=[author])
    Correction.objects.create(article=article, text=f"{UKRAINIAN} {LONG_WORD} {BARE_URL}")
    return {
        "article": article.get_absolute_url(),
        "home": "/",
        "theme": "/themes/rebuilding/",
        "author": "/authors/oleksandra/",
        "search": "/search/?q=" + LONG_WORD,
        "search-japanese": "/search/?q=東京湾",
    }


def overflow(page):
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def test_hostile_text_never_makes_a_page_scroll_sideways(hostile, live_server, page):
    wide = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for name, path in hostile.items():
            page.goto(live_server.url + path)
            assert LONG_WORD[:40] in page.content() or name == "search-japanese", name  # the text is there
            scroll_width, inner_width = overflow(page)
            if scroll_width > inner_width:
                wide[(width, name)] = scroll_width
    assert wide == {}


def test_code_and_tables_scroll_inside_their_own_box(hostile, live_server, page):
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live_server.url + hostile["article"])
    for selector in (".article-body pre", ".article-body .table-scroll"):
        box = page.locator(selector).first
        # Wider than the screen inside, scrolling on its own, reachable from the keyboard.
        assert box.evaluate("el => el.scrollWidth > el.clientWidth"), selector
        assert box.evaluate("el => getComputedStyle(el).overflowX") == "auto", selector
        assert box.get_attribute("tabindex") == "0", selector
    assert page.locator(".article-body table thead th").count() == 12  # still a table
    results = Axe().run(page)
    assert results.violations_count == 0, [v["id"] for v in results.response["violations"]]


def test_the_phone_header_leaves_room_for_the_news(hostile, live_server, page, make_theme, make_article):
    for n in range(8):  # a newsroom following many stories: the phone header does not grow with them
        make_article(theme=make_theme(f"Running story number {n}", slug=f"running-{n}"))
    theme = make_theme("Harbour bridge", slug="harbour-bridge")
    article = make_article("Bridge engineers find cracks in two piers", theme=theme)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + article.get_absolute_url())
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 110
    assert page.locator("main h1").bounding_box()["y"] <= 150  # under the header and the theme's name
    # Themes behind a menu that opens without JavaScript, search one tap away, targets 44 px.
    menu = page.locator(".nav-menu summary")
    search = page.locator(".search-link")
    for target in (menu, search):
        box = target.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44
    assert search.get_attribute("href") == "/search/"
    theme_link = page.locator('.nav-menu nav a[href="/themes/rebuilding/"]')
    assert not theme_link.is_visible() and page.locator(".nav-row").is_hidden()
    menu.click()
    assert theme_link.is_visible() and theme_link.bounding_box()["height"] >= 44
    assert page.locator(".nav-menu nav a").count() == 11  # ten themes and "All themes"
    theme_link.click()
    page.wait_for_url("**/themes/rebuilding/")
    assert overflow(page)[0] <= 390


def test_wide_screens_show_the_themes_in_a_row_and_the_rail_beside_the_text(hostile, live_server, page):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + hostile["article"])
    assert page.locator(".nav-row a").first.is_visible() and page.locator(".nav-menu").is_hidden()
    body = page.locator(".article-body").bounding_box()
    rail = page.locator(".rail").bounding_box()
    assert rail["x"] >= body["x"] + body["width"]  # beside the text, not under it
    assert rail["y"] < body["y"] + body["height"]
    assert 34 * 16 <= body["width"] <= 42 * 16  # a measure of 60-75 characters
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366


def test_an_article_prints_as_the_story_alone_with_its_links_spelled_out(make_article, live_server, page):
    """Printed (or saved as PDF): no navigation, search or rail; the text in black; every outside
    link's address after it, since paper cannot be clicked."""
    article = make_article(
        "Паромна переправа знову працює",
        body="Розклад на [сайті порту](https://port.example/rozklad) і в касах.",
    )
    page.goto(live_server.url + article.get_absolute_url())
    page.emulate_media(media="print")
    shown = page.evaluate(
        "['.site-header nav', '.search-link', '.site-footer nav']"
        ".map(s => [...document.querySelectorAll(s)].map(e => getComputedStyle(e).display))"
    )
    assert all(displays and set(displays) == {"none"} for displays in shown), shown
    link = page.locator(".article-body a[href^='https://port.example']")
    after = link.evaluate("a => getComputedStyle(a, '::after').content")
    assert "https://port.example/rozklad" in after
    assert page.locator(".article-body").evaluate("e => getComputedStyle(e).color") == "rgb(0, 0, 0)"
    assert "Паромна переправа знову працює" in page.locator("h1").inner_text()
