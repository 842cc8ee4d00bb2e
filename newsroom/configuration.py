"""Turning environment values that carry several settings (URLs) into Django settings."""

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}


def email_settings(url):
    """EMAIL_* settings from `smtp://user:password@host:587` (STARTTLS on port 587 or
    with `?tls=true`) or `smtps://user:password@host:465` (implicit TLS). The user and
    password may be percent-encoded."""
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"}:
        raise ImproperlyConfigured(f"EMAIL_URL must start with smtp:// or smtps://, not {parts.scheme}://")
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL names no host.")
    query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
    implicit_tls = parts.scheme == "smtps" or query.get("ssl") in TRUE
    port = parts.port or (465 if implicit_tls else 587)
    starttls = not implicit_tls and (query.get("tls") in TRUE or (port == 587 and query.get("tls") is None))
    settings = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": starttls,
        "EMAIL_USE_SSL": implicit_tls,
        "EMAIL_TIMEOUT": int(query.get("timeout", "10")),
    }
    return settings


def s3_storage(env):
    """The STORAGES["default"] entry for S3-compatible object storage, and the host
    media is served from (for the Content-Security-Policy's img-src)."""
    options = {
        "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
        "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
        "region_name": env("AWS_S3_REGION_NAME") or None,
        "custom_domain": env("AWS_S3_CUSTOM_DOMAIN") or None,
        "location": env("AWS_LOCATION", "media"),
        # Uploads never replace one another; a second "photo.jpg" gets its own name.
        "file_overwrite": False,
        "default_acl": env("AWS_DEFAULT_ACL") or None,
        # Private buckets get signed, expiring URLs; public ones (or a CDN domain) plain URLs.
        "querystring_auth": env("AWS_QUERYSTRING_AUTH", "false").lower() in TRUE,
        # Content-Type is guessed from the name, which the image form only accepts for real
        # images; docs/production.md has the headers the CDN in front of the bucket adds.
        "object_parameters": {"CacheControl": env("AWS_S3_CACHE_CONTROL", "public, max-age=31536000, immutable")},
    }
    if options["custom_domain"]:
        host = f"https://{options['custom_domain']}"
    elif options["endpoint_url"]:
        endpoint = urlsplit(options["endpoint_url"])
        host = f"{endpoint.scheme}://{endpoint.netloc}"
    else:
        region = f".{options['region_name']}" if options["region_name"] else ""
        host = f"https://{options['bucket_name']}.s3{region}.amazonaws.com"
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}, host
