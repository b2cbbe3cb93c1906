"""One log stream: request ids on lines logged while serving, the options dump, workers, --logfile rotation.

Real ``twistd -n minova`` processes: nova's stacks for the request id and
the options dump, conftest's TAG_APP with workers for the log file that
twistd rotates on SIGUSR1.
"""

import os
import re
import signal

import requests

from tests.functional.process import (MinovaProcess, base_config, tag_env,
                                      write_config)
from tests.functional.workers import start_workers, worker_config
from tests.polling import wait_for

SECRET = "hunter2"


def test_every_line_logged_for_a_request_carries_its_id(minova, tmp_path):
    server = minova(base_config(tmp_path, DEFAULT={"debug": "true"}))
    response = requests.get(server.url("osapi_compute",
                                       "/v2.1/flavors/nope"),
                            headers={"X-Auth-Token": "demo:demo"}, timeout=10)
    assert response.status_code == 404
    request_id = response.headers["x-openstack-request-id"]
    wait_for(lambda: '"GET /v2.1/flavors/nope HTTP/1.1"' in server.log,
             what="the access line")
    lines = [line for line in server.log.splitlines() if request_id in line]
    # The stack's own DEBUG line (the fault it returns) and the access
    # line, each with the request's prefix.
    assert len(lines) >= 2, server.log
    assert any("returning 404 to the client" in line for line in lines)
    assert any("[%s demo demo] " % request_id in line for line in lines)
    assert re.search(r"\[%s - -\] 127\.0\.0\.1 \"GET /v2.1/flavors/nope "
                     % request_id, server.log)
    # Lines the stacks log outside a request carry no request prefix.
    assert not re.search(r"minova\.options#debug\] \[req-", server.log)


def test_a_kept_connections_lines_are_written_once_each_by_the_worker(
        minova, tmp_path):
    """The pool thread serving a kept connection leaves its lines to the
    reactor, which writes them in batches (minova_tw.accesslog.BATCH):
    all of them come without another request or a stop, and each once."""
    server = start_workers(minova, tmp_path)
    with requests.Session() as session:
        for n in range(40):
            response = session.get(
                server.url("osapi_compute", "/kept/%d" % n), timeout=10)
            assert response.status_code == 200

    def counts():
        log = server.log
        return [log.count('"GET /kept/%d HTTP/1.1" status: 200' % n)
                for n in range(40)]
    wait_for(lambda: counts() == [1] * 40, what="40 access lines")
    server.signal(signal.SIGTERM)
    assert server.wait(30) == 0
    assert counts() == [1] * 40


def test_debug_dumps_the_options_once_with_secrets_masked(minova, tmp_path):
    database = tmp_path / ("%s.sqlite" % SECRET)
    sections = worker_config(tmp_path, DEFAULT={"debug": "true"},
                             database={"connection": "sqlite:///%s"
                                       % database},
                             neutron={"metadata_proxy_shared_secret":
                                      SECRET})
    server = minova(sections, env=tag_env(tmp_path))
    server.wait_log("minova ready")
    log = server.log
    assert log.count("database.connection            = ****") == 1
    assert "neutron.metadata_proxy_shared_secret = ****" in log
    assert "osapi_compute_workers          = 2" in log
    assert SECRET not in log


def test_without_debug_the_options_are_not_dumped(minova, tmp_path):
    server = minova()
    assert "osapi_compute_listen_port" not in server.log


class LogFileMinova(MinovaProcess):
    """twistd with ``--logfile``: its log is that file, not its stdout."""

    def __init__(self, logfile, *args, **kwargs):
        self.logfile = logfile
        super().__init__(*args, **kwargs)

    @property
    def log(self):
        return read(self.logfile)


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""


def test_sigusr1_rotates_the_log_file_and_workers_follow(tmp_path):
    logfile = str(tmp_path / "minova.log")
    config = write_config(tmp_path / "api.conf", worker_config(tmp_path))
    server = LogFileMinova(logfile, ["--config", config],
                           str(tmp_path / "stdout"), tag_env(tmp_path),
                           {"osapi_compute", "metadata"},
                           twistd_args=["--logfile", logfile])
    try:
        server.wait_log("minova ready")
        workers = server.workers("osapi_compute")

        def both_files():
            return read(logfile + ".1") + server.log

        def serve(tag, count=12):
            for i in range(count):
                requests.get(server.url("osapi_compute", "/%s-%d" % (tag, i)),
                             timeout=10).raise_for_status()
            wait_for(lambda: both_files().count("GET /%s-" % tag) == count,
                     what="%d access lines for %s" % (count, tag))

        serve("before")
        server.signal(signal.SIGUSR1)
        wait_for(lambda: os.path.exists(logfile + ".1"), what="rotation")
        batches = iter(range(100))

        def every_worker_writes_the_new_file():
            # The workers hear of the rotation from the parent; until
            # then their lines still go to the rotated file.
            serve("after%d" % next(batches), 4)
            return all(re.search(r"\[osapi_compute/%d [^]]*\] .*GET /after"
                                 % slot, server.log) for slot in workers)

        wait_for(every_worker_writes_the_new_file,
                 what="a line of every worker in the new file")
        old = read(logfile + ".1")
        assert "GET /before-0" in old and "GET /before-0" not in server.log
        # Lines of workers and of the parent, one format, one new file.
        assert re.search(r"^\S+ \[osapi_compute/\d minova\.access#info\] ",
                         server.log, re.M)
        server.signal(signal.SIGHUP)
        server.wait_log("reload done")
        serve("reloaded")
        assert "GET /reloaded-" not in read(logfile + ".1")
    finally:
        server.stop()
