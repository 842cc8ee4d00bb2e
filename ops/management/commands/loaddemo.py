"""Load the demo newsroom: themes, authors, two weeks of articles with lead pictures drawn
by images.demo (never downloaded), and demo logins.

Idempotent: running it again creates only what is missing. Refuses to create
the demo logins (with their published passwords) unless DEBUG is on."""

import json
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from articles.models import Action, Article, ArticleEvent, Author, Byline, Status, step_between, system_gate
from images.demo import illustrate
from themes.models import Theme

DEMO_CONTENT = Path(__file__).resolve().parents[2] / "demo" / "newsroom.json"
DEMO_LOGINS = [
    # username, password, group
    ("editor", "harbour-editor-2026", "Editors"),
    ("writer", "harbour-writer-2026", "Writers"),
]


class Command(BaseCommand):
    help = "Create the demo newsroom (idempotent). Demo logins are only created with DEBUG on."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("loaddemo creates logins with published passwords, so it only runs with DEBUG=true.")
        content = json.loads(DEMO_CONTENT.read_text(encoding="utf-8"))
        # The demo newsroom is built as it stands, not walked through the workflow step by step.
        with transaction.atomic(), system_gate():
            users = self.create_logins()
            created = self.load(content)
            illustrated = illustrate(Article.objects.filter(headline__in=[a["headline"] for a in content["articles"]]))
            # Other apps' part of the demo (live/: a live coverage article), without importing them.
            for app in apps.get_app_configs():
                if hasattr(app, "load_demo"):
                    app.load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo newsroom ready ({created} new articles, {illustrated} pictured)."))
        for username, password in users:
            self.stdout.write(f"  login: {username} / {password}")

    def load(self, content):
        themes = {}
        for position, item in enumerate(content["themes"]):
            themes[item["slug"]], _ = Theme.objects.get_or_create(
                slug=item["slug"],
                defaults={"name": item["name"], "description": item["description"], "position": position * 10},
            )
        authors = {}
        for item in content["authors"]:
            authors[item["slug"]], _ = Author.objects.get_or_create(
                slug=item["slug"], defaults={"name": item["name"], "bio": item["bio"]}
            )
        # The demo writer writes as the first author, so their byline and "my drafts" work.
        writer = User.objects.get(username="writer")
        Author.objects.filter(pk=authors[content["authors"][0]["slug"]].pk, user__isnull=True).update(user=writer)

        items = content["articles"]
        now = timezone.now().replace(microsecond=0)
        start = now - timedelta(days=14)
        step = timedelta(days=14) / len(items)
        tomorrow_nine = timezone.localtime(now + timedelta(days=1)).replace(hour=9, minute=0, second=0)
        created = 0
        for index, item in enumerate(items):
            from_end = len(items) - index
            if from_end == 1:
                status, publish_at = Status.APPROVED, tomorrow_nine  # scheduled for tomorrow
            elif from_end == 2:
                status, publish_at = Status.IN_REVIEW, None
            elif from_end in (3, 4):
                status, publish_at = Status.DRAFT, None
            else:
                status, publish_at = Status.APPROVED, start + step * index
            article, is_new = Article.objects.get_or_create(
                headline=item["headline"],
                defaults={
                    "deck": item["deck"],
                    "standfirst": item["standfirst"],
                    "body": item["body"],
                    "theme": themes.get(item["theme"]),
                    "status": status,
                    "publish_at": publish_at,
                    "created_by": writer if status in (Status.DRAFT, Status.IN_REVIEW) else None,
                },
            )
            if not is_new:
                continue
            created += 1
            for position, slug in enumerate(item["authors"]):
                Byline.objects.create(article=article, author=authors[slug], position=position)
            article.tags.set(item["tags"])
            self.record_history(article, now)
        return created

    def record_history(self, article, now):
        """The workflow events the demo articles would have collected."""
        editor, writer = User.objects.get(username="editor"), User.objects.get(username="writer")
        if article.status == Status.IN_REVIEW:
            ArticleEvent.objects.create(
                article=article,
                action=step_between(Status.DRAFT, Status.IN_REVIEW).name,
                from_status=Status.DRAFT,
                to_status=Status.IN_REVIEW,
                actor=writer,
                at=now - timedelta(hours=2),
            )
        elif article.status == Status.APPROVED:
            approved_at = min(article.publish_at, now) - timedelta(minutes=30)
            ArticleEvent.objects.create(
                article=article,
                action=step_between(Status.IN_REVIEW, Status.APPROVED).name,
                from_status=Status.IN_REVIEW,
                to_status=Status.APPROVED,
                actor=editor,
                at=approved_at,
            )
            if article.publish_at <= now:
                ArticleEvent.objects.create(
                    article=article,
                    action=Action.WENT_LIVE,
                    from_status=Status.APPROVED,
                    to_status=Status.APPROVED,
                    at=article.publish_at,
                    moment=article.publish_at,
                )

    def create_logins(self):
        users = []
        for username, password, group_name in DEMO_LOGINS:
            user, is_new = User.objects.get_or_create(
                username=username, defaults={"is_staff": True, "email": f"{username}@newsroom.example"}
            )
            if is_new:
                user.set_password(password)
                user.save()
            user.groups.add(Group.objects.get(name=group_name))
            users.append((username, password))
        return users
