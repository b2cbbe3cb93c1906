"""The hosted project owns what is its own: logging, limits, its report, its process.

Real ``twistd -n minova`` processes hosting tests/functional/apps'
stand-in projects: ``fakeproject.api`` sets itself up as nova's entry
module does (its own root logging handler, a SIGUSR2 report handler, a
request log and a body limit of its own), ``fakeproject.wsgi`` records
each import and reads its config file on import, and ``otherproject``
is a second project.
"""

import os
import re
import signal

import pytest
import requests

from tests.functional.process import base_config, minova_env
from tests.polling import wait_for

API = "fakeproject.api:application"
ENTRY = "fakeproject.wsgi:application"
OTHER = "otherproject.wsgi:application"


def hosted(tmp_path, apis, **default):
    """A config serving only ``apis`` ({name: (entry, workers)}) on loopback."""
    options = {"enabled_apis": ",".join(apis)}
    for name, (entry, workers) in apis.items():
        options.update({"%s_listen" % name: "127.0.0.1",
                        "%s_listen_port" % name: 0,
                        "%s_workers" % name: workers,
                        "%s_wsgi_app" % name: entry})
    options.update(default)
    return base_config(tmp_path, DEFAULT=options)


def project_env(tmp_path):
    """The stand-ins' environment; fakeproject.conf counts once written."""
    env = minova_env(FAKEPROJECT_REPORTS=str(tmp_path / "reports"),
                   FAKEPROJECT_IMPORTS=str(tmp_path / "imports"))
    if (tmp_path / "fakeproject.conf").exists():
        env["FAKEPROJECT_CONFIG"] = str(tmp_path / "fakeproject.conf")
    return env


def start(minova, tmp_path, apis, **default):
    server = minova(hosted(tmp_path, apis, **default), expect=set(apis),
                    env=project_env(tmp_path))
    server.wait_log("minova ready")
    return server


def get(server, api, path="/", **kwargs):
    response = requests.get(server.url(api, path), timeout=10, **kwargs)
    response.raise_for_status()
    return response.json()


def reload(server, count=1):
    server.signal(signal.SIGHUP)
    server.wait_log("reload done", count)


@pytest.mark.parametrize("workers", [1, 2])
def test_its_logging_stays_and_each_request_is_logged_once(minova, tmp_path,
                                                           workers):
    server = start(minova, tmp_path, {"fake": (API, workers)},
                   fake_access_log="false")

    def each_logged_once(tag):
        for i in range(4):
            assert get(server, "fake", "/%s-%d" % (tag, i))[
                "access_logged"] is False
        wait_for(lambda: server.log.count("request: GET /%s-" % tag) >= 4,
                 what="the app's request lines")
        log = server.log
        for i in range(4):
            # Once, through the project's own handler: minova neither
            # writes its access line nor forwards the record a second time.
            assert log.count("request: GET /%s-%d " % (tag, i)) == 1, log
            assert "fakeproject-log: request: GET /%s-%d status 200" % (
                tag, i) in log
        assert "GET /%s-0 HTTP/1.1" % tag not in log

    each_logged_once("before")
    reload(server)
    each_logged_once("after")


def test_minovas_own_request_log_writes_the_line_when_the_host_does_not(
        minova, tmp_path):
    server = minova(base_config(tmp_path, DEFAULT={
        "osapi_compute_access_log": "false"}))
    requests.get(server.url("osapi_compute", "/v2.1/flavors"), timeout=10,
                 headers={"X-Auth-Token": "demo:demo"}).raise_for_status()
    requests.get(server.url("metadata", "/openstack"), timeout=10)
    wait_for(lambda: '"GET /openstack HTTP/1.1"' in server.log,
             what="metadata's access line")
    wait_for(lambda: '"GET /v2.1/flavors" status: 200' in server.log,
             what="the request_log filter's line")
    assert server.log.count("GET /v2.1/flavors") == 1, server.log


def test_the_projects_own_body_limit_counts_unless_the_host_sets_one(
        minova, tmp_path):
    server = start(minova, tmp_path, {"fake": (API, 1)})
    url = server.url("fake")
    # Over minova's own [oslo_middleware] default (114688), under the app's.
    response = requests.post(url, data=b"x" * 150000, timeout=10)
    assert response.status_code == 200
    assert response.json()["received"] == 150000
    response = requests.post(url, data=b"x" * 250000, timeout=10)
    assert response.status_code == 413
    assert response.json() == {"fakeproject": "body over 200000 bytes"}
    server.stop()

    server = start(minova, tmp_path, {"fake": (API, 1)},
                   fake_max_request_body_size=1000)
    response = requests.post(server.url("fake"), data=b"x" * 2000,
                             timeout=10)
    assert response.status_code == 413
    assert "fakeproject" not in response.text  # the host's, before the app
    assert requests.post(server.url("fake"), data=b"x" * 1000,
                         timeout=10).json()["received"] == 1000


