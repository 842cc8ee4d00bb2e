"""Purging a shared cache (Varnish, Fastly, Cloudflare, CloudFront) by surrogate key.

PAGE_CACHE_PURGE names the backend; PAGE_CACHE_PURGE_OPTIONS its settings. A purge goes
out after the commit; one that fails never fails the save: its keys wait in the outbox
(`PendingPurge`), which `manage.py publish_scheduled` (every minute) and the next purge
retry. Failed local invalidations (the key versions could not be written) wait there too.
"""

import http.client
import json
import logging
import urllib.parse
import uuid

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

from . import outbox, versions

logger = logging.getLogger(__name__)

TIMEOUT = 5  # seconds; purges run after the commit, in the request that saved


class PurgeFailed(Exception):
    pass


class Backend:
    header = "Surrogate-Key"
    separator = " "
    batch = 256

    def __init__(self, **options):
        self.options = options

    def purge(self, keys):
        keys = sorted(keys)
        for start in range(0, len(keys), self.batch):
            self.purge_batch(keys[start : start + self.batch])

    def purge_batch(self, keys):
        raise NotImplementedError

    def request(self, method, url, headers=None, body=None):
        """One HTTP request; anything but 2xx raises PurgeFailed. Plain http.client keeps
        the request's shape visible (the tests compare it with the providers' documentation)."""
        parts = urllib.parse.urlsplit(url)
        connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        connection = connection_class(parts.netloc, timeout=TIMEOUT)
        try:
            connection.request(method, parts.path or "/", body=body, headers=headers or {})
            response = connection.getresponse()
            text = response.read()[:500]
        except OSError as error:
            raise PurgeFailed(f"{method} {url}: {error}") from error
        finally:
            connection.close()
        if not 200 <= response.status < 300:
            raise PurgeFailed(f"{method} {url}: {response.status} {text!r}")


class Varnish(Backend):
    """Varnish with the xkey vmod (deploy/varnish.vcl): `PURGE /` with `xkey-purge: k1 k2`
    to each of `urls` (every Varnish in front of the site)."""

    header = "xkey"

    def purge_batch(self, keys):
        for url in self.options["urls"]:
            self.request("PURGE", url.rstrip("/") + "/", {"xkey-purge": " ".join(keys)})


class Fastly(Backend):
    """Fastly's purge by surrogate key: POST /service/{service_id}/purge, `Surrogate-Key: k1 k2`."""

    header = "Surrogate-Key"

    def purge_batch(self, keys):
        headers = {"Fastly-Key": self.options["token"], "Surrogate-Key": " ".join(keys), "Accept": "application/json"}
        api = self.options.get("api", "https://api.fastly.com")
        self.request("POST", f"{api}/service/{self.options['service_id']}/purge", headers)


class Cloudflare(Backend):
    """Cloudflare's purge by cache tag: POST /client/v4/zones/{zone_id}/purge_cache {"tags": [...]}."""

    header = "Cache-Tag"
    separator = ","
    batch = 30

    def purge_batch(self, keys):
        headers = {"Authorization": f"Bearer {self.options['token']}", "Content-Type": "application/json"}
        api = self.options.get("api", "https://api.cloudflare.com")
        body = json.dumps({"tags": keys})
        self.request("POST", f"{api}/client/v4/zones/{self.options['zone_id']}/purge_cache", headers, body)


class CloudFront(Backend):
    """CloudFront invalidates paths, not keys: the page cache remembers which paths showed each
    key (PATHS_KEY, in the shared cache) and invalidates those."""

    header = ""
    batch = 1000

    def purge_batch(self, keys):
        paths = sorted({path for key in keys for path in cache.get(PATHS_KEY.format(key=key), [])})
        if not paths:
            return
        client = self.options.get("client") or _boto3_client()
        try:
            client.create_invalidation(
                DistributionId=self.options["distribution_id"],
                InvalidationBatch={
                    "Paths": {"Quantity": len(paths), "Items": paths},
                    "CallerReference": uuid.uuid4().hex,
                },
            )
        except Exception as error:  # noqa: BLE001 - botocore's errors share no useful base
            raise PurgeFailed(f"CloudFront: {error}") from error


def _boto3_client():
    import boto3

    return boto3.client("cloudfront")


PATHS_KEY = "pagecache:paths:{key}"
PATHS_PER_KEY = 200


def remember_paths(keys, path):
    """For CloudFront: which paths show each key (the newest PATHS_PER_KEY)."""
    for key in keys:
        name = PATHS_KEY.format(key=key)
        paths = cache.get(name, [])
        if path not in paths:
            cache.set(name, [*paths[-PATHS_PER_KEY + 1 :], path], None)


BACKENDS = {"varnish": Varnish, "fastly": Fastly, "cloudflare": Cloudflare, "cloudfront": CloudFront}


def backend():
    name = settings.PAGE_CACHE_PURGE
    if not name:
        return None
    backend_class = BACKENDS.get(name) or import_string(name)
    return backend_class(**settings.PAGE_CACHE_PURGE_OPTIONS)


def key_header():
    """(header name, separator) naming a response's keys for the shared cache."""
    configured = settings.PAGE_CACHE_KEY_HEADER
    chosen = backend()
    if configured:
        return configured, "," if configured.lower() == "cache-tag" else " "
    if chosen is not None:
        return chosen.header, chosen.separator
    return "", " "


# Sending, keeping and retrying ----------------------------------------------------------------


def send(keys):
    chosen = backend()
    if chosen is None:
        return
    try:
        chosen.purge(keys)
    except Exception as error:  # noqa: BLE001 - a purge must never fail the save
        logger.error("Page cache: could not purge %d keys from the shared cache: %s", len(keys), error)
        outbox.keep(keys, target="shared", error=error)


def drain(limit=500, target=None):
    """Retry what waits in the outbox (or only its `target` part); returns (sent, still waiting)."""
    return outbox.drain({"local": _invalidate_locally, "shared": _purge_shared}, limit, target)


def _invalidate_locally(keys):
    versions.store().invalidate(keys)


def _purge_shared(keys):
    chosen = backend()
    if chosen is not None:
        chosen.purge(keys)
