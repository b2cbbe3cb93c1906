"""Fixtures for unit and functional tests alike.

``target`` is a dynamic vendordata target on loopback: the unit tests of
minova_tw.api.metadata.vendordata and the functional metadata tests both
point minova at it.
"""

import http.server
import json
import threading

import pytest


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
