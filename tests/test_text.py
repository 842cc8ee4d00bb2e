"""Plain-text headlines and decks; sanitised Markdown bodies."""

import pytest
from django.core.exceptions import ValidationError

from articles.models import Article
from articles.text import plain_text, render_markdown


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
    html = render_markdown(body).lower()
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
    html = render_markdown("## Sub\n\n**bold** and [a link](https://example.org/x)\n\n- one\n- two")
    assert "<h2>Sub</h2>" in html
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org/x" rel="noopener noreferrer">a link</a>' in html
    assert "<li>one</li>" in html


def test_body_html_is_rendered_on_save(make_article):
    article = make_article(body="Hello <script>x()</script>**world**")
    assert article.body_html == "<p>Hello <strong>world</strong></p>"
