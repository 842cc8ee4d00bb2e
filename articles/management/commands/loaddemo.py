"""Load the demo newsroom: themes, authors, two weeks of articles with lead pictures drawn
by images.demo (never downloaded), and demo logins.

Idempotent: running it again creates only what is missing. Refuses to create
the demo logins (with their published passwords) unless DEBUG is on."""

import json
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from articles.models import Article, Author, Byline, Status
from images.demo import illustrate
from themes.models import Theme

DEMO_CONTENT = Path(__file__).resolve().parents[2] / "demo" / "newsroom.json"
DEMO_LOGINS = [
    # username, password, group, author slug
    ("editor", "harbour-editor-2026", "Editors", None),
    ("writer", "harbour-writer-2026", "Writers", None),
]


class Command(BaseCommand):
    help = "Create the demo newsroom (idempotent). Demo logins are only created with DEBUG on."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("loaddemo creates logins with published passwords, so it only runs with DEBUG=true.")
        content = json.loads(DEMO_CONTENT.read_text(encoding="utf-8"))
        with transaction.atomic():
            created = self.load(content)
            illustrated = illustrate(Article.objects.filter(headline__in=[a["headline"] for a in content["articles"]]))
            users = self.create_logins(content)
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
                },
            )
            if not is_new:
                continue
            created += 1
            for position, slug in enumerate(item["authors"]):
                Byline.objects.create(article=article, author=authors[slug], position=position)
            article.tags.set(item["tags"])
        return created

    def create_logins(self, content):
        users = []
        for username, password, group_name, _ in DEMO_LOGINS:
            user, is_new = User.objects.get_or_create(username=username, defaults={"is_staff": True})
            if is_new:
                user.set_password(password)
                user.save()
            group = Group.objects.filter(name=group_name).first()
            if group:
                user.groups.add(group)
            users.append((username, password))
        writer = User.objects.get(username="writer")
        first_author = content["authors"][0]["slug"]
        Author.objects.filter(slug=first_author, user__isnull=True).update(user=writer)
        return users
