"""Per-API Prometheus metrics: recorded where requests are served, exposed by the twistd process.

Off unless ``[metrics] listen_port`` is set. Then every process that serves
an API records, per request, the count by API, method and status, the
latency histogram and the requests in flight; the twistd process records
its workers (how many run, how many were respawned after dying) and serves
all of it in the Prometheus text format at ``/metrics`` on the metrics
listener (``site``, which minova_tw.apiservice.MetricsListener serves).

When an API has worker processes, each process keeps its own values, so
prometheus_client's multiprocess mode is used: the twistd process makes a
fresh directory, puts it in ``PROMETHEUS_MULTIPROC_DIR`` (which the workers
inherit), each process writes its values to memory-mapped files there,
the listener sums them per scrape, a dead worker's in-flight gauge is
dropped (``mark_process_dead``), and the directory is removed at exit.
With every API in the twistd process, the values stay in memory, which is
cheaper per request. prometheus_client reads the mode when a metric is
made, so ``enable`` chooses it before defining any.

The recording is on the hot path (the reactor thread, once per request):
``APIMetrics`` keeps the labelled children it needs, so a request costs an
increment and an observation (and the in-flight pair), nothing else.
"""

import os
import shutil
import tempfile
import time

from twisted.web import resource

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

#: Methods counted under their own name; any other is "other", so a client
#: cannot make new label values at will.
METHODS = {m: m.decode("ascii") for m in (
    b"GET", b"HEAD", b"POST", b"PUT", b"PATCH", b"DELETE", b"OPTIONS")}

#: Latency buckets, seconds: from a cached GET to a slow server create.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
           5.0, 10.0)

#: The metrics of this process, once ``enable`` ran.
current = None


class Metrics:
    """Every metric minova records, in this process's registry or files."""

    def __init__(self, multiprocess_dir=None):
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
        self.multiprocess_dir = multiprocess_dir
        # In multiprocess mode the values live in files; the listener
        # collects them from there, not from a registry.
        self.registry = None if multiprocess_dir else CollectorRegistry()
        registry = self.registry
        self.requests = Counter(
            "minova_http_requests", "HTTP requests served, by API, method "
            "and status.", ["api", "method", "status"], registry=registry)
        self.duration = Histogram(
            "minova_http_request_duration_seconds", "Time from a request's "
            "first byte to its response's last, by API.", ["api"],
            buckets=BUCKETS, registry=registry)
        self.in_flight = Gauge(
            "minova_http_requests_in_flight", "Requests received and not yet "
            "answered, by API.", ["api"], multiprocess_mode="livesum",
            registry=registry)
        self.workers = Gauge(
            "minova_workers", "Worker processes running, by API.", ["api"],
            multiprocess_mode="livesum", registry=registry)
        self.worker_restarts = Counter(
            "minova_worker_restarts", "Worker processes that died and were "
            "respawned, by API.", ["api"], registry=registry)

    def exposition(self):
        """The text a scrape gets: ``(body, content type)``."""
        from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry,
                                       generate_latest, multiprocess)
        registry = self.registry
        if registry is None:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry,
                                               self.multiprocess_dir)
        return generate_latest(registry), CONTENT_TYPE_LATEST


def enable(directory=None):
    """Record metrics in this process from now on; returns the Metrics.

    ``directory`` is prometheus_client's multiprocess directory, exported
    to the processes started later: the twistd process passes a fresh one
    (``fresh_directory``) when an API has workers, and a worker the one it
    inherited. None keeps the values in memory.
    """
    global current
    from prometheus_client import values
    if directory:
        os.environ[MULTIPROC_ENV] = directory
    else:
        os.environ.pop(MULTIPROC_ENV, None)
    values.ValueClass = values.get_value_class()
    current = Metrics(directory)
    return current


def fresh_directory():
    """A new, empty multiprocess directory (the listener removes it at exit)."""
    return tempfile.mkdtemp(prefix="minova-metrics-")


def for_api(name):
    """The recorder of API ``name``, or None when metrics are off."""
    return APIMetrics(current, name) if current is not None else None


class APIMetrics:
    """Records one API's requests; APISite calls it for each request."""

    #: The clock a request's ``started`` is read on, in seconds (tests
    #: replace it).
    clock = staticmethod(time.monotonic)

    def __init__(self, metrics, api):
        self.api = api
        self._requests = metrics.requests
        self._byKey = {}
        self._duration = metrics.duration.labels(api)
        self._inFlight = metrics.in_flight.labels(api)

    def started(self, request):
        """A request is complete and goes to the app: count it in flight."""
        self._inFlight.inc()
        request.notifyFinish().addBoth(self._ended)

    def _ended(self, _):
        self._inFlight.dec()

    def served(self, request):
        """A response was sent: count it and its latency."""
        key = (request.method, request.code)
        counter = self._byKey.get(key)
        if counter is None:
            counter = self._byKey[key] = self._requests.labels(
                self.api, METHODS.get(request.method, "other"),
                str(request.code))
        counter.inc()
        self._duration.observe(self.clock() - request.started)


def worker_started(api):
    if current is not None:
        current.workers.labels(api).inc()


def worker_ended(api, pid, respawned):
    """A worker of ``api`` ended; ``respawned``: it died and is replaced."""
    if current is None:
        return
    current.workers.labels(api).dec()
    if respawned:
        current.worker_restarts.labels(api).inc()
    if current.multiprocess_dir:
        from prometheus_client import multiprocess
        multiprocess.mark_process_dead(pid, current.multiprocess_dir)


class MetricsPage(resource.Resource):
    """``GET /metrics``: the Prometheus text of every API and worker."""

    isLeaf = True

    def __init__(self, metrics):
        super().__init__()
        self.metrics = metrics

    def render_GET(self, request):
        body, content_type = self.metrics.exposition()
        request.setHeader(b"content-type", content_type.encode("ascii"))
        return body


def site(recorded):
    """The Site of the metrics listener: ``/metrics`` and nothing else.

    twisted.web.server is imported here, by the twistd process's listener,
    without h2 if twisted.web.http was not imported yet: the listener speaks
    plain HTTP/1.1, and h2 would only take memory (minova_tw.tls).
    """
    from minova_tw import tls

    with tls.without([tls.HTTP2_PACKAGE]):
        from twisted.web import server

    root = resource.Resource()
    root.putChild(b"metrics", MetricsPage(recorded))
    metrics_site = server.Site(root)
    metrics_site.noisy = False
    metrics_site.log = lambda request: None  # scrapes are no access lines
    return metrics_site


def remove_files(recorded):
    """Remove the multiprocess directory, if any (the process is stopping)."""
    if recorded.multiprocess_dir:
        shutil.rmtree(recorded.multiprocess_dir, ignore_errors=True)
