"""An editor writing in the admin sees theme suggestions and duplicate warnings, in a real Chromium."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article

from .test_browser_newsroom import login
from .theme_corpus import FILED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editor_gets_a_theme_suggestion_and_a_duplicate_warning(page, live_server, editor, make_theme, make_article):
    themes = {}
    for n, (name, articles) in enumerate(FILED.items()):
        themes[name] = make_theme(name, slug=f"labelled-{n}")
        for headline, standfirst, body in articles:
            make_article(headline, standfirst=standfirst, body=body, theme=themes[name])
    recent = make_article(
        "Council approves harbour bridge budget",
        theme=themes["Harbour bridge"],
        publish_at=timezone.now() - timedelta(hours=5),
    )

    login(page, live_server, "editor")
    page.goto(live_server.url + "/admin/articles/article/add/")
    page.get_by_label("Headline").fill("Hosepipe ban extended as reservoirs stay low")
    suggestion = page.locator("#theme-suggestions").get_by_role("button", name=re.compile(r"^Drought \(\d+%\)$"))
    expect(suggestion).to_be_visible()
    suggestion.click()
    expect(page.locator("#id_theme")).to_have_value(str(themes["Drought"].pk))
    expect(page.locator(".field-theme .select2-selection__rendered")).to_contain_text("Drought")
    expect(page.locator("#duplicate-live")).to_be_hidden()

    # A near-copy of a headline published this morning.
    page.get_by_label("Headline").fill("Harbour bridge budget approved by council")
    live_warning = page.locator("#duplicate-live")
    expect(live_warning).to_be_visible()
    expect(live_warning.get_by_role("link", name="Council approves harbour bridge budget")).to_have_attribute(
        "href", f"/admin/articles/article/{recent.pk}/change/"
    )
    expect(live_warning).to_contain_text("% alike")

    # Saved, the warning stands next to the workflow buttons until dismissed.
    page.get_by_role("button", name="Save and continue editing").click()
    warning = page.locator(".workflow .duplicate-warning")
    expect(warning).to_contain_text("Council approves harbour bridge budget")
    draft = Article.objects.get(headline="Harbour bridge budget approved by council")
    assert draft.theme == themes["Drought"]
    warning.get_by_role("button", name="Not a duplicate").click()
    expect(page.locator(".workflow .duplicate-warning")).to_have_count(0)
    expect(page.locator(".history")).to_contain_text("Duplicate warning dismissed")
    expect(page.locator("#duplicate-live")).to_be_hidden()
    page.wait_for_load_state("networkidle")  # the reloaded form asks once more; let it answer
