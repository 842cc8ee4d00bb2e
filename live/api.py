"""Live entries in the content API (mounted by api/urls.py): readers list a live article's
public entries; staff with an API key list every entry and post new ones through the door
(live/door.py), with the same key and Idempotency-Key rules as articles (api/staff.py)."""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from api.pagination import NamePagination
from api.parameters import check_time
from api.serializers import CanonicalUrl
from api.staff import IDEMPOTENCY_HEADER, Conflict, StaffMixin, desk_articles
from api.staff_serializers import RejectUnknownFieldsMixin
from api.views import PublicMixin
from articles.body import render_body
from articles.models import Article
from articles.text import plain_text
from images.pictures import with_inline_images
from pagecache.keys import shows
from pagecache.surrogates import article_key

from .cache import coverage_key
from .door import EntryRefused, post_entry
from .models import Entry, EntryIdempotencyKey
from .permissions import entry_policy


class EntryPagination(NamePagination):
    page_size = 20


class EntrySerializer(serializers.ModelSerializer):
    url = CanonicalUrl()
    title = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    authors = serializers.SerializerMethodField()

    class Meta:
        model = Entry
        fields = ["id", "url", "title", "key_event", "pinned", "publish_at", "updated_at", "body_html", "authors"]

    def get_title(self, entry) -> str:
        return plain_text(entry.title)

    def get_body_html(self, entry) -> str:
        return str(with_inline_images(entry.body_html))

    def get_authors(self, entry) -> list[str]:
        return [author.name for author in entry.authors.all()]


class StaffEntrySerializer(EntrySerializer):
    class Meta(EntrySerializer.Meta):
        fields = [*EntrySerializer.Meta.fields, "status", "body", "version"]


class EntryWriteSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    body = serializers.CharField(max_length=100_000, help_text="Markdown, as an article's body.")
    title = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    key_event = serializers.BooleanField(required=False, default=False)
    pinned = serializers.BooleanField(required=False, default=False)
    publish_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="When readers see it; empty: now."
    )

    def validate_publish_at(self, value):
        return check_time(value) if value is not None else None


def live_coverage(queryset, pk):
    return get_object_or_404(queryset.filter(coverage_start__isnull=False), pk=pk)


class EntryListView(PublicMixin, generics.ListAPIView):
    """A live article's public entries, newest first (pages of 20)."""

    serializer_class = EntrySerializer
    pagination_class = EntryPagination

    def get_queryset(self):
        shows(coverage_key(self.kwargs["pk"]), article_key(self.kwargs["pk"]))
        article = live_coverage(Article.objects.live(), self.kwargs["pk"])
        return (
            Entry.objects.published().filter(article=article).prefetch_related("authors").order_by("-publish_at", "-id")
        )


class StaffEntryListView(StaffMixin, generics.ListCreateAPIView):
    """The entries of a live coverage article you may read (all of them if you may publish; else
    the public ones and your own); POST adds one through
    the door: published at once (or at `publish_at`) if you may publish, else submitted for review."""

    pagination_class = EntryPagination
    parser_classes = [JSONParser]
    conflict_methods = {"POST"}

    def get_serializer_class(self):
        return EntryWriteSerializer if self.request.method == "POST" else StaffEntrySerializer

    def article(self):
        return live_coverage(desk_articles(self.request.user), self.kwargs["pk"])

    def get_queryset(self):
        entries = entry_policy.entries_visible_to(self.request.user, Entry.objects.filter(article=self.article()))
        return entries.prefetch_related("authors").order_by("-publish_at", "-id")

    @extend_schema(request=EntryWriteSerializer, responses={201: StaffEntrySerializer}, parameters=[IDEMPOTENCY_HEADER])
    def post(self, request, pk):
        article = self.article()
        if not entry_policy.may_write(request.user, article):
            raise PermissionDenied("Your account may not add entries to this article.")
        key = request.headers.get("Idempotency-Key")
        if key is not None and not (1 <= len(key) <= 255 and key.isprintable()):
            raise ValidationError({"Idempotency-Key": "1 to 255 printable characters."})
        serializer = EntryWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fingerprint = hashlib.sha256(json.dumps([pk, request.data], sort_keys=True, default=str).encode()).hexdigest()
        if key and (replay := self.replay(key, fingerprint)):
            return replay
        render_body(serializer.validated_data["body"])  # before the transaction, which finds it rendered
        try:
            with transaction.atomic():
                entry = post_entry(article, user=request.user, **serializer.validated_data)
                if key:
                    EntryIdempotencyKey.objects.create(
                        user=request.user, key=key, request_hash=fingerprint, entry=entry
                    )
        except EntryRefused as refused:
            raise ValidationError({"entry": str(refused)}) from None
        except IntegrityError:
            if key and (replay := self.replay(key, fingerprint)):
                return replay
            raise
        return Response(self.represent(entry), status=status.HTTP_201_CREATED)

    def replay(self, key, fingerprint):
        earlier = EntryIdempotencyKey.objects.filter(user=self.request.user, key=key).select_related("entry").first()
        if earlier is None:
            return None
        if earlier.request_hash != fingerprint:
            raise Conflict("This Idempotency-Key was used for a different request: use a new key for a new entry.")
        response = Response(self.represent(earlier.entry), status=status.HTTP_201_CREATED)
        response["Idempotent-Replayed"] = "true"
        return response

    def represent(self, entry):
        entry = Entry.objects.prefetch_related("authors").get(pk=entry.pk)
        return StaffEntrySerializer(entry, context={"request": self.request}).data
