"""The desk in Django's admin: the articles' ModelAdmins (options.py), the screens and endpoints
they add (views.py), the change form and its merge (forms.py), and who has a draft open
(presence.py). Importing the package registers the ModelAdmins (admin autodiscovery)."""

from . import options  # noqa: F401
