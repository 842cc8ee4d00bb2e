from django.db import models


class PendingPurge(models.Model):
    """Keys whose invalidation failed (the shared cache did not answer, or the key versions
    could not be written), retried by `publish_scheduled` until it works."""

    keys = models.JSONField()
    target = models.CharField(max_length=8, choices=[("local", "Key versions"), ("shared", "Shared cache")])
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=1)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"{len(self.keys)} keys to purge ({self.target})"
