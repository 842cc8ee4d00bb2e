"""A free loopback port for a server a test starts (redis-server, varnishd, gunicorn, a fake
media host): one the kernel picks, so that two test runs side by side (CI runs its two moved
clocks at once) never reach for the same one; from NEWSROOM_TEST_PORTS ("9350-9399") when set."""

import os
import socket


def free_port():
    first, _, last = os.environ.get("NEWSROOM_TEST_PORTS", "0-0").partition("-")
    for port in range(int(first), int(last) + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError(f"no free port in {first}-{last}")
