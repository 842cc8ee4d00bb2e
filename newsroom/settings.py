"""Newsroom settings. Everything that differs between machines comes from the
environment; production differs from `make run` only by environment variables."""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# DJANGO_ENV=production switches every secure default on and makes the
# secret key mandatory; anything else is a developer's or CI machine.
PRODUCTION = env("DJANGO_ENV", "development") == "production"
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("Set SECRET_KEY: DJANGO_ENV=production has no default key.")
    SECRET_KEY = "django-insecure-development-key-never-used-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SITE_NAME = env("SITE_NAME", "The Harbour Gazette")
SITE_PUBLISHER = env("SITE_PUBLISHER", SITE_NAME)
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_DESCRIPTION = env("SITE_DESCRIPTION", "News from Port Ellery and the coast, as it happens.")
# SITE_NAME, SITE_PUBLISHER and FOLLOW_LINKS are only the first values of the site settings that
# editors change in the admin (sitesettings/). "Follow us" links: comma-separated "Label=https://url" pairs.
FOLLOW_LINKS = [tuple(part.split("=", 1)) for part in env_list("FOLLOW_LINKS", "") if "=" in part]

INSTALLED_APPS = [
    "newsroom.apps.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "taggit",
    "reversion",
    "reversion_compare",
    "newsroom",
    "themes",
    "images",
    "articles",
    "desk",
    "audit",
    "axes",
    "csp",
    "django.contrib.sitemaps",
    "search",
    "sitesettings",
    "live",
    "similarity",
    "ops",
]

