"""Soak: a bounded mixed load on real workers, with no failed request and flat RSS and fds.

Client threads create servers, list them, read their metadata (as the
server, through ``X-Forwarded-For``) and delete them, against minova with
two worker processes per API. Every minova process's RSS and open file
descriptors are sampled from /proc after a warm-up and at the end.

Bounds: RSS may grow by at most ``RSS_GROWTH`` (a leak of even a few
hundred bytes a request over thousands of requests passes it; allocator
noise and caches filling up after the warm-up do not), fds by at most
``FD_GROWTH`` (connections and pooled DB handles in flight at the moment
of sampling).

Short mode (the test suite): ``MINOVA_SOAK_SECONDS`` defaults to 40. Long
mode, by hand (the last run's figures are in docs/hardening.md)::

    MINOVA_SOAK_SECONDS=300 pytest -s tests/functional/test_soak.py
"""

import os
import threading
import time

import pytest
import requests

from tests.functional.process import base_config
from tests.functional.compute import IMAGE

#: The load tests (topology, soak, SQLite load) run one after another on
#: one xdist worker: each makes the machine busy on purpose and bounds
#: its latencies for that load alone.
pytestmark = pytest.mark.xdist_group("load")


SECONDS = float(os.environ.get("MINOVA_SOAK_SECONDS", "40"))
WARMUP = min(10.0, SECONDS / 4)
CLIENTS = 4
TIMEOUT = 30.0
RSS_GROWTH = 16 << 20
FD_GROWTH = 20


def process_tree(pid):
    """``pid`` and the pids of its children (minova's workers)."""
    children = []
    for task in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/children" % (pid, task)) as f:
            children += [int(c) for c in f.read().split()]
    return [pid] + children


def sample(pid):
    """(RSS bytes, open fds) of ``pid``."""
    with open("/proc/%d/statm" % pid) as f:
        rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return rss, len(os.listdir("/proc/%d/fd" % pid))


class Client(threading.Thread):
    """One client: create, list, read metadata, delete, until ``stop``."""

    def __init__(self, process, number, stop):
        super().__init__(daemon=True)
        self.compute = process.url("osapi_compute", "/v2.1")
        self.metadata = process.url("metadata", "/openstack/latest/"
                                    "meta_data.json")
        self.stop = stop
        self.session = requests.Session()
        self.session.headers["X-Auth-Token"] = "user%d:project%d" % (
            number, number)
        self.requests = 0
        self.failures = []

    def call(self, method, url, expect, **kwargs):
        self.requests += 1
        try:
            response = self.session.request(method, url, timeout=TIMEOUT,
                                            **kwargs)
        except requests.RequestException as exc:
            self.failures.append((method, url, repr(exc)))
            return None
        if response.status_code != expect:
            self.failures.append((method, url, response.status_code,
                                  response.text[:200]))
            return None
        return response

    def wait_active(self, server_id):
        """Poll the new server until ACTIVE; its fixed address."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            shown = self.call("GET", self.compute + "/servers/" + server_id,
                              200)
            if shown is None:
                return None
            server = shown.json()["server"]
            if server["status"] == "ACTIVE":
                return server["addresses"]["private"][0]["addr"]
            time.sleep(0.02)
        self.failures.append(("not ACTIVE in time", server_id))
        return None

    def run(self):
        while not self.stop.is_set():
            created = self.call("POST", self.compute + "/servers", 202,
                                json={"server": {"name": "soak",
                                                 "flavorRef": "1",
                                                 "imageRef": IMAGE}})
            if created is None:
                continue
            server_id = created.json()["server"]["id"]
            self.call("GET", self.compute + "/servers/detail", 200)
            address = self.wait_active(server_id)
            if address is not None:
                for _ in range(3):
                    self.call("GET", self.metadata, 200,
                              headers={"X-Forwarded-For": address})
            self.call("GET", self.compute + "/flavors/detail", 200)
            self.call("DELETE", self.compute + "/servers/" + server_id, 204)


def test_mixed_load_with_workers_fails_nothing_and_stays_flat(minova,
                                                              tmp_path):
    process = minova(base_config(tmp_path, DEFAULT={
        "osapi_compute_workers": 2, "metadata_workers": 2},
        api={"use_forwarded_for": "true"},
        minova={"build_time": 0.05, "action_time": 0.05,
                "fixed_range": "10.0.0.0/16"}))
    process.wait_log(" ready", count=4)
    stop = threading.Event()
    clients = [Client(process, n, stop) for n in range(CLIENTS)]
    for client in clients:
        client.start()
    try:
        time.sleep(WARMUP)  # the load runs: this is its duration, not a poll
        pids = process_tree(process.proc.pid)
        start = {pid: sample(pid) for pid in pids}
        time.sleep(SECONDS - WARMUP)  # likewise
        end = {pid: sample(pid) for pid in pids}
    finally:
        stop.set()
        for client in clients:
            client.join(TIMEOUT)
    total = sum(c.requests for c in clients)
    failures = [f for c in clients for f in c.failures]
    print("soak %.0f s, %d clients: %d requests, %d failed" % (
        SECONDS, CLIENTS, total, len(failures)))
    for pid in pids:
        print("  pid %d: RSS %.1f -> %.1f MiB, fds %d -> %d" % (
            pid, start[pid][0] / 2 ** 20, end[pid][0] / 2 ** 20,
            start[pid][1], end[pid][1]))
    assert failures == []
    assert len(pids) == 5  # twistd and its four workers, none respawned
    for pid in pids:
        assert end[pid][0] - start[pid][0] < RSS_GROWTH, pid
        assert end[pid][1] - start[pid][1] < FD_GROWTH, pid
