"""Plain-text headlines and decks; sanitised Markdown bodies."""

import re

import pytest
from django.core.exceptions import ValidationError

from articles.models import Article
from articles.body import render_body
from articles.text import plain_text


@pytest.mark.parametrize(
    ("headline", "named"),
    [
        ("**Council** approves budget", "“**”"),
        ("### Council approves budget", "“#”"),
        ("Council <b>approves</b> budget", "“<b>”"),
        ("Council [approves](http://example.org) budget", "[text](url)"),
        ("Council `approves` budget", "“`”"),
        ("Council *approves* budget", "“*”"),
        ("Council approves &amp; budget", "&amp;"),
    ],
)
def test_headline_with_markup_is_rejected_saying_what_to_remove(db, headline, named):
    article = Article(headline=headline, deck=headline)
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    for field in ("headline", "deck"):
        message = error.value.message_dict[field][0]
        assert "plain text" in message and named in message


@pytest.mark.parametrize(
    "headline",
    ["Council approves 5% rise in harbour fees", "Q&A: what the tram line means for you", "Rain at last? 3 * 4 is 12"],
)
def test_plain_headlines_pass(db, headline):
    Article(headline=headline).clean_fields(exclude=["slug"])


def test_plain_text_cleans_markup_that_bypassed_validation():
    assert plain_text("**Big** <b>news</b> from the <script>x</script>harbour") == "Big news from the harbour"
    assert plain_text("### Heading [link](http://example.org)") == "Heading link"


HOSTILE_BODIES = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<svg onload="alert(1)"></svg>',
    '<iframe src="http://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">x</p>',
    "<object data='x'></object><embed src='x'>",
    '<form action="http://evil.example"><input name="p"></form>',
    "[x](vbscript:msgbox(1))",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<style>body{display:none}</style>",
]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_hostile_body_is_sanitised(body):
    # In the markup: a refused link stays on the page as the words typed ("[click](javascript:…)").
    html = " ".join(re.findall(r"<[^<>]*>", render_body(body).lower()))
    for forbidden in (
        "<script",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "vbscript:",
        "data:",
        "<iframe",
        "<svg",
        "<object",
        "<embed",
        "<form",
        "<input",
        "<style",
        "style=",
    ):
        assert forbidden not in html


def test_markdown_renders_formatting_and_safe_links():
    html = render_body("## Sub\n\n**bold** and [a link](https://example.org/x)\n\n- one\n- two")
    assert "<h2>Sub</h2>" in html
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org/x" rel="noopener noreferrer">a link</a>' in html
    assert "<li>one</li>" in html


def test_body_html_is_rendered_on_save(make_article):
    article = make_article(body="Hello <script>x()</script>**world**")
    assert article.body_html == "<p>Hello <strong>world</strong></p>"


LESS_THAN = "Shares fall as a<b merger collapses"


def test_a_less_than_sign_is_text_not_a_tag(db):
    Article(headline=LESS_THAN, deck="If x < y and y>z, sell", standfirst=LESS_THAN).clean_fields(exclude=["slug"])
    assert plain_text(LESS_THAN) == LESS_THAN
    assert plain_text("Rates <2% & falling; 3 > 2") == "Rates <2% & falling; 3 > 2"


def test_a_headline_with_a_less_than_sign_shows_in_full_everywhere(client, make_article, make_author, settings):
    author = make_author("Ana <Reyes>")
    article = make_article(LESS_THAN, deck=LESS_THAN, standfirst=LESS_THAN, authors=[author])
    escaped = "Shares fall as a&lt;b merger collapses"
    html = client.get(article.get_absolute_url()).content.decode()
    assert f"<h1>{escaped}</h1>" in html
    assert f"<title>{escaped} · " in html
    assert f'<meta property="og:title" content="{escaped}">' in html
    assert f'<p class="standfirst">{escaped}</p>' in html
    assert "Ana &lt;Reyes&gt;" in html
    assert '"headline": "Shares fall as a\\u003Cb merger collapses"' in html
    for page in ("/", author.get_absolute_url(), "/news-sitemap.xml", "/feeds/rss/", "/feeds/atom/"):
        assert escaped in client.get(page).content.decode(), page


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("standfirst", "The council <i>finally</i> agreed.", "“<i>”"),
        ("standfirst", "The council **finally** agreed.", "“**”"),
        ("standfirst", "## The council agreed", "“##"),
    ],
)
def test_the_standfirst_refuses_markup_quoting_it(db, field, value, named):
    with pytest.raises(ValidationError) as error:
        Article(headline="Council agrees", **{field: value}).clean_fields(exclude=["slug"])
    message = error.value.message_dict[field][0]
    assert "plain text" in message and named in message


def test_an_author_name_refuses_tags(db):
    from articles.models import Author

    with pytest.raises(ValidationError) as error:
        Author(name="<b>Ana</b> Reyes", slug="ana").full_clean()
    assert "“<b>”" in error.value.message_dict["name"][0]
    Author(name="Ana Reyes <ana@example.org", slug="ana").full_clean()


def test_plain_text_keeps_escaped_markup_as_text():
    assert plain_text("Use &lt;b&gt; for bold") == "Use <b> for bold"


def test_json_ld_cuts_a_long_headline_at_a_word_with_an_ellipsis(client, make_article):
    import json
    import re

    headline = (
        "Council approves the harbour bridge repair plan after a four-hour night session "
        "that ended with a narrow vote and angry residents"
    )
    article = make_article(headline)
    html = client.get(article.get_absolute_url()).content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["headline"] == (
        "Council approves the harbour bridge repair plan after a four-hour night session that ended with a narrow vote…"
    )
    assert len(data["headline"]) <= 110
    assert f"<h1>{headline}</h1>" in html  # readers get it whole


@pytest.mark.parametrize(
    ("value", "cut"),
    [
        ("short", "short"),
        ("x" * 110, "x" * 110),
        ("word " * 30, ("word " * 22).strip() + "…"),
        ("y" * 200, "y" * 109 + "…"),
    ],
)
def test_cut_at_word(value, cut):
    from articles.text import cut_at_word

    assert cut_at_word(value, 110) == cut


def test_the_admin_shows_a_less_than_sign_as_text(admin_client, make_article, make_author):
    article = make_article(LESS_THAN, standfirst=LESS_THAN, authors=[make_author("Ana <Reyes>")])
    changelist = admin_client.get("/admin/articles/article/").content.decode()
    assert "Shares fall as a&lt;b merger collapses" in changelist and "a<b merger" not in changelist
    change = admin_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert 'value="Shares fall as a&lt;b merger collapses"' in change
