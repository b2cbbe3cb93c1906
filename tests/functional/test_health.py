"""GET /healthcheck under database trouble, on a real minova.

The health check runs on the reserved thread (``[wsgi]
reserved_thread_paths``), so it answers while every pool thread waits on a
locked database; requests for other paths queue behind those.
"""

import sqlite3
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.functional.test_compute_fixtures import IMAGE, compute_config
from tests.functional.test_host import wait_for
from tests.functional.test_metrics import scrape, value

DEADLINE = 30.0


def in_flight(server):
    return value(scrape(server), "minova_http_requests_in_flight",
                 api="osapi_compute")


def test_the_health_check_answers_while_every_pool_thread_waits(minova,
                                                                tmp_path):
    server = minova(compute_config(tmp_path, metrics={"listen_port": 0}),
                    expect=("osapi_compute", "metrics"))
    creates = 6  # the 4 pool threads wait on the lock, 2 more queue
    holder = sqlite3.connect(str(tmp_path / "state" / "minova.sqlite"),
                             isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, until ROLLBACK
    clients = ThreadPoolExecutor(creates + 1)
    try:
        blocked = [clients.submit(
            requests.post, server.url("osapi_compute", "/v2.1/servers"),
            timeout=120, headers={"X-Auth-Token": "demo:demo"},
            json={"server": {"name": "vm%d" % i, "flavorRef": "1",
                             "imageRef": IMAGE}}) for i in range(creates)]
        wait_for(lambda: in_flight(server) >= creates, what="the creates")
        versions = clients.submit(requests.get, server.url("osapi_compute"),
                                  timeout=120)
        wait_for(lambda: in_flight(server) >= creates + 1, what="GET /")
        health = requests.get(server.url("osapi_compute", "/healthcheck"),
                              timeout=DEADLINE)
        assert health.status_code == 200
        # Answered while everything sent before it still waits.
        assert not any(f.done() for f in blocked + [versions])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert [f.result().status_code for f in blocked] == [202] * creates
    assert versions.result().status_code == 200
    clients.shutdown()
