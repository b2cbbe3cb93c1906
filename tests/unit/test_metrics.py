"""minova_tw.metrics: what APIMetrics records per request, in memory."""

import pytest
from twisted.internet import defer
from twisted.python.failure import Failure

from minova_tw import metrics


#: What APIMetrics's clock says while a test records: each request of a
#: test started 20 ms before it.
NOW = 1000.0


class Request:
    def __init__(self, method=b"GET", code=200):
        self.method = method
        self.code = code
        self.started = NOW - 0.02
        self.finished = defer.Deferred()

    def notifyFinish(self):
        return self.finished


@pytest.fixture(autouse=True)
def restore(monkeypatch):
    """Each test's metrics end with it (enable sets a module global)."""
    monkeypatch.setattr(metrics, "current", metrics.current)
    monkeypatch.delenv(metrics.MULTIPROC_ENV, raising=False)
    monkeypatch.setattr(metrics.APIMetrics, "clock", staticmethod(lambda: NOW))


def sample(recorded, name, **labels):
    value = recorded.registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


def test_requests_latency_and_in_flight_are_recorded():
    recorded = metrics.enable()
    api = metrics.for_api("metadata")
    ok, lost = Request(), Request(b"BREW", 404)
    api.started(ok)
    api.started(lost)
    assert sample(recorded, "minova_http_requests_in_flight",
                  api="metadata") == 2
    api.served(ok)
    ok.finished.callback(None)
    lost.finished.errback(Failure(ConnectionError("client gone")))
    api.served(lost)
    assert sample(recorded, "minova_http_requests_in_flight",
                  api="metadata") == 0
    assert sample(recorded, "minova_http_requests_total", api="metadata",
                  method="GET", status="200") == 1
    assert sample(recorded, "minova_http_requests_total", api="metadata",
                  method="other", status="404") == 1
    assert sample(recorded, "minova_http_request_duration_seconds_count",
                  api="metadata") == 2
    assert sample(recorded, "minova_http_request_duration_seconds_bucket",
                  api="metadata", le="0.01") == 0
    assert sample(recorded, "minova_http_request_duration_seconds_bucket",
                  api="metadata", le="0.025") == 2


def test_workers_and_restarts_and_the_exposition():
    recorded = metrics.enable()
    metrics.worker_started("osapi_compute")
    metrics.worker_started("osapi_compute")
    metrics.worker_ended("osapi_compute", 1, respawned=True)
    metrics.worker_ended("osapi_compute", 2, respawned=False)
    metrics.worker_started("osapi_compute")
    body, content_type = recorded.exposition()
    assert content_type.startswith("text/plain")
    assert b'minova_workers{api="osapi_compute"} 1.0' in body
    assert b'minova_worker_restarts_total{api="osapi_compute"} 1.0' in body


def test_off_until_enabled(monkeypatch):
    monkeypatch.setattr(metrics, "current", None)
    assert metrics.for_api("metadata") is None
    metrics.worker_started("metadata")  # no error, nothing recorded
