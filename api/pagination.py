from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

MAX_PAGE_SIZE = 100


def page_size_from(request, default):
    raw = request.query_params.get("page_size")
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise ValidationError({"page_size": f"A whole number from 1 to {MAX_PAGE_SIZE}."})
    return int(raw)


class CheckedPagination:
    """A page size out of range, or a page or cursor we did not make, is a 400 saying so
    (DRF clamps the one silently and answers 404 to the other)."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    invalid = ("page", "There is no such page.")

    def get_page_size(self, request):
        return page_size_from(request, self.page_size)

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (NotFound, DjangoValidationError, ValueError, OverflowError):
            # DjangoValidationError and the others: a well-encoded cursor whose position is not a time.
            field, message = self.invalid
            raise ValidationError({field: message}) from None


class ArticleCursorPagination(CheckedPagination, CursorPagination):
    """Newest first; a cursor stays right while articles are published (unlike page numbers)."""

    ordering = ("-publish_at", "-id")
    page_size = 20
    invalid = ("cursor", "This cursor is not valid: use the `next` or `previous` link as given.")


class NamePagination(CheckedPagination, PageNumberPagination):
    page_size = 50
