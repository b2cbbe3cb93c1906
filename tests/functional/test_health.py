"""GET /healthcheck under database trouble, on a real minova.

The health check runs on the reserved thread (``[wsgi]
reserved_thread_paths``), so it answers while every pool thread waits on a
locked database; requests for other paths queue behind those. With
``[healthcheck] backends = database`` it reports the database: OK on
SQLite, 503 while PostgreSQL refuses, 503 at once when the database is
silent (a listener that never answers), never waiting on it.
"""

import socket
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.functional.process import write_config
from tests.functional.compute import IMAGE, compute_config
from tests.functional.faults import take_database_away
from tests.functional.metrics import scrape, value
from tests.polling import wait_for

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


#: Probe often, so the tests see verdicts change quickly.
DATABASE_BACKEND = {"backends": "database", "database_check_interval": 0.2,
                    "database_check_timeout": 1}


def health(server):
    response = requests.get(server.url("osapi_compute", "/healthcheck"),
                            timeout=DEADLINE)
    return response.status_code, response.text


def test_the_database_backend_on_sqlite(minova, tmp_path):
    server = minova(compute_config(tmp_path, healthcheck=DATABASE_BACKEND),
                    expect=("osapi_compute",))
    wait_for(lambda: health(server) == (200, "OK"), what="a first read")


def test_a_postgresql_that_refuses_takes_the_host_out(minova, tmp_path,
                                                     pg_database):
    url, name, admin = pg_database
    server = minova(compute_config(tmp_path, database={"connection": url},
                                   healthcheck=DATABASE_BACKEND),
                    expect=("osapi_compute",))
    wait_for(lambda: health(server) == (200, "OK"), what="a first read")
    take_database_away(admin, name)
    try:
        wait_for(lambda: health(server) == (503, "DATABASE UNAVAILABLE"),
                 what="the outage")
    finally:
        take_database_away(admin, name, away=False)
    wait_for(lambda: health(server) == (200, "OK"), what="the recovery")
    assert "health check: the database is unavailable" in server.log
    assert "health check: the database is available again" in server.log


def test_a_silent_database_is_reported_without_waiting(minova, tmp_path):
    """The database's address accepts connections and never says a word:
    the probe waits, the health check does not."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes connections; nobody reads
    paste = write_config(tmp_path / "health-paste.ini", {
        "composite:osapi_compute": {
            "use": "call:minova_tw.api.urlmap:urlmap_factory",
            "/healthcheck": "healthcheck"},
        "app:healthcheck": {
            "paste.app_factory": "minova_tw.api.middleware:"
                                 "healthcheck_factory"}})
    try:
        server = minova(compute_config(
            tmp_path, wsgi={"api_paste_config": paste},
            database={"connection": "postgresql+psycopg://minova@"
                      "127.0.0.1:%d/minova" % silent.getsockname()[1]},
            healthcheck=DATABASE_BACKEND), expect=("osapi_compute",))
        assert health(server) == (503, "DATABASE NOT CHECKED YET")
        wait_for(lambda: health(server) == (503, "DATABASE DID NOT ANSWER"),
                 what="the probe to time out")
        assert health(server) == (503, "DATABASE DID NOT ANSWER")
    finally:
        silent.close()
