from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

from .parameters import QueryParameter, number

MAX_PAGE_SIZE = 100
MAX_PAGE = 1000


def page_size(default):
    return number("page_size", 1, MAX_PAGE_SIZE, f"How many per page: 1–{MAX_PAGE_SIZE}, default {default}.")


class CheckedPagination:
    """A page size out of range, or a page or cursor we did not make, is a 400 saying so
    (DRF clamps the one silently and answers 404 to the other). The parameters are declared
    once, for the document and for reading them."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    invalid = ("page", "There is no such page.")

    @classmethod
    def parameters(cls):
        return [cls.position(), page_size(cls.page_size)]

    def get_schema_operation_parameters(self, view):
        return [parameter.openapi_dict() for parameter in self.parameters()]

    def get_page_size(self, request):
        return page_size(self.page_size).read(request.query_params) or self.page_size

    def paginate_queryset(self, queryset, request, view=None):
        for parameter in self.parameters():
            parameter.read(request.query_params)
        try:
            return super().paginate_queryset(queryset, request, view)
        except (NotFound, DjangoValidationError, ValueError, OverflowError):
            # DjangoValidationError and the others: a well-encoded cursor whose position is not a time.
            field, message = self.invalid
            raise ValidationError({field: [message]}) from None


class ArticleCursorPagination(CheckedPagination, CursorPagination):
    """Newest first; a cursor stays right while articles are published (unlike page numbers)."""

    ordering = ("-publish_at", "-id")
    page_size = 20
    invalid = ("cursor", "This cursor is not valid: use the `next` or `previous` link as given.")

    @staticmethod
    def position():
        return QueryParameter(
            "cursor",
            {"type": "string", "minLength": 1, "maxLength": 200},
            "Where the page starts: follow the `next` and `previous` links as given.",
        )


class NamePagination(CheckedPagination, PageNumberPagination):
    page_size = 50
    last_page_strings = ()

    @staticmethod
    def position():
        return number("page", 1, MAX_PAGE, f"The page: 1–{MAX_PAGE} (one past the last is a 400).")
