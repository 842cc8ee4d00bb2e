"""The API as its document says: schemathesis generates requests from /api/v1/schema/ (valid
ones and crafted ones: wrong types, out-of-range numbers, empty, huge and Unicode strings) and
sends them anonymously, with an editor's key and with a writer's key, to a newsroom with other
people's data. Every answer must be documented (status, content type, body) and none a 500.

Examples are bounded (EXAMPLES per operation and identity) so that the whole file stays under a
minute; SCHEMATHESIS_EXAMPLES raises it for a deeper run."""

import os
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import ApiToken
from articles.models import Status

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "10"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]


@pytest.fixture
def newsroom(make_user, make_author, make_theme, make_article, settings):
    """Articles in every state, with Ukrainian, Japanese and emoji text, by an editor and a writer.
    Tags stay ASCII until tag addresses carry any script (issue 23, item 1: "Київ" is a 500 there)."""
    settings.SEARCH_RATE_LIMIT = 0  # the fuzzer is one client asking as fast as it can
    editor = make_user("olena", "Editors")
    writer = make_user("kenji", "Writers")
    olena = make_author("Олена Коваль", slug="olena", user=editor)
    kenji = make_author("山田 健二", slug="kenji", user=writer)
    theme = make_theme("Порт і місто", slug="port")
    now = timezone.now()
    articles = [
        make_article("Пором знову ходить 🚢", authors=[olena], tags=["harbour", "ferry"], theme=theme),
        make_article("港の朝", authors=[kenji], status=Status.DRAFT, publish_at=None),
        make_article("Завтра", authors=[olena], publish_at=now + timedelta(days=1)),
        make_article("Знято", authors=[olena], status=Status.WITHDRAWN, withdrawn_reason="Помилка."),
        make_article("Straße gesperrt", authors=[kenji], theme=theme),
    ]
    keys = {
        "anonymous": {},
        "editor": {"Authorization": f"Bearer {ApiToken.issue(user=editor, name='Fuzzer')[1]}"},
        "writer": {"Authorization": f"Bearer {ApiToken.issue(user=writer, name='Fuzzer')[1]}"},
    }
    return {"ids": [article.pk for article in articles], "keys": keys}


bounded = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same requests on every run: a failure is reproduced by running again
    suppress_health_check=list(HealthCheck),
    database=None,
    phases=[Phase.generate],  # no shrinking: the report names each failing request as it was sent
)


@pytest.fixture
def application():
    """The WSGI application, called in the test's own transaction: like Django's test client, it
    keeps the connection open between requests (a request's end would otherwise close it)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "crafted"])
@pytest.mark.parametrize("identity", ["anonymous", "editor", "writer"])
def test_every_answer_is_documented_and_none_is_a_server_error(application, newsroom, identity, mode):
    document = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    # The in-process client does not decompress: ask for plain bodies (compression has its own tests).
    headers = {**newsroom["keys"][identity], "Accept-Encoding": "identity"}
    failures = {}
    operations = [result.ok() for result in document.get_all_operations()]
    assert len(operations) >= 14

    for operation in operations:

        @given(case=operation.as_strategy(mode))
        @bounded
        def answers_as_documented(case):
            parameter = (case.path_parameters or {}).get("id")
            if isinstance(parameter, int) and parameter % 2 == 0:  # half the time, an article that exists
                case.path_parameters["id"] = newsroom["ids"][parameter // 2 % len(newsroom["ids"])]
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            answers_as_documented()
        except Unsatisfiable:  # nothing to craft: an operation without parameters or body
            assert mode == GenerationMode.NEGATIVE and not operation.path_parameters and not operation.query
        except (Exception, BaseExceptionGroup) as failure:  # every operation is tried, all failures reported
            failures[operation.label] = "\n".join(map(str, getattr(failure, "exceptions", [failure])))
    assert not failures, "\n\n".join(f"{label}:\n{failure}" for label, failure in failures.items())
