"""gunicorn settings for the bench: plain sync workers and no access log, as in the issue's
reference figures. The repository's gunicorn.conf.py (threads, access log) is for production."""

worker_class = "sync"
accesslog = None
