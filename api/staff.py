"""Writes for staff and integrations (a wire feed, a mobile app), with a per-user API key.

Everything goes through the doors the admin uses: a content save keeps a revision and
refuses a stale version; a workflow step is `take_step`, whose guards decide (a
writer's key cannot approve); the steps offered come from the workflow table."""

import hashlib
import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.body import render_body
from articles.conflicts import paragraph_conflicts
from articles.door import EditConflict, save_content
from articles.models import WORKFLOW, Article, TransitionNotAllowed
from articles.permissions import article_policy
from articles.workflow import take_step
from images.models import Image
from themes.models import Theme

from . import staff_serializers as w
from .models import ApiToken, IdempotencyKey
from .pagination import NamePagination
from .serializers import ImageSerializer
from .views import ConditionalMixin


class HasApiKey(permissions.BasePermission):
    message = "Send an API key: Authorization: Bearer <key> (made in the admin under API tokens)."
    needs_key = True  # the document says 401/403 for the operations it guards

    def has_permission(self, request, view):
        return isinstance(request.auth, ApiToken)


class Conflict(APIException):
    status_code = 409
    default_code = "conflict"

    def __init__(self, detail=None, *, more=None):
        super().__init__(detail)
        self.more = more or {}  # what the answer carries beside `detail` and `code`


class StaffMixin(ConditionalMixin):
    permission_classes = [HasApiKey]
    throttle_classes = []  # a key holder is known; the anonymous limit never applies


def desk_articles(user):
    """The articles `user` may see in any state (the policy's "view", as the admin asks)."""
    articles = Article.objects.select_related("theme", "lead_image").prefetch_related("bylines__author", "tags")
    return article_policy.instances_user_has_permission_for(user, "view", within=articles)


def listed_articles(user):
    """What the admin's article list shows `user`: editors every article, writers their own."""
    return article_policy.instances_user_has_permission_for(user, "list", within=desk_articles(user))


IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 255},
    OpenApiParameter.HEADER,
    description="Any unique string (e.g. a UUID): the same key with the same body returns the article the first "
    "request created instead of making another.",
)


class StaffArticleListView(StaffMixin, generics.ListCreateAPIView):
    """Your articles (editors: all), newest edit first; POST makes a draft."""

    pagination_class = NamePagination
    parser_classes = [JSONParser]
    conflict_methods = {"POST"}

    def get_serializer_class(self):
        return w.ArticleWriteSerializer if self.request.method == "POST" else w.StaffArticleSerializer

    def get_queryset(self):
        return listed_articles(self.request.user).order_by("-modified_at", "-id")

    @extend_schema(
        request=w.ArticleWriteSerializer, responses={201: w.StaffArticleSerializer}, parameters=[IDEMPOTENCY_HEADER]
    )
    def post(self, request):
        if not request.user.has_perm("articles.add_article"):
            raise PermissionDenied("Your account may not create articles.")
        key = request.headers.get("Idempotency-Key")
        if key is not None and not (1 <= len(key) <= 255 and key.isprintable()):
            raise ValidationError({"Idempotency-Key": "1 to 255 printable characters."})
        serializer = w.ArticleWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        render_body(serializer.validated_data.get("body", ""))  # before the transaction, which finds it rendered
        fingerprint = hashlib.sha256(json.dumps(request.data, sort_keys=True, default=str).encode()).hexdigest()
        if key:
            replay = self.replay(key, fingerprint)
            if replay:
                return replay
        try:
            with transaction.atomic():
                article = Article()
                data = dict(serializer.validated_data)
                data.pop("version", None)
                if "authors" not in data and hasattr(request.user, "author"):
                    data["authors"] = [request.user.author]
                save_content(article, data, user=request.user, expected_version=None, comment="Created through the API")
                if key:
                    IdempotencyKey.objects.create(user=request.user, key=key, request_hash=fingerprint, article=article)
        except IntegrityError:
            # The same key, sent twice at once: the other request made the article.
            replay = self.replay(key, fingerprint) if key else None
            if replay:
                return replay
            raise
        return Response(self.represent(article), status=status.HTTP_201_CREATED)

    def replay(self, key, fingerprint):
        earlier = IdempotencyKey.objects.filter(user=self.request.user, key=key).select_related("article").first()
        if earlier is None:
            return None
        if earlier.request_hash != fingerprint:
            raise Conflict("This Idempotency-Key was used for a different request: use a new key for new content.")
        response = Response(self.represent(earlier.article), status=status.HTTP_201_CREATED)
        response["Idempotent-Replayed"] = "true"
        return response

    def represent(self, article):
        article = desk_articles(self.request.user).get(pk=article.pk)
        return w.StaffArticleSerializer(article, context={"request": self.request}).data


