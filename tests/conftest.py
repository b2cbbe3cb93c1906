"""Fixtures for unit, functional and hosting tests alike.

``minova`` starts the real ``twistd -n minova`` (tests.functional.process)
and stops it by its PID when the test ends. ``target`` is a dynamic vendordata target on loopback: the unit tests of
minova_tw.api.metadata.vendordata and the functional metadata tests both
point minova at it.
"""

import http.server
import json
import threading

import pytest

from tests.functional.process import (START_DEADLINE, TWISTD, MinovaProcess,
                                     base_config, minova_env, write_config)


@pytest.fixture
def target():
    """A dynamic vendordata target on loopback: answers what the test
    puts in ``answers[path]`` (status, body) and records the requests."""
    seen = []
    answers = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append((self.path, dict(self.headers), json.loads(body)))
            status, text = answers.get(self.path, (200, b"{}"))
            self.send_response(status)
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = "http://127.0.0.1:%d" % server.server_address[1]
    server.seen, server.answers = seen, answers
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def minova(tmp_path):
    """Start minova: ``minova(sections=None, args=(), expect=...)``.

    ``twistd_args`` go before the sub-command (e.g. ``--reactor=poll``).
    ``twistd`` is another venv's twistd (the hosting tests run the one
    beside real OpenStack services); ``deadline`` gives apps that take
    longer to import than the mini nova their time to listen.
    """
    started = []

    def start(sections=None, args=None, expect=("osapi_compute", "metadata"),
              env=None, name="api.conf", twistd_args=(), twistd=TWISTD,
              deadline=START_DEADLINE):
        if args is None:
            config = write_config(tmp_path / name,
                                  sections or base_config(tmp_path))
            args = ["--config", config]
        process = MinovaProcess(args, str(tmp_path / ("twistd-%d.log"
                                                      % len(started))),
                                env or minova_env(), set(expect), twistd_args,
                                twistd=twistd, deadline=deadline)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()
