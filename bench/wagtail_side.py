"""Newsroom and Wagtail side by side: the same articles, the same wrk settings, one interleaved run.

    .venv/bin/python -m bench.wagtail_side [--quick | --articles N] [--seconds S]

Opt-in (never in CI or `make test`): builds a Wagtail site in its own virtualenv under
bench/results/ (the latest Wagtail and gunicorn from PyPI, `wagtail start`, production settings,
SQLite), seeds it with the live articles of the newsroom bench database of N articles (the same
headlines, standfirsts and bodies, one Wagtail page per theme holding its articles), each article
page listing its 20 newest siblings ("More on theme"), the home page the 20 newest stories and each
active theme's 4 newest headlines, every page a menu of the active themes; and a plain view,
`/robots.txt`. Both are served by gunicorn with 2 sync workers; the Newsroom three times, with
nothing kept (`NEWSROOM_PAGE_CACHE=off`), with fragments kept (`=fragments`) and, for `/robots.txt`,
as in production (the page cache on: a plain address is kept and answered before sessions and
CSRF). wrk `-t2 -c16` on every page in turn, ROUNDS times, medians kept, and the ratios issue 26
names printed with its targets. The static file (the article page's bytes through WhiteNoise) is
measured in the same rounds.
"""

import json
import os
import secrets
import sqlite3
import statistics
import subprocess
import sys
from pathlib import Path

VENV = Path(__file__).resolve().parent / "results" / "wagtail-venv"
SITE = Path(__file__).resolve().parent / "results" / "wagtail-site"

# The Wagtail site's own files, written over what `wagtail start` made: plain Wagtail, as its docs teach.
MODELS = """from django.db import models
from wagtail.fields import RichTextField
from wagtail.models import Page


def navigation():
    return ThemePage.objects.live().in_menu()


class HomePage(Page):
    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["nav"] = navigation()
        context["latest"] = ArticlePage.objects.live().order_by("-first_published_at")[:20]
        context["themes"] = [
            (theme, ArticlePage.objects.child_of(theme).live().order_by("-first_published_at")[:4])
            for theme in ThemePage.objects.live().filter(active=True)
        ]
        return context


class ThemePage(Page):
    intro = models.TextField(blank=True)
    active = models.BooleanField(default=False)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["nav"] = navigation()
        context["articles"] = ArticlePage.objects.child_of(self).live().order_by("-first_published_at")[:20]
        return context


class ArticlePage(Page):
    standfirst = models.TextField(blank=True)
    body = RichTextField(blank=True)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["nav"] = navigation()
        context["theme"] = self.get_parent()
        context["more"] = (
            ArticlePage.objects.sibling_of(self, inclusive=False).live().order_by("-first_published_at")[:20]
        )
        return context
"""
VIEWS = """from django.http import HttpResponse


def robots(request):
    return HttpResponse("User-agent: *\\nDisallow: /admin/\\n", content_type="text/plain")
"""
NAV = """{% load wagtailcore_tags %}<header><a href="/">Home</a><nav><ul>
{% for item in nav %}<li><a href="{% pageurl item %}">{{ item.title }}</a></li>{% endfor %}
</ul></nav></header>"""
HOME = """{% extends "base.html" %}{% load wagtailcore_tags %}
{% block content %}{% include "home/nav.html" %}<main><h1>Latest</h1>
{% for article in latest %}<article><h2><a href="{% pageurl article %}">{{ article.title }}</a></h2>
<p>{{ article.standfirst }}</p><time>{{ article.first_published_at|date:"j F Y, H:i" }}</time></article>{% endfor %}
{% for theme, headlines in themes %}<section><h2><a href="{% pageurl theme %}">{{ theme.title }}</a></h2><ul>
{% for article in headlines %}<li><a href="{% pageurl article %}">{{ article.title }}</a></li>{% endfor %}
</ul></section>{% endfor %}</main>{% endblock %}
"""
THEME = """{% extends "base.html" %}{% load wagtailcore_tags %}
{% block content %}{% include "home/nav.html" %}<main><h1>{{ page.title }}</h1><p>{{ page.intro }}</p>
{% for article in articles %}<article><h2><a href="{% pageurl article %}">{{ article.title }}</a></h2>
<p>{{ article.standfirst }}</p></article>{% endfor %}</main>{% endblock %}
"""
ARTICLE = """{% extends "base.html" %}{% load wagtailcore_tags %}
{% block content %}{% include "home/nav.html" %}<main><article><h1>{{ page.title }}</h1>
<p class="standfirst">{{ page.standfirst }}</p>
<p><a href="{% pageurl theme %}">{{ theme.title }}</a> ·
<time>{{ page.first_published_at|date:"j F Y, H:i" }}</time></p>
{{ page.body|richtext }}</article>
<aside><h2>More on {{ theme.title }}</h2><ul>
{% for article in more %}<li><a href="{% pageurl article %}">{{ article.title }}</a>
<time>{{ article.first_published_at|date:"j M Y" }}</time></li>{% endfor %}
</ul></aside></main>{% endblock %}
"""