class StaffArticleDetailView(StaffMixin, generics.RetrieveUpdateAPIView):
    """One of your articles in any state. PATCH changes its content (send the `version` you read)."""

    serializer_class = w.StaffArticleSerializer
    parser_classes = [JSONParser]
    http_method_names = ["get", "patch", "head", "options"]
    conflict_methods = {"PATCH"}

    def get_queryset(self):
        return desk_articles(self.request.user)

    @extend_schema(request=w.ArticleWriteSerializer, responses=w.StaffArticleSerializer)
    def patch(self, request, pk):
        article = self.get_object()
        if not article_policy.user_has_permission_for_instance(request.user, "change", article):
            raise PermissionDenied(f"You may not edit this article while it is {article.state().label.lower()}.")
        serializer = w.ArticleWriteSerializer(article, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "version" not in serializer.validated_data:
            raise ValidationError({"version": "Send the version you last read, so that no one's edit is lost."})
        data = dict(serializer.validated_data)
        version = data.pop("version")
        try:
            save_content(article, data, user=request.user, expected_version=version, comment="Changed through the API")
        except EditConflict as conflict:
            raise Conflict(
                f"Someone saved this article after you read it (version {conflict.current.version}) and changed "
                f"{', '.join(conflict.conflicts)} too. Read it again and apply your change to that.",
                more={"version": conflict.current.version, "conflicts": named_conflicts(conflict.conflicts)},
            ) from None
        fresh = desk_articles(request.user).get(pk=article.pk)
        return Response(w.StaffArticleSerializer(fresh, context={"request": request}).data)


class StepView(StaffMixin, APIView):
    """Request a workflow step for an article; the workflow's own guards decide. The step and
    everything after it commit together or not at all. A step the gate refuses is a 403 when
    the account may not take it on this article as it is (the reason says which), a 400 naming
    `note` or `time` when what was sent is the problem (a time in the past, a missing reason)."""

    parser_classes = [JSONParser]

    @extend_schema(request=w.StepRequestSerializer, responses=w.StaffArticleSerializer)
    def post(self, request, pk):
        article = get_object_or_404(desk_articles(request.user), pk=pk)
        serializer = w.StepRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        name, note = data["step"], data.get("note", "")
        try:
            with transaction.atomic():
                take_step(article, name, user=request.user, note=note, when=data.get("time"))
                # Read back as it is now, in the bin too (a "delete" step puts it there).
                after = Article.all_objects.select_related("theme", "lead_image").get(pk=pk)
                return Response(w.StaffArticleSerializer(after, context={"request": request}).data)
        except TransitionNotAllowed as refusal:
            raise refused(article, name, note, request.user, refusal) from None


def named_conflicts(conflicts):
    """What both sides changed, as the 409 names it: each field with their value and the one
    sent, the body paragraph by paragraph (numbered in the article as saved now, from 1)."""
    named = []
    for name, conflict in conflicts.items():
        if "pieces" in conflict:
            named += [{"field": name, **clash} for clash in paragraph_conflicts(conflict["pieces"])]
        else:
            named.append(
                {
                    "field": name,
                    "theirs": api_value(name, conflict["theirs"]),
                    "mine": api_value(name, conflict["mine"]),
                }
            )
    return named


def api_value(name, value):
    """A compared value as the API writes it (a theme by its slug)."""
    if name == "theme" and value is not None:
        return Theme.objects.filter(pk=value).values_list("slug", flat=True).first()
    return value


def refused(article, name, note, user, refusal):
    """What a refusal of the gate answers: 403 if the gate refuses this account this step on
    this article whatever was sent, else 400 naming what was sent (the step's note or time)."""
    article.refresh_from_db()
    if article.refusal(name, user) is not None:
        return PermissionDenied(str(refusal))
    step = WORKFLOW[name]
    field = "note" if step.note == "required" and not note.strip() else "time" if step.time else "step"
    return ValidationError({field: [str(refusal)]})


class WorkflowView(StaffMixin, APIView):
    """The workflow's steps, as declared in its table."""

    @extend_schema(responses=w.WorkflowStepSerializer(many=True))
    def get(self, request):
        steps = [
            {
                "step": step.name,
                "label": step.label,
                "from_statuses": sorted(step.sources),
                "to_status": step.target,
                "permission": step.permission,
                "author_permission": step.author_permission,
                "note": step.note,
                "time": step.time,
            }
            for step in map(WORKFLOW.get, w.API_STEPS)
        ]
        return Response(w.WorkflowStepSerializer(steps, many=True).data)


class ImageUploadView(StaffMixin, APIView):
    """Upload a picture to the image library (multipart); renditions are made now, not when read."""

    parser_classes = [MultiPartParser]

    @extend_schema(request=w.ImageUploadSerializer, responses={201: ImageSerializer})
    def post(self, request):
        if not request.user.has_perm("images.add_image"):
            raise PermissionDenied("Your account may not upload images.")
        serializer = w.ImageUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        image = Image(**{**data, "uploaded_by": request.user})
        image.title = image.title or data["file"].name[:200]
        try:
            image.save()
        except DjangoValidationError as error:
            raise ValidationError({"file": error.messages}) from None
        return Response(ImageSerializer(image).data, status=status.HTTP_201_CREATED)
