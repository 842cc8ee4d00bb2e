"""Django's error handlers (newsroom/urls.py): the site's pages, and under /api/v1/ JSON in the
API's one shape (api/exceptions.py)."""

from django.views import defaults

from api.exceptions import error_response, is_api

from . import health


def bad_request(request, exception):
    if is_api(request):
        return error_response(400, "The request could not be read (too large, or malformed).", "parse_error")
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if is_api(request):
        return error_response(403, str(exception) or "You do not have permission to do that.", "permission_denied")
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if is_api(request):
        return error_response(404, "There is nothing at this address: see /api/v1/ for what there is.", "not_found")
    return defaults.page_not_found(request, exception)


def server_error(request):
    """The site's answer (newsroom.health: a 503 with Retry-After when the server cannot write),
    as JSON under the API. An answer already in JSON is kept as it is."""
    response = health.server_error(request)
    if not is_api(request) or response.get("Content-Type", "").startswith("application/json"):
        return response
    headers = {"Retry-After": response["Retry-After"]} if response.has_header("Retry-After") else {}
    if response.status_code == 503:
        detail = "The newsroom cannot save anything just now; nothing was saved. Try again in a few minutes."
        return error_response(503, detail, "unavailable", headers)
    detail = "Something went wrong on our side; it has been logged."
    return error_response(response.status_code, detail, "server_error", headers)