def wagtail_env():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "PYTHONPATH"}}
    return {**env, "DJANGO_SETTINGS_MODULE": "benchsite.settings.production", "PYTHONPATH": str(SITE)}


def in_site(*command):
    """A command of the Wagtail site's virtualenv, run in the site."""
    done = subprocess.run(command, cwd=SITE, env=wagtail_env(), capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"wagtail_side: {' '.join(map(str, command))} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    return done.stdout


def build(source):
    """The virtualenv and the site (once), then the site seeded from `source` (again when it changed)."""
    from bench.servers import PYTHON

    if not (VENV / "bin" / "wagtail").exists():
        subprocess.run([PYTHON, "-m", "venv", "--clear", str(VENV)], check=True)
        subprocess.run([VENV / "bin" / "pip", "install", "--quiet", "wagtail", "gunicorn"], check=True)
    python = VENV / "bin" / "python"
    if not (SITE / "manage.py").exists():
        SITE.mkdir(parents=True)
        subprocess.run([VENV / "bin" / "wagtail", "start", "benchsite", str(SITE)], check=True, capture_output=True)
        (SITE / "home" / "models.py").write_text(MODELS)
        (SITE / "home" / "views.py").write_text(VIEWS)
        templates = SITE / "home" / "templates" / "home"
        for name, text in (("nav", NAV), ("home_page", HOME), ("theme_page", THEME), ("article_page", ARTICLE)):
            (templates / f"{name}.html").write_text(text)
        urls = SITE / "benchsite" / "urls.py"
        urls.write_text(
            urls.read_text()
            .replace("from search import views", "from home.views import robots\nfrom search import views")
            .replace('    path("search/"', '    path("robots.txt", robots),\n    path("search/"')
        )
        (SITE / "benchsite" / "settings" / "local.py").write_text(
            f"SECRET_KEY = {secrets.token_urlsafe(50)!r}\nALLOWED_HOSTS = ['127.0.0.1']\n"
        )
        in_site(python, "manage.py", "makemigrations", "home")
        in_site(python, "manage.py", "migrate", "--noinput")
        in_site(python, "manage.py", "collectstatic", "--noinput")
    marker = SITE / "seeded.json"
    stamp = {"source": str(source), "modified": source.stat().st_mtime}
    if not marker.exists() or json.loads(marker.read_text()).get("stamp") != stamp:
        (SITE / "db.sqlite3").unlink(missing_ok=True)
        in_site(python, "manage.py", "migrate", "--noinput")
        seeded = json.loads(in_site(python, __file__, "_seed", str(source)).strip().splitlines()[-1])
        marker.write_text(json.dumps({"stamp": stamp, **seeded}))
    return json.loads(marker.read_text())


def seed(source):
    """In the Wagtail site's virtualenv: its pages made from the newsroom database's live articles.
    One page per theme under the home page, its articles under it in the tree (treebeard paths
    written directly: 10,000 `add_child` calls would take minutes and index each page for search)."""
    sys.path[0] = str(SITE)  # the site's apps (home, search), not bench/'s modules
    import django

    django.setup()
    from datetime import UTC, datetime

    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from home.models import ArticlePage, HomePage, ThemePage
    from wagtail.models import Page

    newsroom = sqlite3.connect(source)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    themes = newsroom.execute("SELECT id, name, slug, description, is_active FROM themes_theme ORDER BY position, id")
    articles = newsroom.execute(
        "SELECT headline, slug, standfirst, body_html, theme_id, publish_at FROM articles_article"
        " WHERE status = 'APPROVED' AND publish_at <= ? AND (expire_at IS NULL OR expire_at > ?)"
        " AND deleted_at IS NULL AND theme_id IS NOT NULL ORDER BY publish_at, id",
        [now, now],
    ).fetchall()
    home = HomePage.objects.get()
    content_type = ContentType.objects.get_for_model(ArticlePage)
    with transaction.atomic():
        parents = {}
        for theme_id, name, slug, description, active in themes.fetchall():
            theme = ThemePage(title=name, slug=slug, intro=description, active=bool(active), show_in_menus=bool(active))
            parents[theme_id] = home.add_child(instance=theme)
        children = {theme_id: [] for theme_id in parents}
        for row in articles:
            children[row[4]].append(row)
        for theme_id, rows in children.items():
            parent = parents[theme_id]
            pages = []
            for step, (headline, slug, _standfirst, _body, _theme, publish_at) in enumerate(rows, 1):
                moment = datetime.fromisoformat(publish_at).replace(tzinfo=UTC)
                pages.append(
                    Page(
                        title=headline,
                        draft_title=headline,
                        slug=slug,
                        content_type=content_type,
                        live=True,
                        path=Page._get_path(parent.path, parent.depth + 1, step),
                        depth=parent.depth + 1,
                        numchild=0,
                        url_path=f"{parent.url_path}{slug}/",
                        first_published_at=moment,
                        last_published_at=moment,
                        locale_id=parent.locale_id,
                    )
                )
            created = Page.objects.bulk_create(pages)
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO home_articlepage (page_ptr_id, standfirst, body) VALUES (%s, %s, %s)",
                    [(page.pk, row[2], row[3]) for page, row in zip(created, rows, strict=True)],
                )
            Page.objects.filter(pk=parent.pk).update(numchild=len(rows))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as the newsroom's `migrate` does: the planner's statistics
    print(json.dumps({"articles": ArticlePage.objects.count(), "themes": ThemePage.objects.count()}))


