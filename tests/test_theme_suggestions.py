"""Theme suggestions in the article admin: the likeliest themes for the text typed so far."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Status
from similarity.suggestions import MODEL_MAX_AGE

from .theme_corpus import DRAFTS, FILED

SUGGEST_URL = reverse("admin:articles_article_suggest_themes")


@pytest.fixture
def newsroom(make_theme, make_article):
    themes = {}
    for n, (name, articles) in enumerate(FILED.items()):
        theme = make_theme(name, slug=f"labelled-{n}")
        themes[name] = theme
        for headline, standfirst, body in articles:
            make_article(headline, standfirst=standfirst, body=body, theme=theme)
    return themes


def suggest(client, **text):
    response = client.post(SUGGEST_URL, text)
    assert response.status_code == 200
    return response.json()["themes"]


def test_the_right_theme_comes_first_for_every_labelled_draft(client, editor, newsroom):
    client.force_login(editor)
    right = 0
    for theme_name, headline, standfirst in DRAFTS:
        themes = suggest(client, headline=headline, standfirst=standfirst)
        if themes and themes[0]["name"] == theme_name:
            right += 1
    print(f"theme suggestion accuracy: {right}/{len(DRAFTS)}")
    assert right == len(DRAFTS) == 12


def test_suggestions_come_with_scores_best_first_and_an_id_to_apply(client, writer, newsroom):
    client.force_login(writer)
    themes = suggest(client, headline="Hosepipe ban extended as reservoirs stay low")
    assert themes[0] == {"id": newsroom["Drought"].pk, "name": "Drought", "score": themes[0]["score"]}
    scores = [theme["score"] for theme in themes]
    assert scores == sorted(scores, reverse=True)
    assert 0 < scores[-1] <= scores[0] <= 1
    assert len(themes) <= 3


def test_text_about_nothing_filed_gets_no_suggestion(client, editor, newsroom):
    client.force_login(editor)
    assert suggest(client, headline="") == []
    assert suggest(client, headline="Zebra quokka xylophone") == []


def test_inactive_themes_and_withdrawn_articles_are_not_suggested(client, editor, newsroom, make_article):
    newsroom["Drought"].is_active = False
    newsroom["Drought"].save()
    client.force_login(editor)
    names = [theme["name"] for theme in suggest(client, headline="Reservoirs low, hosepipe ban and drought")]
    assert "Drought" not in names


def test_the_model_is_cached_then_rebuilt_when_stale(client, editor, newsroom, make_theme, make_article):
    client.force_login(editor)
    headline = "Lighthouse keepers restore the old lamp"
    assert suggest(client, headline=headline) == []
    lighthouse = make_theme("Lighthouse")
    make_article("Lighthouse lamp restored by keepers", theme=lighthouse, standfirst="The old lamp shines again.")
    # Still the cached model: the new theme is not known yet.
    assert suggest(client, headline=headline) == []
    with time_machine.travel(timezone.now() + timedelta(seconds=MODEL_MAX_AGE + 1)):
        client.force_login(editor)
        assert suggest(client, headline=headline)[0]["name"] == "Lighthouse"


def test_a_cached_suggestion_runs_no_model_queries(client, editor, newsroom, django_assert_max_num_queries):
    client.force_login(editor)
    suggest(client, headline="Truce talks")
    # Session, user, the user's two permission queries and the duplicate check: the model
    # itself (two more queries to build) comes from the cache.
    with django_assert_max_num_queries(5):
        suggest(client, headline="Truce talks resume")


def test_only_staff_who_write_may_ask_and_only_by_post_with_csrf(client, editor, newsroom, make_user):
    assert client.post(SUGGEST_URL, {"headline": "Truce"}).status_code == 302  # to the login page
    client.force_login(make_user("nobody"))
    assert client.post(SUGGEST_URL, {"headline": "Truce"}).status_code == 403
    client.force_login(editor)
    assert client.get(SUGGEST_URL).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert strict.post(SUGGEST_URL, {"headline": "Truce"}).status_code == 403


def test_drafts_in_a_theme_count_too(client, editor, make_theme, make_article):
    orchard = make_theme("Orchard blight")
    make_article("Blight spreads through apple orchards", theme=orchard, status=Status.DRAFT, publish_at=None)
    client.force_login(editor)
    assert suggest(client, headline="Apple growers fight orchard blight")[0]["name"] == "Orchard blight"


def test_the_scheduler_rebuilds_the_model_before_editors_would_wait(client, editor, newsroom, make_theme, make_article):
    from io import StringIO

    from django.core.management import call_command

    from similarity.suggestions import MODEL_REFRESH_AGE

    client.force_login(editor)
    headline = "Lighthouse keepers restore the old lamp"
    assert suggest(client, headline=headline) == []
    make_article("Lighthouse lamp restored by keepers", theme=make_theme("Lighthouse"))
    output = StringIO()
    call_command("publish_scheduled", stdout=output)
    assert "rebuilt" not in output.getvalue()  # still fresh
    with time_machine.travel(timezone.now() + timedelta(seconds=MODEL_REFRESH_AGE + 1)):
        call_command("publish_scheduled", stdout=output)
        assert "Theme suggestions rebuilt." in output.getvalue()
        with CaptureQueriesContext(connection) as queries:
            client.force_login(editor)
            assert suggest(client, headline=headline)[0]["name"] == "Lighthouse"
        assert not [q for q in queries.captured_queries if "ROW_NUMBER" in q["sql"].upper()]
