"""Every public page passes the Nu HTML Checker with 0 errors, filled with what real pages hold:
a live lead with entries, figures, a gallery, a table, code, an embed, a correction, other
scripts and emoji, a withdrawn story, a static page, the feeds' pages' neighbours (404)."""

import json
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from articles.models import Article, Byline, Correction, Status, system_gate
from articles.workflow import take_step
from images.models import Image
from live.door import post_entry
from pages.models import Page
from tests.test_admin_checkers import needs_nu, nu_errors
from tests.test_images import picture_bytes


@pytest.fixture
def addresses(settings, tmp_path, make_article, make_theme, make_author, editor):
    settings.MEDIA_ROOT = tmp_path / "media"
    pictures = [
        Image.objects.create(
            file=ContentFile(picture_bytes(size=(1200, 800), color=colour), name=f"{colour}.jpg"),
            title=f"Quay {colour}",
            alt_text=f"The quay in {colour} light",
            caption="Київ — the quay at dawn «before the storm» 🌅",
            credit="Олена Коваль",
            uploaded_by=editor,
        )
        for colour in ("navy", "teal", "orange")
    ]
    theme = make_theme("Київ ferries", summary="The ferries run again.\n\nTickets cost €2.")
    author = make_author("Олена Коваль", slug="olena-koval", bio="Олена covers the harbour. 東京 too.")
    body = (
        'Ferries "resumed" on Monday -- the first since May...\n\n'
        f"[image:{pictures[0].pk}]\n\n"
        "| Route | Fare (€) |\n|---|---|\n| Подол – Труханів | 2,00 |\n| 東京湾 | 3,50 |\n\n"
        "```\nferry --depart 06:00 <quay>\n```\n\n"
        f"[gallery:{pictures[1].pk},{pictures[2].pk}]\n\n"
        "[embed:https://www.youtube.com/watch?v=dQw4w9WgXcQ]\n\n"
        "> “We waited long enough,” said one skipper.\n\n"
        "- one\n- two 🚢"
    )
    article = make_article(
        "Ferries return to the Київ quay 🚢",
        deck="A deck with “quotes”",
        body=body,
        theme=theme,
        lead_image=pictures[0],
        tags=["Київ", "東京", "café"],
    )
    Byline.objects.create(article=article, author=author)
    Correction.objects.create(
        article=article, text="An earlier version gave the fare as €20.", published_at=timezone.now(), created_by=editor
    )
    live = make_article("Budget day at City Hall, live", theme=theme, publish_at=timezone.now() - timedelta(minutes=1))
    take_step(live, "start_live", user=editor)
    for minutes, text in ((30, "Polls open across Київ."), (20, "東京でも開票。"), (10, "**Result**: passed 31–20.")):
        entry = post_entry(live, user=editor, body=text, title="Count begins" if minutes == 20 else "")
        type(entry).objects.filter(pk=entry.pk).update(publish_at=timezone.now() - timedelta(minutes=minutes))
    gone = make_article("The story we withdrew")
    with system_gate():  # withdrawn, as a fixture
        Article.objects.filter(pk=gone.pk).update(status=Status.WITHDRAWN, withdrawn_reason="Wrong school.")
    Page.objects.create(title="About us — Про нас", path="/about/", body="We are *the* Harbour Gazette.")
    local = timezone.localtime(article.publish_at)
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "live": live.get_absolute_url(),
        "entry": live.entries.first().get_absolute_url(),
        "theme": theme.get_absolute_url(),
        "themes": "/themes/",
        "author": "/authors/olena-koval/",
        "tag": f"/tags/{article.tags.get(name='Київ').slug}/",
        "month": f"/archive/{local:%Y}/{local:%m}/",
        "search": "/search/?q=ferries",
        "search-none": "/search/?q=%D0%BD%D1%96%D1%87%D0%BE%D0%B3%D0%BE",
        "page": "/about/",
        "withdrawn": gone.get_absolute_url(),
        "missing": "/no-such-page/",
    }


@needs_nu
def test_public_pages_have_no_html_errors(client, addresses, tmp_path):
    documents = {"_folder": tmp_path / "pages"}
    (tmp_path / "pages").mkdir()
    for name, address in addresses.items():
        response = client.get(address)
        expected = {"withdrawn": 410, "missing": 404}.get(name, 200)
        assert response.status_code == expected, (name, address, response.status_code)
        documents[f"{name}.html"] = response.content.decode()
    assert "live-updates" in documents["home.html"] and "<table" in documents["article.html"]
    errors = nu_errors(documents)
    assert errors == {}, json.dumps(errors, indent=1, ensure_ascii=False)
