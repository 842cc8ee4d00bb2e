"""Adds to the demo newsroom what its screenshots show and `loaddemo` does not make: an article
with figures in its text, a table, code and a correction, and a withdrawn article.

    DEBUG=true DATABASE_URL=sqlite:////tmp/design.sqlite3 \
        .venv/bin/python manage.py shell < docs/screenshots/demo_extras.py
"""

from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from articles.models import Article, Correction, Status, system_gate
from articles.workflow import take_step
from images.demo import demo_image

editor = User.objects.get(username="editor")
article = Article.objects.live().filter(lead_image__isnull=False, theme__isnull=False).order_by("-publish_at")[3]
figure_one = demo_image(
    201,
    "Quay at low tide (demo drawing)",
    "A drawing of the quay at low tide",
    "The quay at low tide, the morning after the storm.",
)
figure_two = demo_image(
    202,
    "Harbour office (demo drawing)",
    "A drawing of the harbour office",
    "The harbour office, where the council met on Tuesday.",
)
original = article.body.split("\n\n## What the council decided")[0]  # run twice, added once
body = f"""{original}

## What the council decided

[image:{figure_one.pk}]

The council's decision came after a three-hour meeting in which the harbour master,
the lifeboat crew and two fishing families spoke. "We have waited long enough," said one of them.

> The quay has stood for two hundred years; it can stand a few more if we look after it.

| Work | Cost (€) | Ends |
|---|---|---|
| Sea wall repairs | 1,200,000 | March |
| New pontoons | 450,000 | May |
| Dredging of the inner basin | 300,000 | September |

[image:{figure_two.pk}]

The full schedule of works is published on the council's site; the harbour office answers questions on weekdays.
"""
with system_gate():
    Article.objects.filter(pk=article.pk).update(body=body)
article.refresh_from_db()
article.body = body
article.save()
if not article.corrections.exists():
    Correction.objects.create(
        article=article,
        text="An earlier version of this article gave the cost of the sea wall repairs as €12 million. "
        "It is €1.2 million.",
        published_at=timezone.now() - timedelta(hours=2),
        created_by=editor,
    )
gone = Article.objects.filter(status=Status.WITHDRAWN).first()
if gone is None:
    gone = Article.objects.live().order_by("-publish_at")[8]
    note = "The article named the wrong school. We apologise to the pupils and staff of both schools."
    take_step(gone, "withdraw", user=editor, note=note)
print("figures and correction:", article.get_absolute_url())
print("withdrawn:", gone.get_absolute_url())

theme = article.theme
if not theme.summary:
    theme.summary = (
        "Port Ellery Athletic are promoted to the Coastal Premier Division for the first time.\n\n"
        "The open-top bus parade leaves The Netlofts at 14:00 on Sunday.\n\n"
        "The club says season tickets for next season go on sale in January."
    )
    theme.lead_article = Article.objects.live().filter(theme=theme).order_by("publish_at").first()
    theme.save()
print("theme with what we know:", theme.get_absolute_url())