MIDDLEWARE = [
    # Load-balancer probes are answered first: no host check, no HTTPS redirect, no session.
    "newsroom.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "newsroom.middleware.ContentSecurityPolicyMiddleware",
    "newsroom.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "newsroom.middleware.PrivateResponsesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "audit.middleware.AuditActorMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        # Readers' pages (newsroom/jinja2.py says why Jinja2).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "OPTIONS": {
            "environment": "newsroom.jinja2.environment",
            "context_processors": ["newsroom.context_processors.site"],
        },
    },
    {
        # The admin and its overrides in templates/admin/.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsroom.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'newsroom.sqlite3'}"),
        conn_max_age=int(env("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and the writer work at once; IMMEDIATE avoids
        # "database is locked" upgrades inside write transactions.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Passwords are judged by zxcvbn, which estimates how many guesses a password takes (repeats,
# sequences, keyboard walks, dates, common passwords and words, l33t) and says what to change.
# Score 3 of 4: "safely unguessable", ~10^10 guesses. The publication's name and its pieces are
# words it must not lean on ("harbourgazette"). zxcvbn refuses passwords over 72 characters.
PASSWORD_MINIMAL_STRENGTH = int(env("PASSWORD_MINIMAL_STRENGTH", "3"))


def _name_pieces(name):
    """ "The Harbour Gazette" → the, harbour, gazette, theharbour, harbourgazette, theharbourgazette."""
    words = re.findall(r"[^\W_]+", name.lower())
    return {"".join(words[start:end]) for start in range(len(words)) for end in range(start + 1, len(words) + 1)}


PASSWORD_EXTRA_DICTIONARY = sorted({"newsroom"} | _name_pieces(SITE_NAME) | _name_pieces(SITE_PUBLISHER))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django_zxcvbn_password_validator.ZxcvbnPasswordValidator"},
    {"NAME": "newsroom.security.OwnWordsPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", "Europe/Helsinki")
# The newsroom publishes in one language: without the translation machinery every date and label on a
# page costs a little less. Formats come from the settings below instead of the en-GB locale.
USE_I18N = False
FORMAT_MODULE_PATH = ["newsroom.formats"]  # one admin clock: every time with its zone
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", BASE_DIR / "media"))
SERVE_MEDIA = env_bool("SERVE_MEDIA", not PRODUCTION)
STORAGES = {
    "default": {"BACKEND": "newsroom.storage.AtomicFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# One machine: local memory. Several app servers: REDIS_URL, so that every
# server sees the same cached pages, invalidations and edit locks. Redis unreachable is an
# empty cache, not an error (newsroom/cache.py): each connection and command waits REDIS_TIMEOUT.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    _redis_timeout = float(env("REDIS_TIMEOUT", "1"))
    CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "newsroom"),
            "OPTIONS": {"socket_connect_timeout": _redis_timeout, "socket_timeout": _redis_timeout},
        }
    }
    # The page cache's own alias on the same Redis: short timeouts, so that a Redis that stops
    # answering costs a save half a second, not the operating system's two-minute connect timeout.
    CACHES["pages"] = {
        **CACHES["default"],
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "newsroom"}}
# Rate limits count in the shared cache, and in each process while it cannot be reached.
CACHES["counters"] = {"BACKEND": "newsroom.cache.CountersCache", "LOCATION": "default"}
# Sessions stay in the database (Django's default engine) with or without Redis: a cache outage or
# restart never signs anyone out or refuses a sign-in, and no cached copy outlives a sign-out.
# Only staff have sessions: one primary-key read per staff request.

TAGGIT_CASE_INSENSITIVE = True

# Production hardening: on with DJANGO_ENV=production, each overridable.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
if env_bool("BEHIND_PROXY", PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "newsroom@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# Public page cache (pagecache/): anonymous pages kept whole with the surrogate keys they show,
# dropped when one of those keys changes or at a schedule moment. NEWSROOM_PAGE_CACHE=off turns it off.
INSTALLED_APPS.append("pagecache")
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1, "pagecache.middleware.PageCacheMiddleware"
)
# Brotli/gzip for public pages without secrets (newsroom/compression.py says which), outside the
# page cache so that cached pages are compressed for each reader. COMPRESS_PAGES=off when a proxy
# or CDN in front compresses. Static files are compressed by collectstatic (WhiteNoise).
COMPRESS_PAGES = env_bool("COMPRESS_PAGES", True)
MIDDLEWARE.insert(
    MIDDLEWARE.index("pagecache.middleware.PageCacheMiddleware"), "newsroom.compression.PublicCompressionMiddleware"
)
# Where the page cache keeps key versions, pages and fragments: Redis when there is one, else the
# local memory (then one machine's workers share a directory, PAGE_CACHE_VERSIONS_DIR).
PAGE_CACHE_ALIAS = "pages" if "pages" in CACHES else "default"
# Kept pages carry their body in the codings readers ask for, made once (newsroom/compression.py).
PAGE_CACHE_ENCODINGS = "newsroom.compression.encodings" if COMPRESS_PAGES else ""
PAGE_CACHE_ENABLED = env("NEWSROOM_PAGE_CACHE", "on").strip().lower() not in {"off", "0", "false", "no"}
# NEWSROOM_PAGE_CACHE=fragments keeps fragments but no whole page: every request costs what a miss
# does (the bench measures uncached pages so).
PAGE_CACHE_KEEP_PAGES = env("NEWSROOM_PAGE_CACHE", "on").strip().lower() != "fragments"
PAGE_CACHE_TIMEOUT = int(env("PAGE_CACHE_TIMEOUT", "3600"))  # seconds a page is kept at most
# Kept pages and fragments belong to a release: by default the digest of the code (pagecache/release.py).
PAGE_CACHE_RELEASE = env("PAGE_CACHE_RELEASE", "")
# off: any change drops every page (whole-site invalidation), for comparison in the bench.
PAGE_CACHE_KEYED = env_bool("PAGE_CACHE_KEYED", True)
PAGE_CACHE_BROWSER_MAX_AGE = int(env("PAGE_CACHE_BROWSER_MAX_AGE", "10"))  # lists; articles always revalidate
# A shared cache the site purges (Varnish, Fastly, Cloudflare, CloudFront) may keep pages for long.
PAGE_CACHE_PURGE = env("PAGE_CACHE_PURGE").strip().lower()
PAGE_CACHE_PURGE_OPTIONS = {
    "varnish": {"urls": env_list("PAGE_CACHE_PURGE_URLS")},
    "fastly": {"service_id": env("FASTLY_SERVICE_ID"), "token": env("FASTLY_API_TOKEN")},
    "cloudflare": {"zone_id": env("CLOUDFLARE_ZONE_ID"), "token": env("CLOUDFLARE_API_TOKEN")},
    "cloudfront": {"distribution_id": env("CLOUDFRONT_DISTRIBUTION_ID")},
}.get(PAGE_CACHE_PURGE, {})
PAGE_CACHE_CDN_MAX_AGE = int(env("PAGE_CACHE_CDN_MAX_AGE", "86400" if PAGE_CACHE_PURGE else "60"))
PAGE_CACHE_STALE_WHILE_REVALIDATE = int(env("PAGE_CACHE_STALE_WHILE_REVALIDATE", "30"))
# The response header naming a page's keys for the shared cache; by default the purge backend's own
# (xkey, Surrogate-Key, Cache-Tag), none without one.
PAGE_CACHE_KEY_HEADER = env("PAGE_CACHE_KEY_HEADER")
# Seconds a server trusts its local copy of the key versions: another server's edit reaches it within
# this. With Redis, 1 (no round trip per cached page); on one machine the counter is a local file
# looked at per request (one stat), so edits show on the very next request.
PAGE_CACHE_SYNC_INTERVAL = float(env("PAGE_CACHE_SYNC_INTERVAL", "1" if REDIS_URL else "0"))
PAGE_CACHE_LOCAL_ENTRIES = int(env("PAGE_CACHE_LOCAL_ENTRIES", "2000"))  # hot pages kept in each process
# Pieces of pages kept in each process (an article's row and text, a theme's headlines): about 10 KB each; 0: none.
PAGE_CACHE_FRAGMENT_ENTRIES = int(env("PAGE_CACHE_FRAGMENT_ENTRIES", "1000"))
PAGE_CACHE_MAX_KEYS_PER_KIND = 100  # more articles than this on one page: it shows `article:*`
# Query parameters public pages read; any other (utm_*, fbclid, gclid, cache-busters) is not part of the key.
PAGE_CACHE_QUERY_PARAMETERS = {"page", "p", "q", "order", "theme"}  # pages, and the search page
# Without Redis, the processes of one machine share the key versions in this directory (default: one in
# the temporary directory per project and database). Set it when the app and commands have different
# /tmp (systemd PrivateTmp) so that both see the same one.
PAGE_CACHE_VERSIONS_DIR = env("PAGE_CACHE_VERSIONS_DIR")
# Without Redis, pages are also kept compressed on local disk in that directory (pages/), shared by
# the machine's workers: the archive's long tail stays kept without growing the workers.
PAGE_CACHE_DISK_PAGES = env_bool("PAGE_CACHE_DISK_PAGES", True)
# Megabytes those pages may take: past it the least recently read go (about 28 KB a page in its
# three codings: 4096 MB keeps about 150,000, a 100,000-article archive with its lists).
PAGE_CACHE_DISK_MAX_MB = int(env("PAGE_CACHE_DISK_MAX_MB", "4096"))
# Content apps declare when pages change by the clock alone.
PAGE_CACHE_SCHEDULES = ["articles.cache.schedule", "themes.cache.schedule", "live.cache.schedule"]

# --- Production services and security layers -------------------------------------------------
# Everything below reads the environment too; docs/production.md lists the variables.

# Mail: EMAIL_URL=smtp://user:password@host:587 (STARTTLS) or smtps://…:465 (TLS).
EMAIL_URL = env("EMAIL_URL")
if EMAIL_URL:
    from newsroom.configuration import email_settings

    globals().update(email_settings(EMAIL_URL))
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
ADMINS = [("Newsroom administrators", address) for address in env_list("ADMIN_EMAILS")]

# Media on S3-compatible object storage (AWS, MinIO, R2, …) when a bucket is named.
# Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, read by boto3 itself.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
MEDIA_HOST = ""
if AWS_STORAGE_BUCKET_NAME:
    from newsroom.configuration import s3_storage

    STORAGES["default"], MEDIA_HOST = s3_storage(env)
    SERVE_MEDIA = False

# Passwords: Argon2 first; the others only verify (and upgrade) older hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Logins: django-axes counts failures in the database, so that every app server sees the same
# counts. LOGIN_FAILURE_LIMIT failures lock one user name at one address; an address as a whole
# (any user names: a whole office behind one NAT address) only at LOGIN_ADDRESS_FAILURE_LIMIT.
AUTHENTICATION_BACKENDS = [
    "newsroom.security.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "newsroom.security.SignInFailures"
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "10"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(env("LOGIN_ADDRESS_FAILURE_LIMIT", "100"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "newsroom.security.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "audit.context.client_ip"
# Reverse proxies in front of the app that append to X-Forwarded-For (0: none, use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "1" if env_bool("BEHIND_PROXY", PRODUCTION) else "0"))
# Searches one client may run per minute past the page cache (0: no limit); more answer 429.
SEARCH_RATE_LIMIT = int(env("SEARCH_RATE_LIMIT", "30"))

# Sessions end after a working day unless configured otherwise.
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(8 * 60 * 60)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# /readyz fails (503) when a disk requests write to has less free space than this.
READYZ_MIN_FREE_MB = int(env("READYZ_MIN_FREE_MB", "200"))
# Probes come over plain HTTP from the load balancer.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"

# Mastodon instances whose posts a body shows in a frame on the reader's click (articles/body.py);
# a post on any other instance is a link, so no writer's address widens the frame-src.
EMBED_MASTODON_HOSTS = [host.lower() for host in env_list("EMBED_MASTODON_HOSTS", "mastodon.social")]
if bad_hosts := [host for host in EMBED_MASTODON_HOSTS if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", host)]:
    raise ImproperlyConfigured(f"EMBED_MASTODON_HOSTS takes host names only (social.example), not {bad_hosts}.")

# Content-Security-Policy (django-csp 4). The public site allows no inline code at all;
# newsroom.middleware gives the admin (inline styles) and media files their own policies.
_CSP_IMAGES = [SELF, "data:", *([MEDIA_HOST] if MEDIA_HOST else []), *env_list("CSP_EXTRA_IMG_SRC")]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": _CSP_IMAGES,
        "font-src": [SELF],
        "connect-src": [SELF],
        # Embedded videos and posts, loaded only when a reader clicks (static/js/embeds.js).
        "frame-src": [
            "https://www.youtube-nocookie.com",
            "https://player.vimeo.com",
            "https://platform.twitter.com",
            "https://embed.bsky.app",
            "https://www.instagram.com",
            *(f"https://{host}" for host in EMBED_MASTODON_HOSTS),
        ],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        **({"upgrade-insecure-requests": True} if PRODUCTION else {}),
    }
}
CSP_ADMIN_DIRECTIVES = {
    **CONTENT_SECURITY_POLICY["DIRECTIVES"],
    # The admin's own templates carry style="" attributes; its scripts are all files.
    "style-src": [SELF, "'unsafe-inline'"],
    # The focal-point picker previews a chosen file before upload through a blob: URL.
    "img-src": [*_CSP_IMAGES, "blob:"],
}
CSP_MEDIA_DIRECTIVES = {
    "default-src": [NONE],
    "img-src": [SELF],
    "style-src": ["'unsafe-inline'"],
    "sandbox": True,
}
# A theme with no live article for this many days is dormant: it leaves the navigation
# and the home page until a new article in it goes live.
THEME_DORMANT_DAYS = int(env("THEME_DORMANT_DAYS", "30"))

# Validators of plain-text fields in apps that do not import the articles (image captions, credits).
PLAIN_TEXT_VALIDATORS = ["articles.text.validate_plain_text"]

# --- Doors in and out: the content API (api/) and the WordPress importer (wordpress/) --------
INSTALLED_APPS += ["rest_framework", "drf_spectacular", "drf_spectacular_sidecar", "api", "pages", "wordpress"]
# The query parameters the API's public answers read are part of their cache key.
PAGE_CACHE_QUERY_PARAMETERS = PAGE_CACHE_QUERY_PARAMETERS | {
    "cursor", "page_size", "theme", "author", "tag", "updated_since", "q", "order", "format",
}  # fmt: skip
# Outside the page cache, so that a cached 404 of an old WordPress address still turns into its 301.
MIDDLEWARE.insert(
    MIDDLEWARE.index("pagecache.middleware.PageCacheMiddleware"), "wordpress.middleware.LegacyAddressMiddleware"
)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # JSON only: the page cache keys answers by address, not by Accept header.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser", "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonymousRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env("API_ANONYMOUS_RATE", "120/min")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} content API",
    "DESCRIPTION": "Live articles, themes, authors, tags and search for anyone; drafts, images and "
    "workflow steps for staff with an API key (Authorization: Bearer …).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Slugs in any script ("київ"): the converter's `[-\w]+` is Unicode in Python, ASCII in JSON Schema.
    "PATH_CONVERTER_OVERRIDES": {"uslug": {"type": "string", "minLength": 1, "description": "A slug, in any script."}},
}
