"""A reader asks for an embedded video or post: nothing from its site loads before the click,
and what loads then is allowed by the page's Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

from tests.screens import SCREENSHOTS

THIRD_PARTIES = [
    "https://player.vimeo.com/**",
    "https://platform.twitter.com/**",
    "https://embed.bsky.app/**",
    "https://mastodon.social/**",
    "https://www.instagram.com/**",
]


def watch_third_parties(page):
    """Every request to an embed's site, answered here (the test never leaves the machine), and
    every refusal of the Content-Security-Policy."""
    asked, refused = [], []

    def answer(route):
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body="<p>Допис із порту</p>")

    for pattern in THIRD_PARTIES:
        page.route(pattern, answer)
    page.on("console", lambda message: "Content Security Policy" in message.text and refused.append(message.text))
    return asked, refused


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_embedded_video_loads_only_when_the_reader_asks(page, live_server, make_article):
    article = make_article("Ferry video", body="The crossing.\n\n[embed:https://vimeo.com/76979871]\n\nAfter.")
    third_party, refused = watch_third_parties(page)
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    button = page.get_by_role("button", name="Play the video here (loads Vimeo)")
    expect(button).to_be_visible()
    expect(page.get_by_role("link", name="https://vimeo.com/76979871")).to_be_visible()
    assert page.locator("iframe").count() == 0 and third_party == []
    button.click()
    frame = page.locator("iframe.embed-frame")
    expect(frame).to_have_attribute("src", "https://player.vimeo.com/video/76979871")
    expect(frame).to_have_attribute("title", "A Vimeo video")
    expect(page.frame_locator("iframe.embed-frame").locator("p")).to_have_text("Допис із порту")
    assert third_party == ["https://player.vimeo.com/video/76979871"] and refused == []


POSTS = {
    "X": ("https://x.com/harbour/status/1234567890", "https://platform.twitter.com/embed/Tweet.html?id=1234567890"),
    "Bluesky": (
        "https://bsky.app/profile/did:plc:ewvi7nxzyoun6zhxrhs64oiz/post/3kq2bz5ytmk2c",
        "https://embed.bsky.app/embed/did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3kq2bz5ytmk2c",
    ),
    "Mastodon": (
        "https://mastodon.social/@harbour/112233445566",
        "https://mastodon.social/@harbour/112233445566/embed",
    ),
    "Instagram": ("https://www.instagram.com/p/C1a2b3/", "https://www.instagram.com/p/C1a2b3/embed/"),
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_each_embedded_post_loads_only_when_the_reader_asks(page, live_server, make_article):
    body = "Що кажуть у порту.\n\n" + "\n\n".join(f"[embed:{url}]" for url, _ in POSTS.values())
    body += "\n\n[embed:https://bsky.app/profile/harbour.bsky.social/post/3kq2bz5ytmk2c]\n\nКінець."
    article = make_article("Порт у дописах", body=body)
    third_party, refused = watch_third_parties(page)
    for width, height in [(1366, 900), (390, 844)]:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}{article.get_absolute_url()}")
        expect(page.locator(".embed-load:visible")).to_have_count(len(POSTS))
        page.screenshot(path=str(SCREENSHOTS / f"embedded-posts-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
    # A post named by a Bluesky handle is a link: its embed needs the author's DID.
    handle = page.locator("figure.embed-post:not([data-embed-src])")
    expect(handle.get_by_role("link")).to_have_text("https://bsky.app/profile/harbour.bsky.social/post/3kq2bz5ytmk2c")
    expect(handle.get_by_role("button")).to_have_count(0)
    assert page.locator("iframe").count() == 0 and third_party == []
    for provider, (url, frame_src) in POSTS.items():
        figure = page.locator(f'figure.embed-post[data-embed-src="{frame_src}"]')
        expect(figure.get_by_role("link")).to_have_attribute("href", url)
        button = figure.get_by_role("button", name=f"Show the post here (loads {provider})")
        # Scrolled to first: the click's own scrolling, past the 40rem frame just above, went
        # to that frame in headless Chromium (a reader sees where they click).
        button.scroll_into_view_if_needed()
        button.click()
        frame = figure.locator("iframe.embed-frame-post")
        expect(frame).to_have_attribute("src", frame_src)
        expect(frame).to_have_attribute("title", f"A {provider} post")
        expect(figure.frame_locator("iframe").locator("p")).to_have_text("Допис із порту")
        assert third_party[-1] == frame_src
    assert len(third_party) == len(POSTS) and refused == []
    page.screenshot(path=str(SCREENSHOTS / "embedded-posts-loaded-390.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_javascript_a_post_is_its_link(browser, live_server, make_article):
    article = make_article("Порт", body="[embed:https://x.com/harbour/status/1234567890]")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    expect(page.get_by_role("link", name="https://x.com/harbour/status/1234567890")).to_be_visible()
    expect(page.get_by_role("button")).to_have_count(0)
    context.close()
