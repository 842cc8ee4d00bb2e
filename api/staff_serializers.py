"""What staff send and get back on the write endpoints. Workflow fields (status, publish_at,
expire_at) are not fields here: they change only through the steps endpoint."""

from rest_framework import serializers

from articles.models import WORKFLOW, Article, Author
from articles.permissions import article_policy
from images.models import Image
from themes.models import Theme

from .parameters import OUT_OF_RANGE, TIME_BOUNDS, check_time
from .serializers import ArticleDetailSerializer

# Sent in an article write, these get a message that says where they do change.
WORKFLOW_FIELDS = {"status", "publish_at", "expire_at", "deleted_at", "updated_at", "withdrawn_reason"}


class RejectUnknownFieldsMixin:
    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = set(data.keys()) - set(self.fields)
            if unknown & WORKFLOW_FIELDS:
                raise serializers.ValidationError(
                    {
                        field: "The workflow decides this: request a step at /api/v1/staff/articles/{id}/steps/."
                        for field in sorted(unknown & WORKFLOW_FIELDS)
                    }
                )
            if unknown:
                raise serializers.ValidationError({field: "Unknown field." for field in sorted(unknown)})
        return super().to_internal_value(data)


class SlugOf(serializers.SlugRelatedField):
    """The slug of an existing row. One holding a NUL is not one (and PostgreSQL refuses it in a
    query: a 500 before this)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", "\\0"))
        return super().to_internal_value(data)


class ArticleWriteSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    theme = SlugOf(slug_field="slug", queryset=Theme.objects.all(), allow_null=True, required=False)
    authors = SlugOf(
        slug_field="slug", queryset=Author.objects.all(), many=True, required=False, help_text="Byline order."
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=50, required=False, help_text="Tag names."
    )
    lead_image = serializers.PrimaryKeyRelatedField(queryset=Image.objects.all(), allow_null=True, required=False)
    version = serializers.IntegerField(
        required=False,
        help_text="On update: the version you last read. A stale one is refused with 409, so nothing is overwritten.",
    )

    class Meta:
        model = Article
        fields = ["headline", "deck", "standfirst", "body", "theme", "authors", "tags", "lead_image", "version"]


class StaffArticleSerializer(ArticleDetailSerializer):
    """An article as its editors see it: any state, with the workflow's view of it."""

    status = serializers.CharField()
    state = serializers.SerializerMethodField()
    version = serializers.IntegerField()
    body = serializers.SerializerMethodField(
        help_text="Markdown, as editors write it; null on someone else's live article unless you are an editor "
        "(read its `body_html`, as readers do)."
    )
    published_at = serializers.DateTimeField(source="publish_at", allow_null=True)
    in_bin = serializers.SerializerMethodField(help_text="Moved to the bin (editors restore it in the admin).")
    allowed_steps = serializers.SerializerMethodField(help_text="The workflow steps you may request now.")

    class Meta(ArticleDetailSerializer.Meta):
        fields = [*ArticleDetailSerializer.Meta.fields, "body", "status", "state", "in_bin", "version", "allowed_steps"]

    def get_body(self, article) -> str | None:
        """The source is the admin's to show: what its list shows (editors every article, writers their own)."""
        user = self.context["request"].user
        listed = article_policy.user_has_permission_for_instance(user, "list", article)
        return article.body if listed else None

    def get_state(self, article) -> str:
        return article.state().value

    def get_in_bin(self, article) -> bool:
        return article.deleted_at is not None

    def get_allowed_steps(self, article) -> list[str]:
        return [name for name in article.allowed_transitions(self.context["request"].user) if name in API_STEPS]


# The workflow's steps the table offers to the API (restoring from the bin stays in the admin).
API_STEPS = [name for name, step in WORKFLOW.items() if step.api]


class StepRequestSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=API_STEPS, help_text="A step of the workflow (GET /staff/workflow/).")
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Required by the steps whose `note` says so."
    )
    time = serializers.DateTimeField(
        required=False,
        allow_null=True,
        error_messages=OUT_OF_RANGE,
        help_text=f"For the steps with a `time`: publication (approve, reschedule) or expiry time, {TIME_BOUNDS}.",
    )

    def validate_time(self, value):
        return value if value is None else check_time(value)

    def to_internal_value(self, data):
        if hasattr(data, "keys") and set(data.keys()) - set(self.fields):
            raise serializers.ValidationError({f: "Unknown field." for f in set(data.keys()) - set(self.fields)})
        return super().to_internal_value(data)


class WorkflowStepSerializer(serializers.Serializer):
    step = serializers.CharField()
    label = serializers.CharField()
    from_statuses = serializers.ListField(child=serializers.CharField())
    to_status = serializers.CharField(allow_null=True, help_text="null: the status stays.")
    permission = serializers.CharField(help_text="Enough to take it on any article.")
    author_permission = serializers.CharField(help_text="Enough to take it on your own article.")
    note = serializers.CharField(help_text="“”, “optional” or “required”.")
    time = serializers.CharField(help_text="“”, “optional” or “required”.")


class ImageUploadSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Image
        fields = ["file", "title", "alt_text", "caption", "credit"]
        extra_kwargs = {"title": {"required": False}}
