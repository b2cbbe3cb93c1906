"""The reference app and minova's steps of one request, each called alone: what bench.instructions counts in-process.

``python -m bench.steps`` loads the reference app, calls each step a few
hundred times (what a step imports or caches on first use is not
counted), prints ``ready``, then for each line ``<step> <count>`` read on
stdin calls that step ``count`` times and prints ``done``. Run under
callgrind, the instructions between two such lines are the step's.

A step is called with what a keep-alive request of wrk's brings (a head
with one header, Host), or where it says so of openstacksdk's (seven
headers, a Fernet-sized token). The channel and the reactor a step
touches are stand-ins that do nothing: the steps are minova's own Python,
not its I/O, its reactor or its threads, which only a running host has.
"""

import gc
import io
import itertools
import sys

from paste.deploy import loadapp

from bench import appcost, barehost, matrix
from minova_tw import accesslog, http11, request_head, resources
from minova_tw.conf.wsgi import DEFAULT_LOG_FORMAT  # nova's wsgi_log_format

WRK_HEAD = "GET / HTTP/1.1\nHost: 127.0.0.1:8774"
SDK_HEAD = (
    "GET /v2.1/servers/detail HTTP/1.1\nHost: 127.0.0.1:8774\n"
    "User-Agent: openstacksdk/4.0.0 keystoneauth1/5.8.0 "
    "python-requests/2.32.3 CPython/3.11.7\n"
    "Accept-Encoding: gzip, deflate\nAccept: application/json\n"
    "Connection: keep-alive\nX-Auth-Token: gAAAAAB" + "x" * 176 + "\n"
    "X-OpenStack-Nova-API-Version: 2.90")
#: The reference app's response headers, as it sends them.
HEADERS = [("Content-Type", "application/json"), ("Content-Length", "590"),
           ("x-openstack-request-id",
            "req-c0ab7e02-a35e-4f95-8564-b7860911a3b8")]
#: What a connection's requests share in minova's environ.
BASE = {"SERVER_PORT": "8774", "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "50000", "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http", "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr, "wsgi.multithread": True,
        "wsgi.multiprocess": False, "wsgi.run_once": False,
        "minova.access_logged": True}


class _Reactor:
    """What a step may ask of the reactor, done by nobody."""

    def callFromThread(self, f, *args, **kwargs):
        pass

    def callLater(self, delay, f, *args, **kwargs):
        pass


class _Channel:
    """The connection an exchange asks whether it may stay open."""

    clientIP = "127.0.0.1"

    def keepAlive(self):
        return True


class _Responder:
    """Takes the response a _WSGIResponse delivers, and drops it."""

    gone = False

    def deliver(self, status, headers, chunks, finish):
        pass

    def fail(self, failure):
        failure.raiseException()


class _Resource:
    """What a _WSGIResponse reads of its WSGIResource, for a pool thread."""

    threadpool = object()
    handOff = None
    reactor = _Reactor()

    def __init__(self, app):
        self.application = app
        self.appTime = resources.AppTime()


def steps(app):
    """``{name: zero-argument callable}``: the app alone, and each step."""
    channel = _Channel()
    exchange = http11.Exchange(channel, "GET", "/", "HTTP/1.1", False)
    exchange.code, exchange.sentLength = 200, 590
    exchange.requestId = HEADERS[2][1]
    access = accesslog.AccessLog("osapi_compute", DEFAULT_LOG_FORMAT,
                                 _Reactor())
    access.writeTo(io.StringIO())
    logged = itertools.count(1)

    def access_line():
        # Lines go out in batches (a reactor turn's, or BATCH seconds' of
        # a pool thread's): one write for 16 lines here (writeTo flushes
        # the lines waiting, then starts an empty output).
        access.line(exchange, fromThread=True)
        if next(logged) % 16 == 0:
            access.writeTo(io.StringIO())
    resource = _Resource(app)
    wsgi_environ = dict(BASE, REQUEST_METHOD="GET", SCRIPT_NAME="",
                        PATH_INFO="/", QUERY_STRING="",
                        SERVER_PROTOCOL="HTTP/1.1", SERVER_NAME="127.0.0.1",
                        HTTP_HOST="127.0.0.1:8774", CONTENT_LENGTH="",
                        CONTENT_TYPE="")

    def environ():
        env = wsgi_environ.copy()
        env["wsgi.input"] = io.BytesIO()
        return env
    return {
        "nothing": lambda: None,
        "app": lambda: appcost.call(app, appcost.environ("/")),
        "app-joined": lambda: appcost.response(app, environ()),
        "app-wsgiresponse": lambda: resources._WSGIResponse(
            resource, _Responder(), here=True).run(environ()),
        "parse-wrk": lambda: request_head.parse_head(WRK_HEAD, BASE,
                                                     "127.0.0.1"),
        "parse-sdk": lambda: request_head.parse_head(SDK_HEAD, BASE,
                                                     "127.0.0.1"),
        "bare-parse-sdk": lambda: barehost.environ_of(
            SDK_HEAD.replace("\n", "\r\n"), BASE),
        "exchange": lambda: http11.Exchange(channel, "GET", "/", "HTTP/1.1",
                                            False),
        "head": lambda: exchange._head("200 OK", HEADERS, [b"x" * 590],
                                       True),
        "access-line": access_line,
    }


def main():
    app = loadapp("config:" + matrix.REFERENCE_PASTE, name="osapi_compute")
    table = steps(app)
    for step in table.values():
        for _ in range(300):
            step()
    # What the set-up made is frozen out of the garbage collector (as
    # bench.appcost does): a full collection walking it, within one step's
    # count and not another's, would add millions of instructions to it.
    gc.collect()
    gc.freeze()
    print("ready", flush=True)
    for line in sys.stdin:
        name, count = line.split()
        step = table[name]
        for _ in range(int(count)):
            step()
        print("done", flush=True)


if __name__ == "__main__":
    main()
