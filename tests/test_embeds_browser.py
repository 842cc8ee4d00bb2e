"""A reader asks for an embedded video: nothing from its site loads before the click."""

import pytest
from playwright.sync_api import expect


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_embedded_video_loads_only_when_the_reader_asks(page, live_server, make_article):
    article = make_article("Ferry video", body="The crossing.\n\n[embed:https://vimeo.com/76979871]\n\nAfter.")
    third_party = []

    def player(route):
        third_party.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p>player</p>")

    page.route("https://player.vimeo.com/**", player)
    refused = []
    page.on("console", lambda message: "Content Security Policy" in message.text and refused.append(message.text))
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    button = page.get_by_role("button", name="Play the video here (loads Vimeo)")
    expect(button).to_be_visible()
    expect(page.get_by_role("link", name="https://vimeo.com/76979871")).to_be_visible()
    assert page.locator("iframe").count() == 0 and third_party == []
    button.click()
    frame = page.locator("iframe.embed-frame")
    expect(frame).to_have_attribute("src", "https://player.vimeo.com/video/76979871")
    expect(frame).to_have_attribute("title", "A Vimeo video")
    expect(page.frame_locator("iframe.embed-frame").locator("p")).to_have_text("player")
    assert third_party == ["https://player.vimeo.com/video/76979871"] and refused == []
