"""Health and metrics: /healthcheck on both APIs, and the [metrics] Prometheus listener.

Real ``twistd -n minova``: nova's paste file for the healthcheck and for
metrics in one process (values in memory); conftest's TAG_APP with
osapi_compute in two workers (prometheus_client's multiprocess mode) and
metadata in the twistd process for how the numbers move.
"""

import os
import signal
import threading

import requests

from tests.functional.metrics import scrape, value
from tests.functional.process import base_config
from tests.functional.workers import (slow_requests, start_workers,
                                      worker_config)
from tests.polling import wait_for


def test_metrics_of_workers_and_in_process_apis_move_with_requests(
        minova, tmp_path):
    server = start_workers(minova, tmp_path, worker_config(
        tmp_path, metrics={"listen_port": 0}))
    before = scrape(server)
    assert value(before, "minova_workers", api="osapi_compute") == 2
    for _ in range(10):
        requests.get(server.url("osapi_compute"), timeout=10)
    for _ in range(3):
        requests.post(server.url("metadata", "/x"), timeout=10)
    total = "minova_http_requests_total"
    gets = value(before, total, api="osapi_compute", method="GET",
                 status="200") + 10
    # A request a pool thread answered itself (a leased connection,
    # minova_tw.http11) is counted just after its response went out, so
    # the client can scrape first: the counts settle, they are not late.
    scraped = []

    def counted():
        scraped[:] = [scrape(server)]
        return (value(scraped[0], total, api="osapi_compute", method="GET",
                      status="200") == gets
                and value(scraped[0], total, api="metadata", method="POST",
                          status="200") == 3)
    wait_for(counted, what="10 GETs and 3 POSTs counted")
    after = scraped[0]
    count = "minova_http_request_duration_seconds_count"
    assert value(after, count, api="osapi_compute") == 10
    assert value(after, count, api="metadata") == 3
    assert value(after, "minova_http_request_duration_seconds_bucket",
                 api="metadata", le="+Inf") == 3
    assert value(after, "minova_http_request_duration_seconds_sum",
                 api="osapi_compute") > 0

    slow = [threading.Thread(target=requests.get, args=(server.url(
        api, "/?sleep=2"),), kwargs={"timeout": 30})
        for api in ("osapi_compute", "metadata")]
    for thread in slow:
        thread.start()
    server.wait_log("tagapp: sleeping 2", count=2)
    during = scrape(server)
    assert value(during, "minova_http_requests_in_flight",
                 api="osapi_compute") == 1
    assert value(during, "minova_http_requests_in_flight",
                 api="metadata") == 1
    for thread in slow:
        thread.join(30)
    wait_for(lambda: value(scrape(server), "minova_http_requests_in_flight",
                           api="osapi_compute") == 0, what="in flight 0")

    victim = server.workers("osapi_compute")[0]
    os.kill(victim, signal.SIGKILL)
    server.wait_log("worker osapi_compute/0 pid %d killed" % victim)
    wait_for(lambda: server.workers("osapi_compute")[0] != victim,
             what="the respawned worker")
    respawned = scrape(server)
    assert value(respawned, "minova_worker_restarts_total",
                 api="osapi_compute") == 1
    assert value(respawned, "minova_workers", api="osapi_compute") == 2
    # The dead worker's requests stay counted.
    assert value(respawned, total, api="osapi_compute", method="GET",
                 status="200") >= 11
    assert "GET /metrics" not in server.log  # scrapes are not access lines


def test_sigterm_keeps_the_metrics_files_until_the_workers_exited(
        minova, tmp_path):
    server = start_workers(minova, tmp_path, worker_config(
        tmp_path, metrics={"listen_port": 0}))
    with open("/proc/%d/environ" % server.workers("osapi_compute")[0],
              "rb") as f:
        environ = dict(item.split(b"=", 1) for item in f.read().split(b"\0")
                       if b"=" in item)
    directory = environ[b"PROMETHEUS_MULTIPROC_DIR"].decode()
    assert os.path.isdir(directory)
    threads, results = slow_requests(server, 4, 1.5)
    server.signal(signal.SIGTERM)
    for thread in threads:
        thread.join(30)
    assert server.wait(30) == 0
    assert [r.status_code for r in results] == [200] * 4
    log = server.log
    assert "FileNotFoundError" not in log and "CRITICAL" not in log
    # Every drained request still got its access line.
    assert log.count('"GET /?sleep=1.5 HTTP/1.1" status: 200') == 4
    assert not os.path.exists(directory)


def test_nova_stacks_in_one_process_count_statuses(minova, tmp_path):
    server = minova(base_config(tmp_path, metrics={"listen_port": 0}))
    headers = {"X-Auth-Token": "demo:demo"}
    requests.get(server.url("osapi_compute", "/v2.1/flavors"),
                 headers=headers, timeout=10)
    requests.get(server.url("osapi_compute", "/v2.1/flavors/nope"),
                 headers=headers, timeout=10)
    requests.request("BREW", server.url("osapi_compute", "/"), timeout=10)
    total = "minova_http_requests_total"
    # Each is counted just after its response went out (the test above):
    # wait until all three are, then check each count.
    scraped = []

    def counted():
        scraped[:] = [scrape(server)]
        return sum(v for k, v in scraped[0].items() if k[0] == total) >= 3
    wait_for(counted, what="three requests counted")
    samples = scraped[0]
    assert value(samples, total, api="osapi_compute", method="GET",
                 status="200") == 1
    assert value(samples, total, api="osapi_compute", method="GET",
                 status="404") == 1
    assert sum(v for k, v in samples.items()
               if k[0] == total and ("method", "other") in k) == 1


def test_metrics_are_off_by_default(minova, tmp_path):
    server = minova()
    assert "metrics listening" not in server.log


def test_healthcheck_on_both_apis_and_disabled_by_file(minova, tmp_path):
    flag = tmp_path / "disabled"
    server = minova(base_config(tmp_path, healthcheck={
        "backends": "disable_by_file", "disable_by_file_path": str(flag)}))
    for api in ("osapi_compute", "metadata"):
        response = requests.get(server.url(api, "/healthcheck"), timeout=10)
        assert (response.status_code, response.text) == (200, "OK")
    flag.write_text("")
    for api in ("osapi_compute", "metadata"):
        response = requests.get(server.url(api, "/healthcheck"), timeout=10)
        assert (response.status_code, response.text) == (
            503, "DISABLED BY FILE")
