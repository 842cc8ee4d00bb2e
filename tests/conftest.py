import os
import shutil
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from articles.models import Article, Author, Byline, Status, system_gate
from pagecache.keys import reset_process_state
from themes.models import Theme

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# made by the tests themselves are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's Chromium. Without it they are skipped, loudly,
    except in CI, where a missing browser is a failure."""
    if os.path.exists(CHROMIUM) or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: browser tests skipped (CI always runs them)")
    skipped = [item for item in items if "browser" in item.keywords]
    for item in skipped:
        item.add_marker(skip)
    if skipped:
        config.issue_config_time_warning(
            pytest.PytestWarning(f"Skipping {len(skipped)} browser tests: no Chromium at {CHROMIUM}"), stacklevel=2
        )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": shutil.which(CHROMIUM) or CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session", autouse=True)
def _own_page_cache_versions(tmp_path_factory):
    """Each test run its own key versions: runs of one checkout would otherwise share a directory."""
    from django.conf import settings

    settings.PAGE_CACHE_VERSIONS_DIR = str(tmp_path_factory.mktemp("pagecache-versions"))


@pytest.fixture(autouse=True)
def _commits_as_in_production(monkeypatch):
    """A test runs inside its test case's transaction, where Django never runs on_commit
    callbacks. In production they run when the outermost transaction commits: here, when the
    outermost block that is not the test case's own ends without an error (what would have
    committed), so that `article_changed` and the page cache's invalidation happen as they
    would. Callbacks registered outside any such block wait, as before, for a test's
    django_capture_on_commit_callbacks."""
    real_enter, real_exit = transaction.Atomic.__enter__, transaction.Atomic.__exit__

    def outermost_of_its_own(block, connection):
        return not block._from_testcase and all(b._from_testcase for b in connection.atomic_blocks)

    def enter(self):
        connection = transaction.get_connection(self.using)
        if outermost_of_its_own(self, connection):
            self._callbacks_before = len(connection.run_on_commit)
        return real_enter(self)

    def exit_and_commit(self, exc_type, exc_value, traceback):
        result = real_exit(self, exc_type, exc_value, traceback)
        connection = transaction.get_connection(self.using)
        before = getattr(self, "_callbacks_before", None)
        if before is not None and connection.atomic_blocks and outermost_of_its_own(self, connection):
            del self._callbacks_before
            committed = connection.run_on_commit[before:]
            del connection.run_on_commit[before:]
            if exc_type is None:
                for _, callback, _ in committed:
                    callback()
        return result

    monkeypatch.setattr(transaction.Atomic, "__enter__", enter)
    monkeypatch.setattr(transaction.Atomic, "__exit__", exit_and_commit)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    reset_process_state()
    clear_disk_pages()
    yield
    cache.clear()
    reset_process_state()
    clear_disk_pages()


def clear_disk_pages():
    """Each test starts with the page cache's directory empty, as cache.clear() empties Redis:
    key versions, counter, log, what pages showed and pages. (Kept, a test run's numbers would
    meet the next test's, and the next run's: the folder is named by the test database, the same
    every run, and a test that broke the store at a travelled clock restarts the counter there.)"""
    from pagecache.pages import DiskPages, DiskThenSharedPages, shared_pages
    from pagecache.versions import DirectoryStore, store

    pages = shared_pages()
    if isinstance(pages, DiskThenSharedPages):  # with Redis: the machine's disk in front of it
        pages = pages.disk
    if isinstance(pages, DiskPages):
        pages.clear()
    if isinstance(versions := store(), DirectoryStore):
        shutil.rmtree(versions.path, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is slow on purpose; tests hash with MD5 first but can still verify Argon2."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture
def media_root(settings, tmp_path):
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def away_from_new_year():
    """For tests of cached answers' lifetimes. No cached answer outlives the newsroom's New Year
    (the footer's year: pagecache.pages.next_new_year, tested on its own), so a test that expects
    a hit or a max-age would fail across it. Within an hour of it, such a test runs the day before,
    with the clock running; on any other day, at the real time."""
    local = timezone.localtime()
    if local.month == 12 and local.day == 31 and local.hour == 23:
        with time_machine.travel(timezone.now() - timedelta(days=1), tick=True):
            yield
    else:
        yield


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def make_theme(db):
    counter = iter(range(1, 10_000))

    def make(name=None, **fields):
        n = next(counter)
        name = name or f"Theme {n}"
        fields.setdefault("slug", f"theme-{n}")
        return Theme.objects.create(name=name, **fields)

    return make


@pytest.fixture
def make_author(db):
    counter = iter(range(1, 10_000))

    def make(name=None, **fields):
        n = next(counter)
        fields.setdefault("slug", f"author-{n}")
        return Author.objects.create(name=name or f"Author {n}", **fields)

    return make


@pytest.fixture
def make_article(db):
    """An article that is live since an hour ago unless told otherwise."""
    counter = iter(range(1, 100_000))

    def make(headline=None, *, status=Status.APPROVED, publish_at="an hour ago", authors=(), tags=(), **fields):
        n = next(counter)
        if publish_at == "an hour ago":
            publish_at = timezone.now() - timedelta(hours=1)
        with system_gate():
            article = Article.objects.create(
                headline=headline or f"Harbour story number {n}",
                standfirst=fields.pop("standfirst", f"What happened in story {n}."),
                body=fields.pop("body", f"Paragraph one of story {n}.\n\nParagraph two."),
                status=status,
                publish_at=publish_at,
                **fields,
            )
        for position, author in enumerate(authors):
            Byline.objects.create(article=article, author=author, position=position)
        if tags:
            article.tags.set(list(tags))
        return article

    return make


def ensure_roles():
    """The role groups come from a data migration; tests that flush the database
    (transaction=True) need them back, from the same table."""
    from articles.permissions import sync_roles

    sync_roles()


@pytest.fixture
def make_user(db):
    from django.contrib.auth.models import Group, User

    ensure_roles()

    def make(username, role=None, **fields):
        user = User.objects.create_user(username, f"{username}@newsroom.test", "pw", is_staff=True, **fields)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def writer(make_user):
    return make_user("writer", "Writers")


@pytest.fixture
def editor(make_user):
    return make_user("editor", "Editors")
