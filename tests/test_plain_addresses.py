"""What an answer pays for the middleware it passes through: a page cache hit (robots.txt too) and
an address known not to be a public page (the admin's login) skip the work they do not need, and what is kept
between answers is what the library would have made each time."""

import pytest
from csp.constants import HEADER
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from newsroom.middleware import ContentSecurityPolicyMiddleware
from pagecache import keys


@pytest.mark.parametrize("path", ["/", "/robots.txt", "/admin/login/", "/media/originals/2028/02/29/київ.png"])
def test_the_kept_policy_is_the_one_django_csp_builds(settings, path):
    settings.SERVE_MEDIA = True
    settings.MEDIA_URL = "/media/"
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse("Привіт"))
    for _ in range(2):  # built, then kept
        request = RequestFactory().get(path)
        middleware.process_request(request)
        kept = middleware.process_response(request, HttpResponse("Привіт"))[HEADER]
        fresh_request = RequestFactory().get(path)
        middleware.process_request(fresh_request)
        built = CSPMiddleware.process_response(middleware, fresh_request, HttpResponse("Привіт"))[HEADER]
        assert kept == built
    assert ("sandbox" in kept) == path.startswith("/media/")
    assert ("'unsafe-inline'" in kept) == path.startswith(("/admin/", "/media/"))


def test_a_nonce_used_by_one_answer_is_in_its_policy_and_no_other(settings):
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse())
    request = RequestFactory().get("/")
    middleware.process_request(request)
    nonce = str(request.csp_nonce)
    assert f"'nonce-{nonce}'" in middleware.process_response(request, HttpResponse())[HEADER]
    plain = RequestFactory().get("/")
    middleware.process_request(plain)
    assert "nonce-" not in middleware.process_response(plain, HttpResponse())[HEADER]


def test_a_policy_setting_changed_is_not_answered_from_the_kept_one(settings):
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse())
    request = RequestFactory().get("/")
    middleware.process_request(request)
    assert "https://player.vimeo.com" in middleware.process_response(request, HttpResponse())[HEADER]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "frame-src": ["'none'"]}}
    request = RequestFactory().get("/")
    middleware.process_request(request)
    assert "vimeo" not in middleware.process_response(request, HttpResponse())[HEADER]


def test_an_address_known_not_to_be_a_public_page_skips_the_page_cache(client, db, monkeypatch):
    looks = []
    real = keys.schedule.due
    monkeypatch.setattr(keys.schedule, "due", lambda *args: looks.append(args) or real(*args))
    login = reverse("admin:login")
    assert client.get(login).status_code == 200  # learnt: not a public page
    looks.clear()
    for _ in range(3):
        assert client.get(login).status_code == 200
    assert looks == []
    assert client.get("/")["X-Page-Cache"] == "miss" and len(looks) == 1  # public pages still look
