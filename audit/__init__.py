"""The audit log: who signed in, who failed to, who changed whose permissions, and
what happened to publication. Append-only; see `record()`."""


def record(actor, action, target=None, detail=""):
    """Write one audit entry. `actor` is a user or None (the system), `action` an
    `audit.models.Action` (or its value), `target` any model instance or None, and
    `detail` a short text or a JSON-serialisable dict. The editorial workflow calls
    this for every transition."""
    from .models import AuditEntry

    return AuditEntry.record(actor, action, target, detail)
