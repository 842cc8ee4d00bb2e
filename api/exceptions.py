"""One shape for every error under /api/v1/: `{"detail": …, "code": …}`, plus `fields` (each
parameter or field with its problems) on a 400.

DRF's own answers (a refused key, a bad parameter, a throttle) are reshaped by the exception
handler; what Django answers before or around a DRF view (an address that matches no route, a
body too large, a server error) goes through the site's error handlers (newsroom/errors.py),
which answer in this shape under the API (`is_api`, `error_response`)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.urls import reverse
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler


class ConflictSerializer(serializers.Serializer):
    """One thing both sides changed."""

    field = serializers.CharField(
        help_text="The field: headline, deck, standfirst, body, slug, theme, lead_image, tags."
    )
    paragraph = serializers.IntegerField(
        required=False,
        help_text="For the body: the first paragraph concerned, counted from 1 in the article as saved now.",
    )
    theirs = serializers.JSONField(help_text="What is saved now (for the body, those paragraphs; may be empty).")
    mine = serializers.JSONField(help_text="What you sent (for the body, your paragraphs in their place).")


class ErrorSerializer(serializers.Serializer):
    """What every error answer of the API carries."""

    detail = serializers.CharField(help_text="What went wrong, written for a person.")
    code = serializers.CharField(
        help_text="For programs: invalid, parse_error, not_authenticated, authentication_failed, permission_denied, "
        "not_found, method_not_allowed, conflict, unsupported_media_type, throttled, unavailable, server_error.",
    )
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="On a 400: each parameter or field that was not valid (nested ones as `tags.0`), with its problems.",
    )
    version = serializers.IntegerField(
        required=False, help_text="On a 409 for an article's content: its version as saved now, to read again."
    )
    conflicts = ConflictSerializer(
        many=True,
        required=False,
        help_text="On a 409 for an article's content: what both you and someone else changed since the version "
        "you read: each field, and the body paragraph by paragraph.",
    )


# Messages that stand for the whole request rather than one field.
GENERAL = ("detail", "non_field_errors")


def flatten(detail, prefix=""):
    """DRF's nested validation errors as {"field" or "field.0.part": [messages]}."""
    if isinstance(detail, dict):
        found = {}
        for name, value in detail.items():
            found.update(flatten(value, f"{prefix}.{name}" if prefix else str(name)))
        return found
    if isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        found = {}
        for index, value in enumerate(detail):
            found.update(flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return found
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or "detail": [str(message) for message in messages]}


def body_for_invalid(detail):
    problems = flatten(detail)
    general = [message for name in GENERAL for message in problems.pop(name, [])]
    summary = " ".join(general + [f"{name}: {' '.join(messages)}" for name, messages in problems.items()])
    return {"detail": summary or "The request is not valid.", "code": "invalid", "fields": problems}


def api_exception_handler(exc, context):
    """DRF's handler, reshaped: every error is `{"detail", "code"}` (and `fields` on a 400).
    Model validation errors (a headline with markup refused by the model's own checks) are 400s
    with their messages, never 500s."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(*(exc.args[:1] or ("Not found.",)))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args[:1])
    response = exception_handler(exc, context)
    if response is None:
        return None  # a server error: handler500 below answers it
    if isinstance(exc, exceptions.ValidationError):
        response.data = body_for_invalid(exc.detail)
    else:
        detail = exc.detail.get("detail", exc.detail) if isinstance(exc.detail, dict) else exc.detail
        code = getattr(detail, "code", None) or exc.default_code
        response.data = {
            "detail": str(detail),
            "code": "invalid" if code == "error" else code,
            **getattr(exc, "more", {}),
        }
    return response


def is_api(request):
    return request.path.startswith(reverse("api:root"))


def error_response(status, detail, code, headers=None):
    response = JsonResponse({"detail": detail, "code": code}, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    response["Cache-Control"] = "no-store"
    return response