def wagtail_url(slug):
    """The Wagtail address of the article the newsroom keeps at …/<slug>/."""
    with sqlite3.connect(SITE / "db.sqlite3") as db:
        query = "SELECT url_path FROM wagtailcore_page WHERE slug = ? AND depth = 4"
        (url_path,) = db.execute(query, [slug]).fetchone()
    return url_path.removeprefix("/home")


def side_by_side(count, seconds):
    """Every page ROUNDS times in turn, interleaved; the medians, their ratios, the targets."""
    from bench import servers
    from bench.seed import prepare
    from bench.servers import RESULTS, ROUNDS, STATIC_PAGE, Server, wrk

    class WagtailServer(Server):
        def __init__(self):
            self.port = servers.free_port()
            self.base = f"http://127.0.0.1:{self.port}"
            self.start(str(VENV / "bin" / "gunicorn"), "benchsite.wsgi", wagtail_env(), SITE)

    secret_key = secrets.token_urlsafe(50)
    large = prepare(count, secret_key)
    targets, _page = servers.ceiling(large, secret_key)
    seeded = build(RESULTS / f"newsroom-{count}.sqlite3")
    print(f"Wagtail site: {seeded['articles']:,} articles, {seeded['themes']} themes", flush=True)
    article = targets["article"]
    wagtail, off, fragments = WagtailServer(), Server(large, secret_key, "off"), Server(large, secret_key, "fragments")
    cached = Server(large, secret_key)  # as in production: a plain address is kept like a page
    pages = {
        "static file": (fragments, STATIC_PAGE),
        "wagtail article": (wagtail, wagtail_url(article.rstrip("/").rsplit("/", 1)[-1])),
        "wagtail home": (wagtail, "/"),
        "wagtail plain view": (wagtail, "/robots.txt"),
        "newsroom article, nothing kept": (off, article),
        "newsroom home, nothing kept": (off, "/"),
        "newsroom article, fragments kept": (fragments, article),
        "newsroom home, fragments kept": (fragments, "/"),
        "newsroom /robots.txt, page cache on": (cached, "/robots.txt"),
        "newsroom /robots.txt, nothing kept": (off, "/robots.txt"),
    }
    report = {"articles": count, "wagtail": seeded, "seconds": seconds, "load_average_before": os.getloadavg()}
    try:
        sizes = {}
        for label, (server, path) in pages.items():
            status, body, _ = server.get(path)  # warm, and the page must be there
            if status != 200:
                sys.exit(f"wagtail_side: {label} {path} answered {status}")
            sizes[label] = len(body)
        rates = {label: [] for label in pages}
        for _ in range(ROUNDS):
            for label, (server, path) in pages.items():
                rates[label].append(wrk(server.base + path, seconds)["rps"])
                print(f"  {label:36} {rates[label][-1]:8.0f} req/s", flush=True)
    finally:
        for server in (wagtail, off, fragments, cached):
            server.stop()
    report["load_average_after"] = os.getloadavg()
    report["pages"] = {
        label: {"path": pages[label][1], "bytes": sizes[label], "rps": runs, "median": statistics.median(runs)}
        for label, runs in rates.items()
    }
    (RESULTS / "wagtail_side.json").write_text(json.dumps(report, indent=2))
    print_side_by_side(report)


