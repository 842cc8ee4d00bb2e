"""Registers the desk's ModelAdmins (admin autodiscovery imports this module)."""

from . import options  # noqa: F401
