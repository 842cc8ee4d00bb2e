"""Seeding: the bench's archives, kept under bench/results/ (or on PostgreSQL) between runs.

    .venv/bin/python -m bench.seed [--quick | --articles N] [--only sqlite]

Seeds (once; delete bench/results/ to reseed) and migrates the archive of N articles and the
1,000-article one the cost-growth comparison reads: 200 themes (20 active), 500 authors, 1,000
tags, 400–900 words of Markdown an article, 1 % drafts, 0.5 % withdrawn, 2 % with an expiry and
10 scheduled for the coming days. `bulk_create` sends no signals: `migrate` indexes them for search.
"""

import json
import random
import secrets
import subprocess
import sys
import time
from datetime import timedelta
from typing import NamedTuple

from bench import servers
from bench.servers import PYTHON, RESULTS, ROOT, child_env, django_setup, run_child

WORDS = [
    "harbour",
    "council",
    "bridge",
    "ferry",
    "fishermen",
    "tide",
    "storm",
    "festival",
    "school",
    "budget",
    "mayor",
    "port",
    "pier",
    "lighthouse",
    "coast",
    "road",
    "rail",
    "timetable",
    "engineers",
    "inspection",
    "repairs",
    "residents",
    "market",
    "library",
    "hospital",
    "water",
    "weather",
    "election",
    "vote",
    "museum",
    "football",
    "season",
    "cargo",
    "ship",
    "crew",
    "rescue",
    "volunteers",
    "beach",
    "sand",
    "dunes",
    "wind",
    "farm",
    "turbines",
    "planning",
    "permission",
    "housing",
    "rent",
    "shop",
    "owners",
    "tourism",
    "summer",
    "winter",
    "night",
    "shift",
    "police",
    "court",
    "ruling",
    "appeal",
    "report",
    "figures",
    "survey",
    "year",
    "month",
    "week",
    "morning",
    "evening",
    "families",
    "children",
]


def sentence(rng, low=8, high=22):
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


def body_text(rng):
    """A news story of 400 to 900 words: paragraphs, a subheading, sometimes a quote."""
    paragraphs, words = [], 0
    target = rng.randint(400, 900)
    while words < target:
        if paragraphs and rng.random() < 0.08:
            paragraphs.append("## " + sentence(rng, 3, 6).rstrip("."))
        elif rng.random() < 0.05:
            paragraphs.append("> " + sentence(rng))
        else:
            paragraph = " ".join(sentence(rng) for _ in range(rng.randint(2, 5)))
            words += len(paragraph.split())
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


