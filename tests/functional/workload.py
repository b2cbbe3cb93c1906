"""Bounded client threads against the compute API, and a record of every answer.

The load tests (several hosts behind haproxy, one SQLite host with several
workers) judge a run by what each request got: its status (or the
exception), when it started and ended, and which host served it. They need
the same three things: threads that stop by count and by deadline (never
an endless loop, never a fixed sleep), one ``requests`` session per thread
(a session is not thread-safe), and a thread-safe log of answers they can
filter afterwards (5xx outside a window, servers that got 202). This module
is those three, and nothing about the topology.
"""

import threading
import time
from dataclasses import dataclass, field

import requests

from tests.functional.compute import IMAGE

#: Seconds one HTTP call may take before it counts as failed.
REQUEST_TIMEOUT = 30.0
#: Header the test balancer adds to every answer: the backend that served it.
SERVED_BY = "X-Served-By"


@dataclass
class Answer:
    """One request and what came back (``status`` None: an exception)."""

    kind: str
    method: str
    path: str
    start: float
    end: float
    status: int | None = None
    error: str | None = None
    served_by: str | None = None
    #: minova sets x-compute-request-id; an answer without it was made by
    #: the balancer, not by minova.
    from_minova: bool = False
    #: The Retry-After header (nova's 503 must carry one), if any.
    retry_after: str | None = None
    body: dict | None = field(default=None, repr=False)

    def __str__(self):
        return "%s %s %s -> %s%s (%.2f-%.2f s, %s)" % (
            self.kind, self.method, self.path, self.status or self.error,
            "" if self.from_minova else " [not minova]", self.start,
            self.end, self.served_by)


class Record:
    """Every Answer of a run, appended from any thread; times are seconds
    since the record was made (``now()``)."""

    def __init__(self):
        self.origin = time.monotonic()
        self.answers = []
        self._lock = threading.Lock()

    def now(self):
        return time.monotonic() - self.origin

    def call(self, session, kind, method, url, body=None, host=None,
             **kwargs):
        """Make one request with ``session``; record and return its Answer.

        ``host`` names the host a request sent straight to it (no balancer
        to say who served it) goes to: its ``served_by``.
        """
        start = self.now()
        answer = Answer(kind, method, url.split("/v2.1", 1)[-1], start,
                        start, served_by=host)
        try:
            response = session.request(method, url, json=body,
                                       timeout=REQUEST_TIMEOUT, **kwargs)
        except requests.RequestException as error:
            answer.error = type(error).__name__
        else:
            answer.status = response.status_code
            answer.served_by = response.headers.get(SERVED_BY, host)
            answer.from_minova = "x-compute-request-id" in response.headers
            answer.retry_after = response.headers.get("Retry-After")
            if response.content and response.headers.get(
                    "Content-Type", "").startswith("application/json"):
                answer.body = response.json()
        answer.end = self.now()
        with self._lock:
            self.answers.append(answer)
        return answer

    def select(self, predicate):
        with self._lock:
            return [answer for answer in self.answers if predicate(answer)]


def session(token, version="2.47"):
    """A requests session that speaks as noauth2 ``token`` at ``version``."""
    http = requests.Session()
    http.headers["X-Auth-Token"] = token
    http.headers["OpenStack-API-Version"] = "compute %s" % version
    return http


def server_body(name, **extra):
    """The body of a server create (flavor 1, any image, one address)."""
    server = {"name": name, "flavorRef": "1", "imageRef": IMAGE,
              "networks": "auto"}
    server.update(extra)
    return {"server": server}


def run_threads(count, target, deadline):
    """Run ``target(index, stop)`` in ``count`` threads and join them.

    ``stop()`` tells a thread it is past ``deadline`` (seconds from now);
    the join waits that long plus one request's timeout, then fails the
    test if a thread still runs (a bounded run, not a hang).
    """
    end = time.monotonic() + deadline
    errors = []

    def stop():
        return time.monotonic() > end

    def body(index):
        try:
            target(index, stop)
        except BaseException as error:  # reported by the joining thread
            errors.append((index, error))

    threads = [threading.Thread(target=body, args=(index,), daemon=True)
               for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(end - time.monotonic(), 0) + REQUEST_TIMEOUT + 5)
    assert not any(thread.is_alive() for thread in threads), (
        "client threads still running past the deadline")
    if errors:
        raise errors[0][1]


def together(count, call):
    """``call(index)`` from ``count`` threads released at the same moment
    (a barrier); their results in index order."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def target(index, stop):
        barrier.wait(REQUEST_TIMEOUT)
        results[index] = call(index)

    run_threads(count, target, REQUEST_TIMEOUT)
    return results

