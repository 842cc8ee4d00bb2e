"""Every public page template passes axe-core with zero violations, in light and dark mode."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from articles.models import Article, Author, Byline, system_gate
from themes.models import Theme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def summary(results):
    return [
        (violation["id"], [node["target"] for node in violation["nodes"]][:3])
        for violation in results.response["violations"]
    ]


@pytest.fixture
def pages(live_server, now):
    theme = Theme.objects.create(name="Harbour bridge", slug="harbour-bridge", description="The old bridge.")
    author = Author.objects.create(name="Ana Reyes", slug="ana-reyes", bio="Ana covers the harbour.")
    articles = []
    for n in range(3):
        with system_gate():
            article = Article.objects.create(
                headline=f"Bridge engineers find cracks {n}",
                deck="Inspectors say the work will take a year.",
                standfirst="Engineers inspecting the old bridge found cracks in two piers.",
                body="The **inspection** began on Monday.\n\n> It is worse than we thought.\n\n- one\n- two",
                theme=theme,
                status="APPROVED",
                publish_at=now,
            )
        Byline.objects.create(article=article, author=author)
        article.tags.set(["transport"])
        articles.append(article)
    return [
        "/",
        articles[0].get_absolute_url(),
        "/themes/",
        "/themes/harbour-bridge/",
        "/authors/ana-reyes/",
        "/tags/transport/",
        "/search/?q=bridge",
        "/search/?q=nothing-matches-this",
        "/no-such-page/",
    ]


def test_public_pages_have_no_axe_violations(pages, live_server, page):
    axe = Axe()
    violations = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for path in pages:
            page.goto(live_server.url + path)
            results = axe.run(page)
            if results.violations_count:
                violations[(scheme, path)] = summary(results)
    assert violations == {}


def test_skip_link_and_visible_focus(live_server, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible() and skip.bounding_box()["x"] >= 0
    assert skip.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    for role in ("banner", "main", "contentinfo"):
        assert page.get_by_role(role).count() >= 1, role
    page.get_by_role("link", name="Search").click()  # the header's search opens the search page
    assert page.get_by_role("search").count() == 1