def theme_count(count):
    """200 themes for the full archive; fewer for a small one, so that every theme still has more
    than 20 articles and the cost-growth comparison renders the same page (a full "More on theme")."""
    return max(20, min(200, count // 50))


def seed(count):
    """Bulk-create `count` articles over five years, 200 themes, 500 authors, ~1,000 tags."""
    django_setup()
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone
    from taggit.models import Tag, TaggedItem

    from articles.body import render_body
    from articles.models import Article, Author, Byline, Status, system_gate
    from themes.models import Theme

    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    now = timezone.now()
    five_years = timedelta(days=5 * 365)
    started = time.monotonic()
    with transaction.atomic():
        themes = Theme.objects.bulk_create(
            Theme(
                id=n,
                name=f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {n}",
                slug=f"theme-{n}",
                description=sentence(rng),
                position=n,
                is_active=n <= 20,  # running stories; the other 180 are older, inactive ones
            )
            for n in range(1, theme_count(count) + 1)
        )
        Author.objects.bulk_create(
            Author(id=n, name=f"Reporter {n}", slug=f"reporter-{n}", bio=sentence(rng)) for n in range(1, 501)
        )
        Tag.objects.bulk_create(Tag(id=n, name=f"{rng.choice(WORDS)} {n}", slug=f"tag-{n}") for n in range(1, 1001))
        bodies = []
        for _ in range(40):
            text = body_text(rng)
            bodies.append((text, render_body(text)))
        content_type = ContentType.objects.get_for_model(Article)
        batch = 5000
        for start in range(1, count + 1, batch):
            articles, bylines, tagged = [], [], []
            for n in range(start, min(start + batch, count + 1)):
                publish_at = now - five_years * (1 - n / count) - timedelta(minutes=5)
                status = Status.APPROVED
                if n % 97 == 0:
                    status = Status.DRAFT
                elif n % 211 == 0:
                    status = Status.WITHDRAWN
                expire_at = publish_at + timedelta(days=30) if n % 53 == 0 else None
                body, body_html = rng.choice(bodies)
                headline = sentence(rng, 5, 11).rstrip(".")
                articles.append(
                    Article(
                        id=n,
                        headline=headline,
                        slug=f"story-{n}",
                        deck=sentence(rng, 8, 16),
                        standfirst=sentence(rng, 20, 40),
                        body=body,
                        body_html=body_html,
                        status=status,
                        publish_at=publish_at,
                        expire_at=expire_at,
                        theme_id=rng.randint(1, len(themes)),
                        created_at=publish_at,
                        modified_at=publish_at,
                        version=1,
                    )
                )
                for position, author in enumerate(rng.sample(range(1, 501), rng.choice((1, 1, 1, 2)))):
                    bylines.append(Byline(article_id=n, author_id=author, position=position))
                for tag in rng.sample(range(1, 1001), 2):
                    tagged.append(TaggedItem(content_type=content_type, object_id=n, tag_id=tag))
            with system_gate():  # an archive built as it stands
                Article.objects.bulk_create(articles)
            Byline.objects.bulk_create(bylines)
            TaggedItem.objects.bulk_create(tagged)
        # Rows were created with explicit ids: move PostgreSQL's sequences past them, or the next
        # create() collides (`duplicate key … articles_article_pkey`). SQLite needs nothing.
        from django.core.management.color import no_style
        from django.db import connection

        reset = connection.ops.sequence_reset_sql(no_style(), [Theme, Author, Tag, Article, Byline, TaggedItem])
        with connection.cursor() as cursor:
            for statement in reset:
                cursor.execute(statement)
        # A few approved for the coming days: the schedule the cache must respect.
        for n in range(count + 1, count + 11):
            body, body_html = rng.choice(bodies)
            with system_gate():
                Article.objects.create(
                    headline=f"Scheduled story {n}",
                    slug=f"story-{n}",
                    standfirst=sentence(rng),
                    body=body,
                    status=Status.APPROVED,
                    publish_at=now + timedelta(days=n - count),
                    theme=themes[0],
                )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        json.dumps(
            {
                "articles": Article.objects.count(),
                "themes": len(themes),
                "seconds": round(time.monotonic() - started, 1),
            }
        )
    )


def count_articles():
    django_setup()
    from articles.models import Article

    print(json.dumps({"articles": Article.objects.count()}))


def ensure_database(count):
    config = servers.CONFIG
    database = config.database(count)
    marker = RESULTS / f"{config.label}-{config.database_name(count) if config.database_url else ''}{count}.seeded"
    seeded = marker.exists() and json.loads(marker.read_text()).get("themes") == theme_count(count)
    if config.database_url:
        if seeded and postgres_database(config.database_url, config.database_name(count), create=False):
            return database
        postgres_database(config.database_url, config.database_name(count), create=True)
    else:
        path = RESULTS / f"newsroom-{count}.sqlite3"
        if path.exists() and seeded:
            return database
        for stale in RESULTS.glob(f"newsroom-{count}.sqlite3*"):
            stale.unlink()
    print(f"Seeding {count:,} articles into {database} …", flush=True)
    result = run_child(["_seed", str(count)], child_env(database))
    print(f"  seeded {result['articles']:,} articles in {result['seconds']} s", flush=True)
    marker.write_text(json.dumps(result))
    return database


def postgres_database(url, name, create):
    """Whether database `name` exists on the server of `url`; with `create`, a new empty one."""
    import psycopg

    server, _, _database = url.rpartition("/")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if create:
            if exists:
                connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        return bool(exists)


def prepare(count, secret_key):
    """The archive seeded and migrated, static files collected; its database."""
    large = ensure_database(count)
    for step in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        env = child_env(large, DJANGO_ENV="production", SECRET_KEY=secret_key)
        done = subprocess.run([PYTHON, "manage.py", *step], env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            sys.exit(done.stderr)
    return large


def migrate(database):
    """A database seeded before the latest migrations gets them."""
    done = subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"],
        env=child_env(database),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(done.stderr)


class Archive(NamedTuple):
    """What a section measures: the configuration, the archive's size and database, the pages."""

    config: servers.Config
    count: int
    seconds: int
    database: str
    secret_key: str
    targets: dict


def archives(description):
    """A section's command line: for each configuration asked for, its archive seeded and migrated,
    static files collected and the ceiling written."""
    options = servers.parser(description).parse_args()
    count, seconds = servers.sizes(options)
    for config in servers.each_config(options.only):
        secret_key = secrets.token_urlsafe(50)
        database = prepare(count, secret_key)
        targets, _page = servers.ceiling(database, secret_key)
        yield Archive(config, count, seconds, database, secret_key, targets)


def main():
    options = servers.parser(__doc__.split("\n\n")[0]).parse_args()
    count, _seconds = servers.sizes(options)
    for _config in servers.each_config(options.only):
        for size in (count, 1_000):
            migrate(ensure_database(size))


if __name__ == "__main__":
    main()
