"""Conflicts you can read (issue 27, item 7): when two people changed the same paragraph, the
second sees the words each side changed against the version both started from, and settles
each paragraph on its own, in the admin and through the API's 409."""

import os
import shutil

import pytest
from django.urls import reverse

from api.models import ApiToken
from articles.conflicts import marked, word_diff
from articles.models import Article
from tests.test_admin_checkers import VNU, nu_errors

BODY = "Пором вийшов о шостій.\n\n東京からの便は遅れた。\n\nThe vote comes on Monday 🗳️."


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def opened_form(client, article, **changes):
    """The change form as a person opened it, with `changes` typed in."""
    form = client.get(change_url(article)).context["adminform"].form
    data = {name: form[name].value() for name in ("headline", "deck", "standfirst", "body", "slug", "base")}
    data = {name: "" if value is None else value for name, value in data.items()}
    return {
        **data,
        "loaded_version": form["loaded_version"].value(),
        "tags": "",
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        "corrections-TOTAL_FORMS": "0",
        "corrections-INITIAL_FORMS": "0",
        **changes,
    }


@pytest.fixture
def two_editors(client, make_user):
    maria = make_user("maria", "Editors", first_name="Марія", last_name="Лінд")
    jon = make_user("jon", "Editors")
    client.force_login(maria)
    other = client.__class__()
    other.force_login(jon)
    return client, other


@pytest.fixture
def story(make_article):
    return make_article("Пором знову ходить", body=BODY, status="DRAFT", publish_at=None)


def clash(client, jons_client, story, *, hers, his, **his_fields):
    hers_form = opened_form(client, story, body=hers)
    his_form = opened_form(jons_client, story, body=his, **his_fields)
    assert client.post(change_url(story), hers_form).status_code == 302
    return his_form, jons_client.post(change_url(story), his_form)


def test_a_clash_shows_each_paragraph_with_the_words_each_side_changed(two_editors, story):
    maria, jon = two_editors
    hers = BODY.replace("о шостій", "о сьомій").replace("Monday", "Tuesday")
    his = BODY.replace("о шостій", "о пів на сьому").replace("遅れた", "欠航した")
    _form, response = clash(maria, jon, story, hers=hers, his=his)
    assert response.status_code == 200
    rows = response.context["adminform"].form.conflicts
    assert [row["label"] for row in rows] == ["Body, paragraph 1"]  # the 2nd and 3rd merge by themselves
    html = response.content.decode()
    section = html.split('class="conflict"')[1].split("</section>")[0]
    assert "<del>шостій</del>" in section and "<ins>сьомій</ins>" in section  # theirs against the base
    assert "<ins>пів на сьому</ins>" in section  # mine against the base
    assert "Tuesday" not in section and "欠航" not in section  # only what both changed is a question
    # Nothing typed is lost: the body in the form holds his text with her other edit merged in.
    body = response.context["adminform"].form["body"].value()
    assert body == his.replace("Monday", "Tuesday")
    assert Article.objects.get(pk=story.pk).body == hers


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ({"resolve-body-1": "theirs"}, "Пором вийшов о сьомій."),
        ({}, "Пором вийшов о пів на сьому."),
        ({"resolve-body-1": "hand", "resolve-body-1-text": "Пором вийшов о 06:45 ⛴️."}, "Пором вийшов о 06:45 ⛴️."),
    ],
)
def test_each_clash_is_settled_on_its_own_and_the_rest_merged(two_editors, story, choice, expected):
    maria, jon = two_editors
    hers = BODY.replace("о шостій", "о сьомій").replace("Monday", "Tuesday")
    his = BODY.replace("о шостій", "о пів на сьому").replace("遅れた", "欠航した")
    his_form, response = clash(maria, jon, story, hers=hers, his=his, headline="Пором ходить знову")
    form = response.context["adminform"].form
    again = {**his_form, **{name: form[name].value() for name in ("loaded_version", "base", "theirs", "body")}}
    assert jon.post(change_url(story), {**again, **choice}).status_code == 302
    saved = Article.objects.get(pk=story.pk)
    assert saved.body == f"{expected}\n\n東京からの便は欠航した。\n\nThe vote comes on Tuesday 🗳️."
    assert saved.headline == "Пором ходить знову"  # only he changed it


