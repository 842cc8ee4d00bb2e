from django.apps import AppConfig


class OpsConfig(AppConfig):
    """What an operator runs from the command line: backup and restore, the demo newsroom, and
    the minute's scheduled chores (publish_scheduled)."""

    name = "ops"
