from django.contrib import admin, messages
from django.template.response import TemplateResponse

import audit

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Staff make keys for themselves (superusers for anyone) and revoke them; a key is shown
    once, when made, and every creation and revocation goes to the audit log. Tokens are
    never deleted, so the log keeps pointing at them."""

    list_display = ["name", "user", "key_prefix", "created_at", "last_used_at", "is_active"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__username", "key_prefix"]
    actions = ["revoke"]
    fields = ["user", "name"]
    readonly_fields = ["created_by", "created_at", "last_used_at", "revoked_at", "revoked_by", "key_prefix"]

    @admin.display(boolean=True, description="Active")
    def is_active(self, token):
        return token.is_active

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and (
            obj is None or request.user.is_superuser or obj.user_id == request.user.pk
        )

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else ["user", "name", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["user", "name", *self.readonly_fields]

    def get_queryset(self, request):
        tokens = super().get_queryset(request).select_related("user")
        return tokens if request.user.is_superuser else tokens.filter(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = db_field.related_model.objects.filter(pk=request.user.pk)
            kwargs["initial"] = request.user.pk
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.empty_label = "—"  # a required list must open with an empty choice (valid HTML)
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        key = obj.new_key()
        obj.created_by = request.user
        obj.save()
        obj.key = key  # for response_add, which shows it once; never stored
        audit.record(request.user, "api_token.create", obj, {"user": obj.user.get_username(), "name": obj.name})

    def response_add(self, request, obj, post_url_continue=None):
        response = TemplateResponse(
            request,
            "admin/api/apitoken/key_created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "token": obj,
                "key": obj.key,
                "title": "Copy the new API key",
            },
        )
        response["Cache-Control"] = "no-store"  # the key must not linger in any cache
        return response

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoke(by=request.user)
            audit.record(
                request.user, "api_token.revoke", token, {"user": token.user.get_username(), "name": token.name}
            )
            revoked += 1
        self.message_user(request, f"{revoked} token(s) revoked: they stop working now.", messages.SUCCESS)
