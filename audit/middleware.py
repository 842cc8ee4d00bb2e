from .context import handling


class AuditActorMiddleware:
    """Makes the request (and so its user and address) known to audit signal handlers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with handling(request):
            return self.get_response(request)
