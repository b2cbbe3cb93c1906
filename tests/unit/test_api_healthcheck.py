"""GET /healthcheck: oslo.middleware's healthcheck on minova's [healthcheck] options."""

import os
import threading

import pytest
from paste.deploy import loadapp
from webob import Request

from minova_tw import conf
from minova_tw.db import engine
from tests.polling import wait_for

PASTE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "etc", "api-paste.ini")


def stack(tmp_path, text=""):
    path = tmp_path / "a.conf"
    path.write_text("[DEFAULT]\nstate_path = %s\n[api]\nauth_strategy = "
                    "noauth2\n%s" % (tmp_path / "state", text))
    return loadapp("config:" + PASTE, name="osapi_compute",
                   global_conf=conf.paste_global_conf(conf.load([str(path)])))


def test_healthcheck_answers_without_auth(tmp_path):
    response = Request.blank("/healthcheck").get_response(stack(tmp_path))
    assert response.status_int == 200  # no backends: nothing to report
    assert response.content_type == "text/plain"


def test_disable_by_file_turns_the_node_away(tmp_path):
    flag = tmp_path / "healthcheck_disable"
    app = stack(tmp_path, "[healthcheck]\nbackends = disable_by_file\n"
                "disable_by_file_path = %s\n" % flag)
    assert Request.blank("/healthcheck").get_response(app).status_int == 200
    flag.write_text("maintenance")
    response = Request.blank("/healthcheck").get_response(app)
    assert (response.status_int, response.body) == (503, b"DISABLED BY FILE")
    flag.unlink()
    assert Request.blank("/healthcheck").get_response(app).status_int == 200


def test_a_bad_paste_option_is_one_line(tmp_path):
    from minova_tw.api import middleware
    with pytest.raises(conf.ConfigError, match="paste filter Healthcheck: "
                       "unknown option colour"):
        middleware.healthcheck_factory(
            conf.paste_global_conf(conf.load([])), colour="red")


def get(app):
    response = Request.blank("/healthcheck").get_response(app)
    return response.status_int, response.text


def test_the_database_backend_reads_the_stacks_database(tmp_path):
    app = stack(tmp_path, "[healthcheck]\nbackends = database\n"
                "database_check_interval = 0.1\n")
    wait_for(lambda: get(app) == (200, "OK"), what="a first read")


class Database:
    """A stand-in for minova_tw.db.engine.Database whose reads block until
    released, or fail while ``broken``."""

    def __init__(self):
        self.released = threading.Event()
        self.released.set()
        self.broken = False
        self.reads = 0

    def run(self, work, write):
        self.reads += 1
        self.released.wait()
        if self.broken:
            raise engine.DatabaseUnavailable("connection refused")


@pytest.fixture
def backend(tmp_path):
    """The database backend of a fresh stack, probing a stand-in Database."""
    from minova_tw.api import healthcheck
    path = tmp_path / "a.conf"
    path.write_text("[DEFAULT]\nstate_path = %s\n[healthcheck]\n"
                    "database_check_timeout = 0.2\n" % (tmp_path / "state"))
    checker = healthcheck.DatabaseHealthcheck(conf.load([str(path)]), {})
    checker.probe = healthcheck.DatabaseProbe(Database(), interval=0.05)
    yield checker
    checker.probe.database.released.set()
    checker.probe.stop()


def test_a_database_that_never_answers_is_reported_without_waiting(backend):
    database = backend.probe.database
    database.released.clear()
    first = backend.healthcheck(8774)  # starts the probe, which blocks
    assert (first.available, first.reason) == (False,
                                               "DATABASE NOT CHECKED YET")
    wait_for(lambda: backend.healthcheck(8774).reason
             == "DATABASE DID NOT ANSWER", what="the read to time out")
    assert database.reads == 1  # one read waits; no more pile up
    database.released.set()
    wait_for(lambda: backend.healthcheck(8774).available, what="the answer")


def test_a_failing_database_is_unavailable_then_available_again(backend):
    database = backend.probe.database
    database.broken = True
    wait_for(lambda: backend.healthcheck(8774).reason
             == "DATABASE UNAVAILABLE", what="a failed read")
    assert backend.healthcheck(8774).details == "connection refused"
    database.broken = False
    wait_for(lambda: backend.healthcheck(8774).reason == "OK",
             what="a good read")


def test_one_probe_per_database_and_process(tmp_path):
    from minova_tw.api import healthcheck
    database = engine.Database("sqlite://")
    probe = healthcheck.probe_for(database, 5.0)
    assert healthcheck.probe_for(database, 1.0) is probe
    assert probe.interval == 1.0
