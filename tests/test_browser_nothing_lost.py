"""Two editors on one article, and a session that expires mid-sentence, in a real Chromium."""

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from playwright.sync_api import expect

from articles.models import Article
from tests.test_browser_newsroom import body_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_as(browser, live_server):
    """A page signed in as `username` at `path`, in a context of its own, closed after the test (a
    page left open keeps calling the server while the next test writes to the database)."""
    contexts = []

    def open_page(username, path):
        context = browser.new_context()
        contexts.append(context)
        return sign_in(context.new_page(), live_server, username, path)

    yield open_page
    for context in contexts:
        context.close()


def sign_in(page, live_server, username, path):
    page.goto(f"{live_server.url}/admin/login/?next={path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_label("Headline")).to_be_visible()
    body_of(page)
    return page


def test_two_editors_merge_and_only_a_real_clash_is_a_question(open_as, make_user, make_article, make_author):
    make_user("maria", "Editors", first_name="Maria", last_name="Lind")
    make_user("jon", "Editors")
    bylines = [make_author("Ana Reyes"), make_author("Ben Okafor")]  # the byline rows must not block a save
    article = make_article("Harbour lights switched on", body="The lights came on at dusk.", authors=bylines)
    path = f"/admin/articles/article/{article.pk}/change/"
    maria = open_as("maria", path)
    jon = open_as("jon", path)
    expect(jon.locator(".editing-notice")).to_have_count(0)  # Maria only looks

    # Different fields: Maria the deck, Jon the body. Both survive, nobody is asked.
    maria.get_by_label("Deck").fill("Switched on a week early")
    maria.get_by_role("button", name="Save and continue editing").click()
    expect(maria.locator(".messagelist")).to_contain_text("was changed successfully")
    jon.get_by_label("Body").fill("The lights came on at dusk, twenty minutes late.")
    jon.get_by_role("button", name="Save and continue editing").click()
    expect(jon.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(jon.get_by_label("Deck")).to_have_value("Switched on a week early")
    saved = Article.objects.get(pk=article.pk)
    assert (saved.deck, saved.body) == ("Switched on a week early", "The lights came on at dusk, twenty minutes late.")

    # The same field: both change the headline. Jon is asked, and sees both.
    maria.reload()
    with maria.expect_response(lambda response: response.url.endswith("/editing/")):  # her form reports itself
        maria.get_by_label("Headline").fill("Harbour lights switched on for winter")
    jon.reload()
    expect(jon.locator(".editing-notice")).to_contain_text("Being edited by Maria Lind since")
    maria.get_by_role("button", name="Save and continue editing").click()
    expect(maria.locator(".messagelist")).to_contain_text("was changed successfully")
    jon.get_by_label("Headline").fill("Harbour lights on at last")
    jon.get_by_role("button", name="Save and continue editing").click()
    expect(jon.locator(".errorlist.nonfield")).to_contain_text("Maria Lind saved this article at")
    conflict = jon.locator(".conflict")
    # Each side marked against the headline both started from ("Harbour lights switched on").
    expect(conflict.locator(".theirs ins")).to_have_text(" for winter")
    expect(conflict.locator(".yours del")).to_have_text("switched on")
    expect(conflict.locator(".yours ins")).to_have_text("on at last")
    assert Article.objects.get(pk=article.pk).headline == "Harbour lights switched on for winter"
    conflict.get_by_label("Keep theirs").check()
    jon.get_by_role("button", name="Save and continue editing").click()
    expect(jon.locator(".messagelist")).to_contain_text("was changed successfully")
    saved = Article.objects.get(pk=article.pk)
    assert saved.headline == "Harbour lights switched on for winter"
    assert saved.body == "The lights came on at dusk, twenty minutes late."


def test_text_typed_when_the_session_expired_is_offered_back(open_as, make_user, make_article):
    make_user("maria", "Editors")
    article = make_article("Night ferry returns", body="Old body.")
    path = f"/admin/articles/article/{article.pk}/change/"
    page = open_as("maria", path)
    page.get_by_label("Body").fill("A long paragraph the editor must not lose.")
    page.wait_for_timeout(800)  # the form keeps a copy after half a second of quiet
    Session.objects.all().delete()  # the session expires (from the database and its cache)
    cache.clear()
    page.get_by_role("button", name="Save and continue editing").click()
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    notice = page.locator(".autosave-notice")
    expect(notice).to_contain_text("not saved")
    notice.get_by_role("button", name="Restore my unsaved text").click()
    expect(page.get_by_label("Body")).to_have_text("A long paragraph the editor must not lose.")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert Article.objects.get(pk=article.pk).body == "A long paragraph the editor must not lose."
    page.reload()
    expect(page.locator(".autosave-notice")).to_have_count(0)


def test_unsaved_text_is_offered_back_to_its_author_only(open_as, make_user, make_article):
    """Two people share a browser (a newsroom's desk computer): the copy kept for one is not
    shown to the other."""
    make_user("maria", "Editors")
    make_user("jon", "Editors")
    article = make_article("Night ferry returns", body="Old body.")
    path = f"/admin/articles/article/{article.pk}/change/"
    page = open_as("maria", path)
    page.get_by_label("Body").fill("Maria's paragraph about the Київ ferry, not saved.")
    page.wait_for_function(f"() => Object.keys(localStorage).some((key) => key.endsWith({path!r}))")
    Session.objects.all().delete()
    cache.clear()
    page.reload()
    page.get_by_label("Username").fill("jon")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_label("Body")).to_have_text("Old body.")
    expect(page.locator(".autosave-notice")).to_have_count(0)
