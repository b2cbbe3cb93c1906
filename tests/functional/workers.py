"""Worker tests' helpers: conftest's TAG_APP served by workers, and load on it.

``worker_config`` serves the tag app (it answers with its pid and tag, and
``?sleep=S`` holds a request) with osapi_compute in two workers and
metadata in the twistd process; ``start_workers`` starts that and waits
for every worker. ``Load`` is a bounded number of client threads counting
answers per pid; ``slow_requests`` holds requests open in the workers.
"""

import collections
import threading

import requests

from tests.functional.process import base_config, tag_env, write_tag_app
from tests.polling import wait_for


def worker_config(tmp_path, tag="1", **overrides):
    """TAG_APP on both APIs: osapi_compute with 2 workers, metadata in process."""
    sections = base_config(tmp_path)
    sections["DEFAULT"]["osapi_compute_workers"] = 2
    sections["wsgi"]["api_paste_config"] = write_tag_app(str(tmp_path), tag)
    for section, options in overrides.items():
        sections.setdefault(section, {}).update(options)
    return sections


def start_workers(minova, tmp_path, sections=None):
    """Start minova and wait until every worker is ready."""
    server = minova(sections or worker_config(tmp_path),
                    env=tag_env(tmp_path))
    server.wait_log("minova ready")
    return server


class Load:
    """``clients`` threads, each GETting ``path`` in a loop over keep-alive
    (POSTing ``data``, if given).

    Counts the answers per pid (the tag app's ``pid``; None for an app
    that does not say) and the failures, until stopped.
    """

    def __init__(self, url, clients=4, headers=None, data=None):
        self.url = url
        self.headers = headers
        self.data = data
        self.pids = collections.Counter()
        self.failures = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run)
                         for _ in range(clients)]
        for thread in self._threads:
            thread.start()

    def _run(self):
        with requests.Session() as session:
            while not self._stop.is_set():
                try:
                    response = session.request(
                        "GET" if self.data is None else "POST", self.url,
                        headers=self.headers, data=self.data, timeout=30)
                    response.raise_for_status()
                    pid = response.json().get("pid")
                except (requests.RequestException, ValueError) as exc:
                    with self._lock:
                        self.failures.append(repr(exc))
                    continue
                with self._lock:
                    self.pids[pid] += 1

    @property
    def served(self):
        with self._lock:
            return sum(self.pids.values())

    def wait_served(self, count, what="requests served"):
        target = self.served + count
        wait_for(lambda: self.served >= target, what=what)

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(60)


def slow_requests(server, count, seconds):
    """Start ``count`` requests of ``seconds`` each on new connections."""
    results = []

    def call():
        try:
            results.append(requests.get(server.url(
                "osapi_compute", "/?sleep=%s" % seconds), timeout=30))
        except requests.RequestException as exc:
            results.append(exc)

    threads = [threading.Thread(target=call) for _ in range(count)]
    for thread in threads:
        thread.start()
    server.wait_log("tagapp: sleeping %s" % seconds, count)
    return threads, results