def test_a_choice_and_an_edit_typed_into_the_body_since_both_count(two_editors, story):
    maria, jon = two_editors
    hers = BODY.replace("о шостій", "о сьомій")
    his = BODY.replace("о шостій", "о пів на сьому")
    his_form, response = clash(maria, jon, story, hers=hers, his=his)
    form = response.context["adminform"].form
    typed = form["body"].value().replace("The vote", "A vote")  # he goes on writing below
    again = {**his_form, **{name: form[name].value() for name in ("loaded_version", "base", "theirs")}}
    jon.post(change_url(story), {**again, "body": typed, "resolve-body-1": "theirs"})
    assert Article.objects.get(pk=story.pk).body == hers.replace("The vote", "A vote")


def test_a_tampered_choice_field_changes_nothing_it_was_not_asked(two_editors, story):
    maria, jon = two_editors
    his_form, response = clash(
        maria, jon, story, hers=BODY.replace("шостій", "сьомій"), his=BODY.replace("шостій", "восьмій")
    )
    form = response.context["adminform"].form
    again = {**his_form, **{name: form[name].value() for name in ("loaded_version", "base", "body")}}
    again["theirs"] = form["theirs"].value()[:-3] + "abc"  # a forged signature: no choice applies
    jon.post(change_url(story), {**again, "resolve-body-1": "theirs"})
    assert Article.objects.get(pk=story.pk).body == BODY.replace("шостій", "восьмій")


@pytest.mark.skipif(
    not (VNU.exists() and shutil.which("java")) and not os.environ.get("CI"),
    reason="the Nu HTML Checker needs Java and `npm ci`",
)
def test_the_conflict_screen_has_no_html_errors(two_editors, story, tmp_path):
    maria, jon = two_editors
    hers, his = BODY.replace("шостій", "сьомій"), BODY.replace("шостій", "восьмій <b>") + "\n\nP.S. 🙂"
    _form, response = clash(maria, jon, story, hers=hers, his=his, headline="Пором <i>ходить</i>")
    assert response.status_code == 200 and len(response.context["adminform"].form.conflicts) == 1
    (tmp_path / "pages").mkdir()
    assert nu_errors({"_folder": tmp_path / "pages", "conflict.html": response.content.decode()}) == {}


def test_words_are_compared_as_words_in_every_script():
    assert word_diff("東京で会議が開かれた。", "東京で会議が延期された。") == [
        (0, "東京で会議が"),
        (-1, "開か"),
        (1, "延期さ"),
        (0, "れた。"),
    ]
    assert word_diff("Київ 👩‍👩‍👧 сьогодні", "Київ 👩‍👩‍👦 сьогодні")[1:3] == [(-1, "👩‍👩‍👧"), (1, "👩‍👩‍👦")]
    assert "&lt;script&gt;" in marked("a", "a <script>")


def test_the_api_409_names_the_fields_and_paragraphs_both_changed(client, editor, story):
    key = ApiToken.issue(user=editor, name="desk script")[1]
    url = f"/api/v1/staff/articles/{story.pk}/"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    read = client.get(url, **headers).json()
    client.patch(
        url,
        {"body": BODY.replace("遅れた", "欠航した"), "version": read["version"]},
        content_type="application/json",
        **headers,
    )
    stale = {"body": BODY.replace("遅れた", "到着した"), "headline": "Пором ходить", "version": read["version"]}
    before = Article.objects.get(pk=story.pk)
    answer = client.patch(url, stale, content_type="application/json", **headers)
    assert answer.status_code == 409
    body = answer.json()
    assert body["code"] == "conflict" and "body" in body["detail"]  # as before
    assert body["version"] == before.version
    assert body["conflicts"] == [
        {"field": "headline", "theirs": "Пором знову ходить", "mine": "Пором ходить"},
        {"field": "body", "paragraph": 2, "theirs": "東京からの便は欠航した。", "mine": "東京からの便は到着した。"},
    ]
    after = Article.objects.get(pk=story.pk)
    assert (after.version, after.body, after.headline) == (before.version, before.body, before.headline)
