# Varnish 7 in front of the newsroom's app servers, purged by surrogate key (xkey vmod,
# Debian: apt-get install varnish varnish-modules). The site sends each page's keys in
# `xkey` (PAGE_CACHE_PURGE=varnish) and purges them with `PURGE /` + `xkey-purge: k1 k2`
# (PAGE_CACHE_PURGE_URLS=http://varnish-host:6081). Pages may stay for s-maxage (a day):
# every edit and every schedule moment purges them (run `manage.py watch_schedule`).
vcl 4.1;

import xkey;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
}

# Who may purge: the app servers.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Name the keys to purge in xkey-purge"));
        }
        set req.http.x-purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.x-purged));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Staff and anyone with a session always get a fresh page from the site.
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # Readers' other cookies (analytics, csrftoken) do not change a public page.
    unset req.http.Cookie;
    # Tracking parameters are not part of the key (the site ignores them too).
    set req.url = regsuball(req.url, "(?i)([?&])(utm_[a-z_]*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga)=[^&]*&?", "\1");
    set req.url = regsub(req.url, "[?&]+$", "");
    return (hash);
}

sub vcl_backend_response {
    # An answer that sets a cookie is someone's own.
    if (beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        return (deliver);
    }
}

sub vcl_deliver {
    # The keys are for this cache, not for readers.
    unset resp.http.xkey;
}
