"""An entry module that sets its project up as nova's does: logging, report, limit.

Importing it does, in the way nova.api.openstack.wsgi_app's set-up does
with oslo.log, oslo.reports and oslo.middleware:

* logging: removes every root handler (minova's included) and installs
  its own, writing ``fakeproject-log: <message>`` lines to stdout, at
  INFO;
* a Guru Meditation Report: a SIGUSR2 handler that appends
  ``report of <pid>`` to the file ``FAKEPROJECT_REPORTS`` names;
* a request log: one INFO line per request, ``request: <METHOD> <path>
  status <code>``, written whatever the host does (as nova's request_log
  when not under eventlet);
* a request size limit of its own, ``FAKEPROJECT_MAX_BODY`` bytes
  (default 200000), answered with its own 413 body.

``application`` answers ``{"pid": ..., "received": <body bytes>}``.
"""

import json
import logging
import os
import signal
import sys

MAX_BODY = int(os.environ.get("FAKEPROJECT_MAX_BODY", "200000"))
LOG = logging.getLogger("fakeproject.requestlog")

root = logging.getLogger()
for handler in list(root.handlers):
    root.removeHandler(handler)
handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(logging.Formatter("fakeproject-log: %(message)s"))
root.addHandler(handler)
root.setLevel(logging.INFO)


def write_report(signum, frame):
    with open(os.environ["FAKEPROJECT_REPORTS"], "a") as reports:
        reports.write("report of %d\n" % os.getpid())


if os.environ.get("FAKEPROJECT_REPORTS"):
    signal.signal(signal.SIGUSR2, write_report)


def _respond(start_response, status, document):
    body = json.dumps(document).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(body)))])
    return [body]


def application(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length > MAX_BODY:
        status, document = "413 Request Entity Too Large", {
            "fakeproject": "body over %d bytes" % MAX_BODY}
    else:
        status, document = "200 OK", {
            "pid": os.getpid(),
            "received": len(environ["wsgi.input"].read(length)),
            "access_logged": environ["minova.access_logged"]}
    LOG.info("request: %s %s status %s", environ["REQUEST_METHOD"],
             environ["PATH_INFO"], status.split()[0])
    return _respond(start_response, status, document)