@pytest.mark.parametrize("workers", [1, 2])
def test_sigusr2_writes_minovas_report_and_the_projects_own(minova, tmp_path,
                                                             workers):
    server = start(minova, tmp_path, {"fake": (API, workers)})
    pid = (server.proc.pid if workers == 1
           else server.workers("fake")[0])
    os.kill(pid, signal.SIGUSR2)
    reports = tmp_path / "reports"
    wait_for(lambda: reports.exists()
             and "report of %d\n" % pid in reports.read_text(),
             what="the project's report")
    server.wait_log("Guru Meditation Report of pid %d" % pid)
    # The process keeps serving.
    assert get(server, "fake")["received"] == 0


def importers(tmp_path):
    return [int(pid) for pid in (tmp_path / "imports").read_text().split()]


def test_sighup_replaces_entry_point_workers_that_import_afresh(minova,
                                                                tmp_path):
    config = tmp_path / "fakeproject.conf"
    config.write_text("first")
    server = start(minova, tmp_path, {"fake": (ENTRY, 2)})
    old = set(server.workers("fake").values())
    assert {get(server, "fake")["setting"] for _ in range(4)} == {"first"}
    config.write_text("second")
    reload(server)
    new = set(server.workers("fake").values())
    assert len(new) == 2 and not new & old
    # The new workers imported the entry module again, and so read the
    # project's config file again; the old ones are gone.
    assert new < set(importers(tmp_path))
    wait_for(lambda: all(get(server, "fake")["pid"] in new
                         for _ in range(8)), what="only new workers serving")
    assert {get(server, "fake")["setting"] for _ in range(4)} == {"second"}


def test_sighup_keeps_an_in_process_entry_point_as_it_is(minova, tmp_path):
    config = tmp_path / "fakeproject.conf"
    config.write_text("first")
    server = start(minova, tmp_path, {"fake": (ENTRY, 1)})
    config.write_text("second")
    reload(server)
    assert "fake keeps serving %s" % ENTRY in server.log
    body = get(server, "fake")
    assert (body["pid"], body["setting"]) == (server.proc.pid, "first")
    assert importers(tmp_path) == [server.proc.pid]


def test_apis_of_different_projects_never_share_a_process(minova, tmp_path):
    factory = "fakeproject.factory:initialize_application()"
    server = start(minova, tmp_path, {"fake": (ENTRY, 1),
                                      "fake2": (factory, 1),
                                      "other": (OTHER, 1)})
    twistd = server.proc.pid
    # One project's APIs share the twistd process; the other's has a
    # worker process of its own, though other_workers = 1.
    assert get(server, "fake")["pid"] == twistd
    assert get(server, "fake2")["pid"] == twistd
    other = get(server, "other")["pid"]
    assert other != twistd and server.workers("other") == {0: other}
    assert ("other runs in a worker process of its own: its process group "
            "is otherproject, and the twistd process serves fake's, "
            "fakeproject") in server.log
    assert re.search(r"minova ready: fake \(in process\), fake2 \(in "
                     r"process\), other \(1 worker\)", server.log)


def test_minovas_stacks_keep_the_twistd_process_and_a_project_gets_its_own(
        minova, tmp_path):
    sections = hosted(tmp_path, {"fake": (ENTRY, 1)},
                      enabled_apis="osapi_compute,metadata,fake")
    server = minova(sections, expect={"osapi_compute", "metadata", "fake"},
                    env=project_env(tmp_path))
    server.wait_log("minova ready")
    body = get(server, "fake")
    assert body["pid"] != server.proc.pid and body["multiprocess"] is True
    assert server.proc.pid not in importers(tmp_path)
    assert "versions" in get(server, "osapi_compute")


def test_a_process_group_lets_projects_share_the_twistd_process(minova,
                                                                tmp_path):
    server = start(minova, tmp_path, {"fake": (ENTRY, 1), "other": (OTHER, 1)},
                   other_process_group="fakeproject")
    assert get(server, "other")["pid"] == server.proc.pid
    assert get(server, "fake")["pid"] == server.proc.pid
