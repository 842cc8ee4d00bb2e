"""Newsroom benchmark: `make bench` (or `python -m bench [--quick]`; `python bench/run.py` still works).

One module per section, each runnable alone (`python -m bench.<section> --help`): `seed` (the
archives), `servers` (gunicorn, wrk and the configuration they share), `rates` (cached, uncached
and rendered pages against a static file), `under_load` (a scheduled article and an edit under
load), `inprocess` (queries, cost growth, the admin), `searches`, `mix` (the realistic mix) and
`report`. bench/README.md says what each measures and keeps the last table of each.
"""
