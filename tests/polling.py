"""Waiting for a condition in another process or thread: poll it, with a deadline.

For what a test cannot drive with an injected clock (a real twistd, a
worker, a database server); one helper for unit, functional and hosting
tests alike.
"""

import time


def wait_for(predicate, timeout=20.0, what="condition"):
    """Return once ``predicate()`` is true; AssertionError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)
