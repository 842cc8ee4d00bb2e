"""How fast are theme suggestions (and the duplicate check beside them) at 100,000 articles?

Seeds a throw-away SQLite database (embedded default, no network) with ARTICLES
articles spread over THEMES themes, then times: building the theme model from
scratch (a cache miss, once per MODEL_MAX_AGE), one suggestion with the model
cached (what an editor waits for on every pause in typing: reading the model from
the cache included), the duplicate check over the 72-hour window, and working out
one article's related stories (an admin save of a theme-less article).

Each theme favours a handful of words, as a running story does; the other words
come from a general vocabulary of VOCABULARY words drawn as in real text (Zipf: the
k-th commonest word is k times rarer than the commonest), so the model is as large
as a real newsroom's.

    .venv/bin/python bench/theme_suggestions.py [--articles 100000] [--themes 50] [--vocabulary 20000]

The result is recorded in bench/README_themes.md.
"""

import argparse
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = (  # noqa: SIM905
    "harbour bridge ferry council budget truce ceasefire envoy shelling monitors tariff steel dairy export "
    "drought reservoir rain hosepipe farmer cattle teacher strike union pay school exam mayor election poll "
    "voter candidate debate housing rent tram bus rail station flood storm coast lighthouse museum trail "
    "hospital nurse doctor ward patient clinic court judge trial verdict police arrest festival music film "
    "stadium match league coach player fishing quota trawler port wind turbine solar grid price inflation"
).split()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--themes", type=int, default=50)
    parser.add_argument("--suggestions", type=int, default=200)
    parser.add_argument("--vocabulary", type=int, default=20_000, help="general words (0: only the 80 below)")
    options = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="bench-themes-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.utils import timezone

    from articles.models import Article, Status, system_gate
    from similarity.duplicates import find_duplicates
    from similarity.related import related_ids_for
    from similarity.suggestions import MODEL_CACHE_KEY, ThemeModel, suggest_themes, theme_model
    from themes.models import Theme

    call_command("migrate", verbosity=0)
    rng = random.Random(9)
    themes = Theme.objects.bulk_create(
        Theme(name=f"Theme {n}", slug=f"theme-{n}", is_active=True) for n in range(options.themes)
    )
    # Each theme favours its own handful of words, as a running story does.
    favourites = {theme.pk: rng.sample(WORDS, 6) for theme in themes}
    syllables = ["".join(pair) for pair in itertools.product("bcdfglmnprstv", "aeiou")]
    general = WORDS + [
        "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(options.vocabulary)
    ]
    zipf = list(itertools.accumulate(1 / rank for rank in range(1, len(general) + 1)))

    def text(theme, length):
        own = favourites[theme.pk]
        common = iter(rng.choices(general, cum_weights=zipf, k=length))
        return " ".join(rng.choice(own) if rng.random() < 0.5 else next(common) for _ in range(length))

    now = timezone.now()
    started = time.perf_counter()
    batch = []
    for n in range(options.articles):
        theme = themes[n % len(themes)]
        batch.append(
            Article(
                headline=text(theme, 8).capitalize(),
                slug=f"bench-{n}",
                standfirst=text(theme, 25),
                body=text(theme, 300),
                body_html="",
                status=Status.APPROVED,
                publish_at=now - timedelta(minutes=7 * (options.articles - n)),
                theme=theme,
            )
        )
        if len(batch) == 5000:
            with system_gate():
                Article.objects.bulk_create(batch)
            batch = []
    with system_gate():
        Article.objects.bulk_create(batch)
    print(f"seeded {options.articles} articles in {options.themes} themes in {time.perf_counter() - started:.0f} s")

    started = time.perf_counter()
    ThemeModel.build()
    build = time.perf_counter() - started
    theme_model()  # into the cache, as the first request after expiry does

    drafts = [(theme, text(theme, 8), text(theme, 25), text(theme, 300)) for theme in rng.choices(themes, k=50)]
    timings, right = [], 0
    for i in range(options.suggestions):
        theme, headline, standfirst, body = drafts[i % len(drafts)]
        started = time.perf_counter()
        found = suggest_themes(headline=headline, standfirst=standfirst, body=body)
        timings.append((time.perf_counter() - started) * 1000)
        right += bool(found) and found[0]["id"] == theme.pk
    duplicate_timings = []
    for _theme, headline, standfirst, _body in drafts[:20]:
        started = time.perf_counter()
        find_duplicates(headline=headline, standfirst=standfirst)
        duplicate_timings.append((time.perf_counter() - started) * 1000)
    recent = Article.objects.filter(publish_at__gte=now - timedelta(hours=72)).count()
    related_timings = []
    for article in Article.objects.order_by("-pk")[:20]:
        started = time.perf_counter()
        related_ids_for(article)
        related_timings.append((time.perf_counter() - started) * 1000)
    model = cache.get(MODEL_CACHE_KEY)
    words = len(model.vectoriser.idf)
    weights = sum(len(indexes) for indexes, _weights in model.postings.values())

    def summary(values):
        values = sorted(values)
        return f"median {statistics.median(values):.1f} ms, p95 {values[int(len(values) * 0.95) - 1]:.1f} ms"

    print(f"model build (cache miss): {build * 1000:.0f} ms")
    print(f"suggestion, model cached: {summary(timings)} over {len(timings)}; top-1 right {right / len(timings):.0%}")
    print(f"model: {words} words, {weights} centroid weights")
    print(f"duplicate check over {recent} articles in the last 72 h: {summary(duplicate_timings)}")
    print(f"related stories of one article (pool of the 500 newest): {summary(related_timings)}")
    with open("/proc/self/status") as status:
        print(next(line for line in status if line.startswith("VmRSS")).strip(), "(this process, at the end)")


if __name__ == "__main__":
    main()
