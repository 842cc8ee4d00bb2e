from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: the log is evidence."""

    list_display = ["at", "actor_name", "action", "target_type", "target_name", "ip_address"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_name", "target_name", "ip_address"]
    date_hierarchy = "at"
    list_select_related = ["target_type"]
    fields = ["at", "actor", "actor_name", "action", "target_type", "target_id", "target_name", "detail", "ip_address"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