TARGETS = (  # issue 26, item 3: (what, over what, at least)
    ("newsroom article, nothing kept", "wagtail article", 2.5),
    ("newsroom home, nothing kept", "wagtail home", 1.0),
    ("newsroom /robots.txt, page cache on", "wagtail plain view", 0.9),
    ("newsroom article, fragments kept", "wagtail article", 8.0),
    ("newsroom home, fragments kept", "wagtail home", 3.5),
)


def print_side_by_side(report):
    pages = report["pages"]
    static = pages["static file"]["median"]
    load = ", ".join(f"{report[k][0]:.1f}" for k in ("load_average_before", "load_average_after"))
    print(f"\n{report['articles']:,} articles, wrk -t2 -c16 -d{report['seconds']}s, load average before/after {load}")
    print(f"{'page':36} {'bytes':>7} {'req/s (median; runs)':>30} {'of static':>10}")
    for label, page in pages.items():
        runs = " / ".join(f"{rps:.0f}" for rps in page["rps"])
        print(f"{label:36} {page['bytes']:7,} {page['median']:8.0f} ({runs:>19}) {page['median'] / static:9.1%}")
    print()
    for ours, theirs, target in TARGETS:
        ratio = pages[ours]["median"] / pages[theirs]["median"]
        print(f"  [{'ok' if ratio >= target else 'MISS'}] {ours} / {theirs}: {ratio:.2f}x (target {target}x)")


def main():
    sys.path[0] = str(Path(__file__).resolve().parent.parent)
    from bench import servers

    options = servers.parser(__doc__.split("\n\n")[0]).parse_args()
    count, seconds = servers.sizes(options)
    side_by_side(count, seconds)


if __name__ == "__main__":
    if sys.argv[1:2] == ["_seed"]:
        seed(Path(sys.argv[2]))
    else:
        main()
