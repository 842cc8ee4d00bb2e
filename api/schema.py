"""The OpenAPI document says every status an operation can answer, each error with the one
`Error` shape (api/exceptions.py). Which ones apply is read from the view, so a new endpoint
is documented as it behaves without a list to keep."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from .exceptions import ErrorSerializer

ERRORS = {
    400: "Not valid: a query parameter or a field, named in `fields`; or a body that is not JSON.",
    401: "The key sent is not valid or has been revoked (or, where a key is needed, none was sent).",
    403: "Your account may not do this (the reason is in `detail`).",
    404: "There is no such thing, or you may not see it.",
    409: "Conflict: the article changed since you read it, or the Idempotency-Key was used for another request.",
    415: "The body is not in the content type this operation reads.",
    429: "Too many requests from this client: wait the seconds in Retry-After.",
    503: "The newsroom cannot take writes just now (a read-only or full database or disk): retry after Retry-After.",
}
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."}}
BODY_METHODS = {"POST", "PUT", "PATCH"}


# Ids fit a 64-bit column; slugs are shorter than this (larger ones are a 404 anyway).
PATH_BOUNDS = {"integer": {"minimum": 1, "maximum": 2**63 - 1}, "string": {"minLength": 1, "maxLength": 200}}


class ApiSchema(AutoSchema):
    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            parameter["schema"].update(PATH_BOUNDS.get(parameter["schema"].get("type"), {}))
        return parameters

    def get_override_parameters(self):
        return [*super().get_override_parameters(), *(p.openapi() for p in getattr(self.view, "parameters", ()))]

    def error_statuses(self):
        view = self.view
        statuses = {400, 401, 503}  # unknown query parameters; a bad key on any endpoint; no writes possible
        needs_key = any(getattr(permission, "needs_key", False) for permission in view.permission_classes)
        if needs_key and self.method in BODY_METHODS:  # reads answer what the key may see; writes may refuse
            statuses.add(403)
        if "{" in self.path:
            statuses.add(404)
        if self.method in BODY_METHODS:
            statuses.add(415)
        if view.throttle_classes:
            statuses.add(429)
        if self.method in getattr(view, "conflict_methods", ()):
            statuses.add(409)
        return statuses

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.method == "GET":
            responses.setdefault("304", {"description": "Not modified: the ETag sent in If-None-Match still holds."})
        for status in sorted(self.error_statuses()):
            response = self._get_response_for_code(
                OpenApiResponse(ErrorSerializer, description=ERRORS[status]), str(status), direction=direction
            )
            if status in (429, 503):
                response["headers"] = RETRY_AFTER
            responses.setdefault(str(status), response)
        return responses
