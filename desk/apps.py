from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The desk in Django's admin: the articles' ModelAdmins (options.py), the screens and
    endpoints they add (views.py), the change form and its merge (forms.py), and who has a draft
    open (presence.py). Its own app, above articles: the desk asks similarity, articles never do."""

    name = "desk"
    verbose_name = "Desk"
