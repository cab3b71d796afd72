"""gunicorn's settings for the platform (production and the benches):

    gunicorn -c config/gunicorn.conf.py config.wsgi

Command-line options (-w, -b, -k …) override what is set here.

- preload_app: the master imports Django and the project once, then forks the workers, which share those pages
  copy-on-write. Nothing touches the database or the broker at import (apps' ready() only registers hooks), so
  no connection is shared across the fork.
- gc.freeze() in the master, after the import and before the first fork: the objects every worker inherits move to
  a permanent generation that the collector no longer scans on each full collection, and that it never writes
  to, so their pages stay shared (https://docs.python.org/3/library/gc.html#gc.freeze). bench/RESULTS.md has
  what it saves per request.
"""

import gc

preload_app = True


def when_ready(server: object) -> None:
    gc.collect()
    gc.freeze()
